import Foundation
import Testing

/// Record a scripted session with `serve --record`, replay it with `rtctl replay --verify`.
@Suite("record, replay and verify", .timeLimit(.minutes(3)))
struct ReplayScenarioTests {
    static let script = """
        let session;
        exports.ssExports = {
            init(s) { session = s; },
            onMessage(m) {
                session.sendReliableMessage(
                    session.newTextGameMessage(m.opCode + 100, -1, "echo:" + m.getPayloadAsText()), m.sender);
            },
            onSendToGroup(m) { return m.getPayloadAsText() !== "blocked"; },
        };
        """

    static func directory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rtctl-replay-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Starts `serve` with extra arguments; returns it and its endpoint.
    static func serve(_ arguments: [String]) async throws -> (RunningProcess, String) {
        let server = try RunningProcess(Subprocess.rtctl, ["serve", "--port", "0", "--host", "127.0.0.1"] + arguments)
        let line = try #require(try await server.nextLine())
        return (server, "127.0.0.1:\(try Subprocess.tcpPort(ofListeningLine: line))")
    }

    @Test("a recorded scripted session replays with no differences; a changed script is reported, exit 1")
    func recordReplayVerify() async throws {
        let directory = try Self.directory()
        let game = directory.appendingPathComponent("game.js").path
        let changed = directory.appendingPathComponent("changed.js").path
        let recording = directory.appendingPathComponent("session.jsonl").path
        try Self.script.write(toFile: game, atomically: true, encoding: .utf8)
        try Self.script.replacingOccurrences(of: "echo:", with: "ECHO:").write(
            toFile: changed,
            atomically: true,
            encoding: .utf8
        )

        // Record: bob listens in group 2; alice joins, talks to the group (one message filtered by the script), to
        // the server script (which replies) and to everyone.
        let (server, endpoint) = try await Self.serve(["--script", game, "--record", recording])
        let bob = try RunningProcess(
            Subprocess.rtctl,
            ["listen", endpoint, "--player-session-id", "bob", "--join", "2", "--count", "2", "--timeout", "20s"]
        )
        #expect(try await bob.nextLine()?.contains("connected") == true)
        let actions = [
            #"{"action":"joinGroup","group":2}"#,
            #"{"opCode":5,"targetGroup":2,"reliable":true,"payload":"hello"}"#,
            #"{"opCode":6,"targetGroup":2,"reliable":true,"payload":"blocked"}"#,
            #"{"opCode":7,"targetPlayer":-1,"reliable":true,"payload":"ping"}"#,
            #"{"opCode":8,"targetGroup":-1,"reliable":true,"payload":"all"}"#,
            #"{"action":"sleep","ms":300}"#,
        ]
        let alice = try await Subprocess.rtctl(
            ["connect", endpoint, "--player-session-id", "alice"],
            input: actions.joined(separator: "\n") + "\n"
        )
        #expect(alice.status == 0, "connect: \(alice.stderr)")
        #expect(alice.stdout.contains(#""payload":"echo:ping""#))
        #expect(try await bob.waitForExit().status == 0)
        server.signal(SIGTERM)
        #expect(try await server.waitForExit().status == 0)
        let recorded = try String(contentsOfFile: recording, encoding: .utf8)
        #expect(recorded.split(separator: "\n").count >= 8, "recording:\n\(recorded)")

        // The dry run says what would be sent, without a server.
        let dryRun = try await Subprocess.rtctl(["replay", recording, "--dry-run"])
        #expect(dryRun.status == 0, "\(dryRun.stderr)")
        #expect(dryRun.stderr.contains("2 players, 4 messages"))
        let toServer = try #require(dryRun.stdout.split(separator: "\n").first { $0.contains(#""opCode":7"#) })
        #expect(
            try await Subprocess.jq(#".player == 2 and .targetPlayer == -1 and .payload == "ping""#, String(toServer))
        )

        // Replayed against the same script: no difference.
        let (same, sameEndpoint) = try await Self.serve(["--script", game])
        let verified = try await Subprocess.rtctl(["replay", recording, sameEndpoint, "--verify", "--topspeed"])
        #expect(verified.status == 0, "replay: \(verified.stdout) \(verified.stderr)")
        #expect(verified.stdout.isEmpty)
        #expect(verified.stderr.contains("verified"))
        same.signal(SIGTERM)
        _ = try await same.waitForExit()

        // Against a changed script: the difference is printed, exit 1.
        let (other, otherEndpoint) = try await Self.serve(["--script", changed])
        let differs = try await Subprocess.rtctl(["replay", recording, otherEndpoint, "--verify", "--speed", "4"])
        #expect(differs.status == 1, "replay: \(differs.stdout) \(differs.stderr)")
        let differences = differs.stdout.split(separator: "\n").map(String.init)
        #expect(differences.count == 2, "\(differs.stdout)")
        for difference in differences {
            #expect(
                try await Subprocess.jq(
                    #"[.difference, .player, .opCode, .sender, .payload] | . == ["missing", 2, 107, -1, "echo:ping"] or . == ["unexpected", 2, 107, -1, "ECHO:ping"]"#,
                    difference
                ),
                "\(difference)"
            )
        }
        other.signal(SIGTERM)
        _ = try await other.waitForExit()

