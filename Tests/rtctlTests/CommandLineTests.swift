import ArgumentParser
import Foundation
import Logging
import Testing

@testable import rtctl

@Suite("Command line")
struct CommandLineTests {
    @Test("serve defaults match CLI.md and the issue")
    func serveDefaults() throws {
        let serve = try Rtctl.Serve.parse([])
        let configuration = serve.serverConfiguration(gameSessionId: "g")
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.port == 1900)
        #expect(configuration.udpPort == nil)
        #expect(configuration.pingInterval == .milliseconds(3000))
        #expect(configuration.session.maxPlayers == 32)
        #expect(configuration.session.reservedPlayerSessionIds == nil)
        #expect(configuration.session.fastPort == 1900)
        #expect(!configuration.session.announceMembership && !configuration.session.announcePlayers)
        #expect(!configuration.session.udpAnySource)
        #expect(configuration.sessionLoop == .auto)
        #expect(serve.logging.level(default: .info) == .info)
    }

    @Test("serve flags reach the configuration")
    func serveFlags() throws {
        let serve = try Rtctl.Serve.parse([
            "--host", "127.0.0.1", "--port", "0", "--udp-port", "2000", "--max-players", "4", "--ping-interval", "500",
            "--game-session-id", "gs-1", "--reserve", "alice", "--reserve", "bob", "--announce-membership",
            "--announce-players", "--udp-any-source", "--session-loop", "shared", "-q",
        ])
        let configuration = serve.serverConfiguration(gameSessionId: "gs-1")
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 0)
        #expect(configuration.udpPort == 2000)
        #expect(configuration.session.fastPort == 2000)
        #expect(configuration.pingInterval == .milliseconds(500))
        #expect(configuration.session.maxPlayers == 4)
        #expect(configuration.session.reservedPlayerSessionIds == ["alice", "bob"])
        #expect(configuration.session.announceMembership && configuration.session.announcePlayers)
        #expect(configuration.session.udpAnySource)
        #expect(configuration.sessionLoop == .shared)
        #expect(serve.logging.level(default: .info) == .error)
    }

    @Test(
        "bad serve values are usage errors",
        arguments: [
            ["--port", "65536"], ["--port", "x"], ["--udp-port", "-1"], ["--max-players", "0"],
            ["--ping-interval", "0"],
            ["--game-session-id", ""], ["--reserve", ""], ["--log-level", "loud"], ["--log-format", "xml"],
            ["--player-sessions", "/nonexistent/rtctl-sessions.txt"], ["-q", "--log-level", "debug"], ["--bogus"],
            ["--session-loop", "nowhere"],
        ]
    )
    func badServeValues(_ arguments: [String]) {
        #expect(throws: (any Error).self) { try Rtctl.Serve.parse(arguments) }
        do {
            _ = try Rtctl.parseAsRoot(["serve"] + arguments)
            Issue.record("parsed \(arguments)")
        } catch {
            #expect(Rtctl.exitCode(for: error) == .validationFailure)
            #expect(ExitCode.validationFailure.rawValue == 64)
        }
    }

    @Test("--max-steal is a percentage", arguments: ["-1", "100.5", "x"])
    func badMaxSteal(_ value: String) throws {
        #expect(throws: (any Error).self) {
            try Rtctl.Bench.parse(["127.0.0.1:1900", "--find-max", "--max-steal", value])
        }
        #expect(try Rtctl.Bench.parse(["127.0.0.1:1900", "--find-max", "--max-steal", "100"]).maxSteal == 100)
    }

    @Test("a player sessions file: one id per line, blank lines and # comments skipped")
    func playerSessionsFile() throws {
        let text = "# reserved ids\nalice\n\n  bob  # the second\r\n#carol\n\tdave\n"
        #expect(Rtctl.Serve.parsePlayerSessions(text) == ["alice", "bob", "dave"])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rtctl-ids-\(UUID()).txt").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let serve = try Rtctl.Serve.parse(["--player-sessions", path, "--reserve", "erin"])
        #expect(
            serve.serverConfiguration(gameSessionId: "g").session.reservedPlayerSessionIds == [
                "alice", "bob", "dave", "erin",
            ]
        )
    }

    @Test("logging options before the subcommand move after it")
    func hoisting() {
        let subcommands = ["serve", "listen"]
        #expect(
            LoggingOptions.hoistingGlobalOptions(["-q", "serve", "--port", "0"], subcommands: subcommands)
                == ["serve", "-q", "--port", "0"]
        )
        #expect(
            LoggingOptions.hoistingGlobalOptions(
                ["--log-level", "debug", "--log-format=json", "serve"],
                subcommands: subcommands
            ) == ["serve", "--log-level", "debug", "--log-format=json"]
        )
        #expect(LoggingOptions.hoistingGlobalOptions(["serve", "-q"], subcommands: subcommands) == ["serve", "-q"])
        #expect(LoggingOptions.hoistingGlobalOptions(["-q", "nope"], subcommands: subcommands) == ["-q", "nope"])
        #expect(LoggingOptions.hoistingGlobalOptions(["--log-level"], subcommands: subcommands) == ["--log-level"])
    }

    @Test("generated game session ids are readable and unique")
    func gameSessionIds() {
        let time = WallClockTime(seconds: 1_795_255_200)
        let id = GameSessionIdentifier.generate(time: time)
        #expect(id.hasPrefix("gsess-20261121-100000-"))
        #expect(id.count == "gsess-20261121-100000-".count + 8)
        #expect(GameSessionIdentifier.generate(time: time) != id)
    }

    @Test("the listening line")
    func listeningLine() {
        let line = ListeningLine(host: "0.0.0.0", tcpPort: 1900, udpPort: 1901, gameSessionId: "g\"1")
        #expect(
            line.jsonText
                == #"{"event":"listening","host":"0.0.0.0","tcpPort":1900,"udpPort":1901,"gameSessionId":"g\"1"}"#
        )
    }

    @Test("log lines: text and JSON")
    func logLines() {
        let time = WallClockTime(seconds: 1_795_255_200, nanoseconds: 123_456_789)
        let text = StandardErrorLogHandler(label: "rtctl", format: .text(color: false), level: .info)
        #expect(
            text.render(time: time, level: .info, message: "listening", metadata: ["port": "1900", "host": "a b"])
                == "2026-11-21T10:00:00.123Z info rtctl: listening host=\"a b\" port=1900\n"
        )
        #expect(
            text.render(time: time, level: .warning, message: "two\nlines", metadata: [:])
                == "2026-11-21T10:00:00.123Z warning rtctl: two\\nlines\n"
        )
        let colored = StandardErrorLogHandler(label: "rtctl", format: .text(color: true), level: .info)
        #expect(colored.render(time: time, level: .error, message: "x", metadata: [:]).contains("\u{1B}[31;1merror"))
        let json = StandardErrorLogHandler(label: "rtctl", format: .json, level: .info)
        #expect(
            json.render(
                time: time,
                level: .notice,
                message: "hi \"you\"",
                metadata: ["peer": "3", "list": ["a", "b"]]
            )
                == #"{"time":"2026-11-21T10:00:00.123456Z","level":"notice","label":"rtctl","message":"hi \"you\"","#
                + #""list":["a","b"],"peer":"3"}"# + "\n"
        )
    }

    @Test("NO_COLOR and non-terminals turn color off")
    func colorRules() {
        #expect(!StandardStreams.allowsColor(STDERR_FILENO, environment: ["NO_COLOR": "1"]))
        var fds: [Int32] = [0, 0]
        _ = pipe(&fds)
        defer {
            close(fds[0])
            close(fds[1])
        }
        #expect(!StandardStreams.allowsColor(fds[1], environment: [:]))
    }
}
