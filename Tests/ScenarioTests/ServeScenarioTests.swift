import Foundation
import Testing

@testable import rtctl

/// `rtctl serve` as a user runs it: a subprocess, stdout and stderr read as text.
@Suite("rtctl serve")
struct ServeScenarioTests {
    @Test(
        "bad flags exit 64 with one line on stderr and nothing on stdout",
        arguments: [
            ["serve", "--port", "abc"], ["serve", "--bogus"], ["serve", "--port", "70000"], ["serve", "--host"],
            ["serve", "--max-players", "0"], ["serve", "--log-level", "loud"], ["nosuchcommand"],
            ["serve", "--port-range", "1900-1800"], ["serve", "--port", "1901", "--port-range", "1900-1999"],
            ["serve", "--udp-port", "1901", "--port-range", "1900-1999"],
        ]
    )
    func badFlags(_ arguments: [String]) async throws {
        let result = try await Subprocess.rtctl(arguments)
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("rtctl: error: "))
        #expect(result.stderr.filter { $0 == "\n" }.count == 1, "stderr: \(result.stderr)")
    }

    @Test("--player-sessions with a missing file is a usage error")
    func missingPlayerSessions() async throws {
        let result = try await Subprocess.rtctl(["serve", "--player-sessions", "missing-file"])
        #expect(result.status == 64)
        #expect(
            result.stderr == "rtctl: error: --player-sessions missing-file: no such file (see 'rtctl serve --help')\n"
        )
    }

    @Test("an admin port that is taken is named as the admin port, and serve exits 1")
    func adminPortTaken() async throws {
        let first = try RunningProcess(
            Subprocess.rtctl,
            ["serve", "--port", "0", "--host", "127.0.0.1", "--admin-port", "0"]
        )
        let line = try #require(try await first.nextLine())
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        let adminPort = try #require(object?["adminPort"] as? Int, "no adminPort in \(line)")
        let second = try await Subprocess.rtctl(
            ["serve", "--port", "0", "--host", "127.0.0.1", "--admin-port", String(adminPort)]
        )
        #expect(second.status == 1)
        #expect(second.stderr.contains("cannot listen on 127.0.0.1 (--admin-port \(adminPort)): "), "\(second.stderr)")
        #expect(!second.stderr.contains("(--port"), "\(second.stderr)")
        first.signal(SIGTERM)
        #expect(try await first.waitForExit().status == 0)
    }

    @Test("a UDP port another server holds is refused (SO_REUSEPORT on both would let them share it), serve exits 1")
    func udpPortTaken() async throws {
        let first = try RunningProcess(Subprocess.rtctl, ["serve", "--port", "0", "--host", "127.0.0.1"])
        let line = try #require(try await first.nextLine())
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        let udpPort = try #require(object?["udpPort"] as? Int, "no udpPort in \(line)")
        let second = try await Subprocess.rtctl(
            ["serve", "--port", "0", "--udp-port", String(udpPort), "--host", "127.0.0.1"]
        )
        #expect(second.status == 1)
        #expect(second.stderr.contains("--udp-port \(udpPort)"), "\(second.stderr)")
        #expect(second.stderr.contains("in use"), "\(second.stderr)")
        first.signal(SIGTERM)
        #expect(try await first.waitForExit().status == 0)
    }

    @Test("--help and --version print to stdout and exit 0")
    func helpAndVersion() async throws {
        let help = try await Subprocess.rtctl(["serve", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--player-sessions <file>"))
        #expect(help.stderr.isEmpty)
        let version = try await Subprocess.rtctl(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout == Rtctl.version + "\n")
    }

    @Test(
        "serve prints exactly one listening line on stdout, then exits 0 on SIGTERM or SIGINT",
        arguments: [SIGTERM, SIGINT]
    )
    func listeningThenSignal(_ signal: Int32) async throws {
        let server = try RunningProcess(
            Subprocess.rtctl,
            ["serve", "--port", "0", "--host", "127.0.0.1", "--game-session-id", "scenario-1"]
        )
        let line = try #require(try await server.nextLine())
        #expect(
            try await Subprocess.jq(
                #"""
                (keys_unsorted == ["event","host","tcpPort","udpPort","gameSessionId"])
                and .event == "listening" and .host == "127.0.0.1" and .tcpPort > 0 and .udpPort > 0
                and .gameSessionId == "scenario-1"
                """#,
                line
            ),
            "listening line: \(line)"
        )
        server.signal(signal)
        let result = try await server.waitForExit()
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.isEmpty, "more than one line on stdout")
    }

    @Test("a generated game session id when none is given")
    func generatedSessionId() async throws {
        let server = try RunningProcess(Subprocess.rtctl, ["serve", "--port", "0", "--host", "127.0.0.1", "-q"])
        let line = try #require(try await server.nextLine())
        #expect(try await Subprocess.jq(#".gameSessionId | test("^gsess-[0-9]{8}-[0-9]{6}-[0-9a-f]{8}$")"#, line))
        server.signal(SIGTERM)
        #expect(try await server.waitForExit().status == 0)
    }
}

/// `rtctl serve` out of file descriptors, as a connection flood leaves it.
@Suite("rtctl serve out of descriptors")
struct DescriptorExhaustionTests {
    /// A TCP connection to the loopback port (plain POSIX: the scenario tests drive the binary, not the library).
    static func connect(port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Foundation.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return result == 0 ? fd : -1
    }

    /// CPU seconds the process has used (user + system), from /proc.
    static func cpuSeconds(_ pid: Int32) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
        return Double(Int(fields[11])! + Int(fields[12])!) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    @Test("no descriptors left: serve closes new connections instead of spinning, logs it once, then serves again")
    func backsOffAndRecovers() async throws {
        let server = try RunningProcess(
            URL(fileURLWithPath: "/bin/bash"),
            [
                "-c",
                "ulimit -n 48 && exec \"$0\" serve --port 0 --host 127.0.0.1 --max-connections 1000",
                Subprocess.rtctl.path,
            ]
        )
        let line = try #require(try await server.nextLine())
        let port = try Subprocess.tcpPort(ofListeningLine: line)
        let descriptors = (0..<80).map { _ in Self.connect(port: port) }
        let pid = server.process.processIdentifier
        let before = try Self.cpuSeconds(pid)
        try await Task.sleep(for: .seconds(3))
        let used = try Self.cpuSeconds(pid) - before
        // A server spinning on accept would use a whole core: about 3 CPU seconds here.
        #expect(used < 1.5, "serve used \(used) CPU seconds in 3 s while out of descriptors")
        for fd in descriptors where fd >= 0 { close(fd) }
        // With descriptors free again, a player logs in.
        let send = try await Subprocess.rtctl(["send", "127.0.0.1:\(port)", "--opcode", "1", "--payload", "hi"])
        #expect(send.status == 0, "send: \(send.stderr)")
        server.signal(SIGTERM)
        let result = try await server.waitForExit()
        #expect(result.status == 0)
        let warnings = result.stderr.split(separator: "\n").filter { $0.contains("out of file descriptors") }
        #expect(warnings.count == 1, "\(result.stderr)")
    }
}