        // A recording cut off mid-line (kill -9) replays up to its last whole line.
        let cut = directory.appendingPathComponent("cut.jsonl").path
        let lines = recorded.split(separator: "\n", omittingEmptySubsequences: false)
        let keep = lines.prefix(6).joined(separator: "\n") + "\n" + lines[6].prefix(20)
        try keep.write(toFile: cut, atomically: true, encoding: .utf8)
        let partial = try await Subprocess.rtctl(["replay", cut, "--dry-run"])
        #expect(partial.status == 0, "\(partial.stderr)")
        #expect(partial.stdout.split(separator: "\n").count <= 5)
    }

    @Test("listen --record writes what one client received; replay plays the senders and verifies it")
    func listenRecording() async throws {
        let directory = try Self.directory()
        let recording = directory.appendingPathComponent("listen.jsonl").path
        let (server, endpoint) = try await Self.serve([])
        let bob = try RunningProcess(
            Subprocess.rtctl,
            [
                "listen", endpoint, "--player-session-id", "bob", "--join", "2", "--count", "2", "--timeout", "20s",
                "--record", recording,
            ]
        )
        #expect(try await bob.nextLine()?.contains("connected") == true)
        let actions = [
            #"{"opCode":5,"targetGroup":2,"reliable":true,"payload":"to the group"}"#,
            #"{"opCode":6,"targetPlayer":1,"reliable":true,"payloadBase64":"AP8="}"#,
        ]
        let alice = try await Subprocess.rtctl(
            ["connect", endpoint, "--player-session-id", "alice"],
            input: actions.joined(separator: "\n") + "\n"
        )
        #expect(alice.status == 0, "connect: \(alice.stderr)")
        #expect(try await bob.waitForExit().status == 0)
        server.signal(SIGTERM)
        _ = try await server.waitForExit()
        let lines = try String(contentsOfFile: recording, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(try await Subprocess.jq(#".recording == 1 and .source == "listen""#, lines[0]))
        #expect(lines.contains { $0.contains(#""payloadBase64":"AP8=""#) })

        let (fresh, freshEndpoint) = try await Self.serve([])
        let verified = try await Subprocess.rtctl(["replay", recording, freshEndpoint, "--verify", "--topspeed"])
        #expect(verified.status == 0, "replay: \(verified.stdout) \(verified.stderr)")
        #expect(verified.stderr.contains("verified"))
        fresh.signal(SIGTERM)
        _ = try await fresh.waitForExit()
    }

    @Test("replay refuses what it cannot read with a clear message")
    func unreadableRecordings() async throws {
        let directory = try Self.directory()
        let empty = directory.appendingPathComponent("empty.jsonl").path
        try "".write(toFile: empty, atomically: true, encoding: .utf8)
        let result = try await Subprocess.rtctl(["replay", empty, "--dry-run"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no header line"))
        let missing = try await Subprocess.rtctl(["replay", directory.appendingPathComponent("nope").path, "--dry-run"])
        #expect(missing.status == 1)
        let usage = try await Subprocess.rtctl(["replay", empty, "--verify", "--loop", "2"])
        #expect(usage.status == 64)
    }
}
