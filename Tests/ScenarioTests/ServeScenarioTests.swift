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
