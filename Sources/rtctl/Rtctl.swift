import ArgumentParser
import Foundation

/// The `rtctl` command: a Realtime relay server and the clients to talk to it.
@main
struct Rtctl: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "rtctl",
        abstract: "A GameLift Realtime compatible relay server and command-line toolkit.",
        discussion: """
            rtctl serves a Realtime game session (WebSocket + UDP, byte-compatible with the \
            Amazon GameLift Realtime Client SDK) and talks to one from the command line. Data goes \
            to standard output as JSON lines; logs and errors go to standard error.

            The logging options --log-level, -q/--quiet and --log-format may come before or after the \
            subcommand.

            Exit status: 0 success, 1 runtime failure, 3 could not connect or login refused, \
            4 connection closed by the server, 64 usage error, 65 bad input with --strict, \
            99 bench threshold crossed, 124 timeout.

            Client commands take the server's endpoint as their first argument (HOST:PORT, [IPv6]:PORT, \
            ws://HOST:PORT[/path], or wss://… for secure mode) or with --endpoint, else from RTCTL_ENDPOINT, else \
            127.0.0.1:1900; the player session id comes from --player-session-id, else RTCTL_PLAYER_SESSION_ID, \
            else a generated one.

            Secure mode (wss on the WebSocket, DTLS 1.2 on the fast port, as the SDK's RT_OVER_WSS_DTLS_TLS12): \
            rtctl cert writes a CA and a server certificate for local testing, serve --tls-cert/--tls-key serves \
            with them, and client commands trust the CA with --tls-ca.

            Examples:
              rtctl serve
              rtctl serve --port 0 --host 127.0.0.1 | jq -r .tcpPort
              rtctl listen --join 2
              rtctl send --opcode 10 --group 2 --payload hello
              rtctl connect
              rtctl groups members -1
              rtctl cert 127.0.0.1 && rtctl serve --tls-cert server.pem --tls-key server-key.pem
            """,
        version: Rtctl.version,
        subcommands: [
            Serve.self, Connect.self, Send.self, Listen.self, Groups.self, Bench.self, Replay.self, Cert.self,
        ]
    )

    /// Parses the command line, runs the command and exits with the status CLI.md assigns.
    ///
    /// Replaces ArgumentParser's `main()` so that a usage error is one line on stderr (not the whole usage
    /// text) and so that runtime errors map to the documented exit codes.
    static func main() async {
        let arguments = Groups.rewritingNegativeGroup(
            LoggingOptions.hoistingGlobalOptions(
                Array(CommandLine.arguments.dropFirst()),
                subcommands: configuration.subcommands.map { $0._commandName }
            )
        )
        let command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            exit(reportingParseError: error, arguments: arguments)
        }
        do {
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                var command = command
                try command.run()
            }
        } catch {
            exit(reportingRunError: error)
        }
        Foundation.exit(ExitCode.success.rawValue)
    }

    private static func exit(reportingParseError error: any Error, arguments: [String]) -> Never {
        let code = exitCode(for: error)
        if code == .success {
            // --help, --version, --generate-completion-script, --experimental-dump-help: data for stdout.
            let text = fullMessage(for: error)
            StandardStreams.writeToStandardOutput(text.hasSuffix("\n") || text.isEmpty ? text : text + "\n")
            Foundation.exit(code.rawValue)
        }
        let message = oneLine(message(for: error))
        let subcommand = configuration.subcommands.map { $0._commandName }.first { $0 == arguments.first }
        let helpCommand = ["rtctl", subcommand, "--help"].compactMap(\.self).joined(separator: " ")
        StandardStreams.writeToStandardError("rtctl: error: \(message) (see '\(helpCommand)')\n")
        Foundation.exit(code == .validationFailure ? RtctlExit.usage.rawValue : code.rawValue)
    }

    private static func exit(reportingRunError error: any Error) -> Never {
        if exitCode(for: error) == .success {
            // `rtctl` without a subcommand, or a help request raised while running: help on stdout.
            let text = fullMessage(for: error)
            StandardStreams.writeToStandardOutput(text.hasSuffix("\n") || text.isEmpty ? text : text + "\n")
            Foundation.exit(ExitCode.success.rawValue)
        }
        switch error {
        case let error as RtctlError:
            StandardStreams.writeToStandardError("rtctl: error: \(oneLine(error.description))\n")
            Foundation.exit(error.exitCode.rawValue)
        case let code as ExitCode:
            Foundation.exit(code.rawValue)
        case let error as ValidationError:
            StandardStreams.writeToStandardError("rtctl: error: \(oneLine(error.message))\n")
            Foundation.exit(RtctlExit.usage.rawValue)
        default:
            StandardStreams.writeToStandardError("rtctl: error: \(oneLine(String(describing: error)))\n")
            Foundation.exit(RtctlExit.failure.rawValue)
        }
    }

    /// Error messages are one line: later lines (ArgumentParser's usage hints) are dropped.
    static func oneLine(_ message: String) -> String {
        let first = message.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? ""
        let trimmed = first.hasPrefix("Error: ") ? String(first.dropFirst("Error: ".count)) : first
        return trimmed.isEmpty ? "invalid arguments" : trimmed
    }
}
