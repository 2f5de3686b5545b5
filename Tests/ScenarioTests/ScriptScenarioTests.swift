import Foundation
import Testing

/// `rtctl serve --script` as a user runs it: the binary, a script file, signals and exit statuses.
@Suite("rtctl serve --script", .timeLimit(.minutes(2)))
struct ScriptScenarioTests {
    static func script(_ source: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rtctl-scenario-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("game.js").path
        try source.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func serve(_ arguments: [String]) throws -> RunningProcess {
        try RunningProcess(Subprocess.rtctl, ["serve", "--port", "0", "--host", "127.0.0.1"] + arguments)
    }

    @Test("SIGTERM runs onProcessTerminate, then serve exits 0; script logs reach stderr tagged source=script")
    func sigtermRunsOnProcessTerminate() async throws {
        let path = try Self.script(
            """
            let logger;
            exports.ssExports = {
                configuration: { maxPlayers: 3 },
                init(session) { logger = session.getLogger(); },
                onProcessStarted(args) { logger.info("started with level " + args.level); return true; },
                async onProcessTerminate() {
                    await new Promise((resolve) => setTimeout(resolve, 50));
                    logger.warn("terminating cleanly");
                },
            };
            """
        )
        let server = try Self.serve(["--script", path, "--script-arg", "level=3"])
        let line = try #require(try await server.nextLine())
        #expect(try await Subprocess.jq(#".event == "listening""#, line))
        server.signal(SIGTERM)
        let result = try await server.waitForExit()
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("started with level 3 source=script"))
        #expect(result.stderr.contains("terminating cleanly source=script"))
        #expect(result.stderr.contains("maxPlayers=3 maxPlayersFrom=script"))
        #expect(result.stdout.isEmpty)
    }

    @Test("the script host's program file is gone once serve listens, so a killed server leaves no file behind")
    func hostProgramFileRemoved() async throws {
        let path = try Self.script("exports.ssExports = { init() {} };")
        let temporary = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        let server = try RunningProcess(
            Subprocess.rtctl,
            ["serve", "--port", "0", "--host", "127.0.0.1", "--script", path],
            environment: ["TMPDIR": temporary.path]
        )
        let line = try #require(try await server.nextLine())
        #expect(try await Subprocess.jq(#".event == "listening""#, line))
        let left = try FileManager.default.contentsOfDirectory(atPath: temporary.path)
        // The host did run from a file in that directory (it is Node's program argument).
        let commandLines = Self.childCommandLines(of: server.process.processIdentifier)
        #expect(
            commandLines.contains { $0.contains(temporary.path) && $0.contains("rtctl-script-host-") },
            "\(commandLines)"
        )
        server.signal(SIGKILL)
        _ = try await server.waitForExit()
        #expect(left.isEmpty, "files left in TMPDIR while serving: \(left)")
    }

    /// The command lines of a process's children, from /proc (each thread lists the children it started).
    static func childCommandLines(of pid: Int32) -> [String] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        let children = tasks.flatMap { task in
            ((try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/children", encoding: .utf8)) ?? "")
                .split(separator: " ")
        }
        return children.compactMap { child in
            // Read to the end: /proc files report a size of 0.
            (try? FileHandle(forReadingAtPath: "/proc/\(child)/cmdline")?.readToEnd()).flatMap { $0 }.map {
                String(decoding: $0.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
            }
        }
    }

    @Test("a flag that overrides the script's configuration is named in a warning")
    func overrideWarning() async throws {
        let path = try Self.script("exports.ssExports = { configuration: { maxPlayers: 3 }, init() {} };")
        let server = try Self.serve(["--script", path, "--max-players", "5"])
        _ = try await server.nextLine()
        server.signal(SIGINT)
        let result = try await server.waitForExit()
        #expect(result.status == 0)
        #expect(result.stderr.contains("--max-players 5 overrides the script's configuration.maxPlayers 3"))
        #expect(result.stderr.contains("maxPlayers=5 maxPlayersFrom=flag"))
    }

    @Test("a script that cannot start stops serve before it listens, with the script's error")
    func brokenScript() async throws {
        let path = try Self.script("exports.ssExports = { init( };")
        let result = try await Subprocess.run(Subprocess.rtctl, ["serve", "--port", "0", "--script", path])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("SyntaxError"))
    }

    @Test("Node.js missing or too old: a clear error naming the fix")
    func nodeMissingOrTooOld() async throws {
        let path = try Self.script("exports.ssExports = { init() {} };")
        let missing = try await Subprocess.run(
            Subprocess.rtctl,
            ["serve", "--port", "0", "--script", path, "--node", "/nonexistent/node"]
        )
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("--node PATH"))

        let old = try Self.script("#!/bin/sh\necho v16.20.2\n")
        chmod(old, 0o755)
        let tooOld = try await Subprocess.run(
            Subprocess.rtctl,
            ["serve", "--port", "0", "--script", path, "--node", old]
        )
        #expect(tooOld.status == 1)
        #expect(tooOld.stderr.contains("Node.js 18 or newer is needed"), "\(tooOld.stderr)")
        #expect(tooOld.stderr.contains("v16.20.2"))
    }

    @Test("a script host that dies ends the session: exit 1 with the script's last stderr lines")
    func hostDies() async throws {
        let path = try Self.script(
            """
            exports.ssExports = {
                init() {
                    setTimeout(() => {
                        console.error("about to die: out of cheese");
                        process.kill(process.pid, "SIGKILL");
                    }, 200);
                },
            };
            """
        )
        let server = try Self.serve(["--script", path])
        _ = try await server.nextLine()
        let result = try await server.waitForExit()
        #expect(result.status == 1, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("exited unexpectedly"))
        #expect(result.stderr.contains("out of cheese"))
    }

    @Test("await processEnding() then process.exit(0): serve exits 0 and the player is closed cleanly (1001)")
    func processEndingThenExitZero() async throws {
        let path = try Self.script(
            """
            let session;
            exports.ssExports = {
                init(rtSession) { session = rtSession; },
                onPlayerAccepted() {
                    setTimeout(async () => { await session.processEnding(); process.exit(0); }, 100);
                },
            };
            """
        )
        let server = try Self.serve(["--script", path])
        let line = try #require(try await server.nextLine())
        let port = try Subprocess.tcpPort(ofListeningLine: line)
        let listen = try await Subprocess.run(Subprocess.rtctl, ["listen", "127.0.0.1:\(port)", "--timeout", "20s"])
        #expect(listen.stdout.contains(#""code":1001"#), "listen: \(listen.stdout)")
        let result = try await server.waitForExit()
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("ServiceGroupError"))
    }
}
