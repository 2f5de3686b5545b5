import Foundation
import Testing

/// `rtctl connect` on a terminal: a tmux pane plays the user (send-keys) and the screen is read back (capture-pane).
@Suite("Interactive connect in a terminal")
struct InteractivePromptTests {
    /// One tmux server of its own (`-L`), so that the test never touches anybody's sessions.
    final class Terminal: Sendable {
        let tmux: URL
        let socket = "rtctl-test-\(UUID().uuidString.prefix(8))"

        init() throws {
            tmux = try #require(Subprocess.which("tmux"), "tmux is needed by this test (.ci/run installs it)")
        }

        @discardableResult
        func run(_ arguments: [String]) async throws -> Subprocess.Result {
            try await Subprocess.run(tmux, ["-L", socket] + arguments, timeout: .seconds(20))
        }

        /// Starts the pane. The tmux server it forks keeps running, so its output goes to /dev/null rather than to
        /// a pipe that would never reach its end.
        func start(_ command: String) async throws {
            let bash = try #require(Subprocess.which("bash"))
            let result = try await Subprocess.run(
                bash,
                [
                    "-c",
                    // Descriptors the test process leaves inheritable would be held open by the tmux server.
                    #"""
                    for fd in /proc/$$/fd/*; do n=${fd##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-"; done 2> /dev/null
                    exec "$0" -L "$1" new-session -d -x 250 -y 60 "$2" < /dev/null > /dev/null 2>&1
                    """#,
                    tmux.path, socket, command,
                ],
                timeout: .seconds(20)
            )
            #expect(result.status == 0, "tmux new-session failed")
        }

        func type(_ keys: String...) async throws {
            try await run(["send-keys"] + keys)
        }

        /// The screen, wrapped lines joined.
        func screen() async throws -> String {
            try await run(["capture-pane", "-p", "-J"]).stdout
        }

        /// Polls the screen until `condition` holds (20 s deadline); returns the last screen.
        @discardableResult
        func waitFor(
            _ what: String,
            sourceLocation: SourceLocation = #_sourceLocation,
            _ condition: (String) -> Bool
        ) async throws -> String {
            let deadline = ContinuousClock.now + .seconds(20)
            var last = ""
            while ContinuousClock.now < deadline {
                last = try await screen()
                if condition(last) { return last }
                try await Task.sleep(for: .milliseconds(50))
            }
            Issue.record("timed out waiting for \(what); the screen:\n\(last)", sourceLocation: sourceLocation)
            throw CancellationError()
        }

        /// Ends the panes' processes (they may have SIGHUP ignored, inherited from the test process), then the server.
        func kill() async {
            let panes = (try? await run(["list-panes", "-a", "-F", "#{pane_pid}"]))?.stdout ?? ""
            for pid in panes.split(separator: "\n").compactMap({ Int32($0) }) { Foundation.kill(pid, SIGKILL) }
            _ = try? await run(["kill-server"])
        }
    }

    /// The line the cursor is on: the prompt and what is typed.
    static func promptLine(_ screen: String) -> String {
        screen.split(separator: "\n").last(where: { $0.hasPrefix("rtctl:") }).map(String.init) ?? ""
    }

    @Test("type commands, see events above the prompt, complete with Tab, recall history across runs")
    func prompt() async throws {
        let server = try await TestServer()
        let terminal = try Terminal()
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("rtctl-prompt-\(UUID())")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: state) }
        let command =
            "env HOME='\(state.path)' XDG_STATE_HOME='\(state.path)/state' TERM=xterm INPUTRC=/dev/null "
            + "'\(Subprocess.rtctl.path)' connect \(server.endpoint) --player-session-id alice; "
            + "echo \"exit status $?\"; exec sleep 60"
        do {
            try await terminal.start(command)
            let first = try await terminal.waitFor("the prompt") { Self.promptLine($0).hasPrefix("rtctl:") }
            #expect(first.contains("type help for the commands"))
            #expect(first.contains(#""event":"connected""#))

            // A short command; its answer appears above the prompt.
            try await terminal.type("join 2", "Enter")
            try await terminal.type("members 2", "Enter")
            try await terminal.waitFor("the membership of group 2") {
                $0.contains(#""event":"groupMembership","group":2"#)
            }

            // An event arriving while a line is half typed: printed above, the typed text kept on the prompt line.
            try await terminal.type("send 10 half typ")
            try await terminal.waitFor("the typed text") { Self.promptLine($0).hasSuffix("send 10 half typ") }
            let other = try await Subprocess.rtctl([
                "send", server.endpoint, "--opcode", "10", "--group", "2", "--reliable", "--payload", "from bob",
            ])
            #expect(other.status == 0, "\(other.stderr)")
            let screen = try await terminal.waitFor("bob's message") { $0.contains(#""payload":"from bob""#) }
            #expect(Self.promptLine(screen).hasSuffix("> send 10 half typ"), "the prompt line: \(screen)")
            let lines = screen.split(separator: "\n")
            let eventIndex = try #require(lines.lastIndex(where: { $0.contains("from bob") }))
            let promptIndex = try #require(lines.lastIndex(where: { $0.hasPrefix("rtctl:") }))
            #expect(eventIndex < promptIndex, "the event is printed above the prompt")
            try await terminal.type("e to 99", "Enter")

            // Tab completes a command, then a known group id.
            try await terminal.type("mem", "Tab")
            try await terminal.waitFor("members completed") { Self.promptLine($0).hasSuffix("> members ") }
            try await terminal.type("Tab")
            try await terminal.waitFor("the group completed") { Self.promptLine($0).hasSuffix("> members 2 ") }
            try await terminal.type("C-u")

            // The up arrow recalls the previous command.
            try await terminal.type("Up")
            try await terminal.waitFor("the last command") {
                Self.promptLine($0).hasSuffix("> send 10 half type to 99")
            }
            try await terminal.type("C-u", "quit", "Enter")
            try await terminal.waitFor("the exit") { $0.contains("exit status 0") }
            await terminal.kill()

            // A second run finds the history of the first.
            let history = try String(contentsOfFile: state.path + "/state/rtctl/history", encoding: .utf8)
            #expect(history.contains("join 2\n") && history.hasSuffix("quit\n"), "history file: \(history)")
            try await terminal.start(command)
            try await terminal.waitFor("the prompt again") { Self.promptLine($0).hasPrefix("rtctl:") }
            try await terminal.type("Up", "Up")
            try await terminal.waitFor("history from the first run") {
                Self.promptLine($0).hasSuffix("> send 10 half type to 99")
            }
            try await terminal.type("C-u", "C-d")
            try await terminal.waitFor("the exit after Ctrl-D") { $0.contains("exit status 0") }
        } catch {
            await terminal.kill()
            try await server.stop()
            throw error
        }
        await terminal.kill()
        try await server.stop()
    }
}
