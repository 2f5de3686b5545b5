import ArgumentParser
import Foundation
import Logging
import RealtimeClient

extension Rtctl {
    /// `rtctl connect`: one player session, piped or interactive.
    struct Connect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Connect as one player: actions in, events out (an interactive prompt on a terminal).",
            discussion: """
                Piped (standard input not a terminal): every input line is an action and every event an output \
                line, both JSON objects. Actions:
                  {"opCode":10,"targetPlayer":3,"payload":"hello"}
                  {"opCode":10,"targetGroup":2,"reliable":true,"payload":"hi"}
                  {"opCode":10,"targetPlayer":-1,"payloadBase64":"AAEC"}
                  {"opCode":10,"targetGroup":-1,"data":{"1":7,"2":"text","3":{"double":1.5}}}
                  {"action":"joinGroup","group":2}   (also leaveGroup, requestGroupMembership)
                  {"action":"sleep","ms":100}
                A message is fast (UDP once the association is up, like the SDK) unless "reliable":true. \
                Payload fields: payload (UTF-8 text), payloadBase64, payloadHex, payloadJSON (any JSON value, \
                sent as its compact text) and data (GameSparks RTData: slots "1" to "127" holding an integer, a \
                string, {"double":x}, {"float":x}, {"vector":[x,y,z,w]} or {"data":{…}}). Unknown fields are \
                errors. A malformed line is reported on standard error with its line number and skipped; \
                --strict makes it fatal (exit 65).

                Events:
                  {"event":"connected","peerId":3,"fastPort":1900,"time":"…"}
                  {"event":"fastReady","time":"…"}
                  {"event":"message","opCode":10,"sender":3,"targetPlayer":0,"targetGroup":2,\
                "reliable":false,"payload":"hi","time":"…"}
                  {"event":"groupMembership","group":2,"players":[3,5],"time":"…"}
                  {"event":"disconnected","reason":"closed by server (1008: game session full)",\
                "code":1008,"time":"…"}
                A message's "reliable" tells which channel delivered it. Its payload is printed as "payload" \
                when it is UTF-8 text and as "payloadBase64" otherwise; --payload-format forces base64, hex, \
                rtdata ("data") or json ("payloadJSON"). Times are UTC with microseconds.

                At the end of standard input, connect waits until every reliable message was written to the \
                server, closes the connection (1000), prints the "disconnected" event and exits 0. Exit 4 when \
                the server closes the connection first, 3 when the login fails.

                On a terminal, connect shows a prompt (GNU readline: line editing, history kept in \
                $XDG_STATE_HOME/rtctl/history or ~/.local/state/rtctl/history, Tab completion of commands, \
                group ids and player ids) and prints incoming events above it without disturbing the line \
                being typed. It takes the JSON actions above and these short commands:
                  send OPCODE [TEXT] [to PLAYER | group GROUP | server] [reliable]
                  join GROUP, leave GROUP, members GROUP, help, quit
                A short send without a target goes to every player (group -1). quit, Ctrl-D, SIGINT or \
                SIGTERM closes the connection and exits 0.

                Examples:
                  rtctl connect 127.0.0.1:1900
                  echo '{"opCode":10,"targetGroup":-1,"reliable":true,"payload":"hi"}' | rtctl connect
                  rtctl connect --player-session-id alice < actions.jsonl > events.jsonl
                """
        )

        @OptionGroup
        var client: ClientFlags

        @Flag(help: "A malformed input line ends the command (exit 65) instead of being skipped.")
        var strict = false

        @OptionGroup
        var logging: LoggingOptions

        func run() async throws {
            logging.bootstrap(default: .notice, environment: ProcessInfo.processInfo.environment)
            let logger = Logger(label: "rtctl")
            let interactive = StandardStreams.isTerminal(STDIN_FILENO) && StandardStreams.isTerminal(STDOUT_FILENO)
            let connection = try await client.connect(logger: logger)
            let control = ConnectionControl(client: connection)
            TerminationSignals.handle { control.stop(.interrupted) }
            if interactive {
                let session = InteractiveSession(
                    control: control,
                    encoder: EventEncoder(payloadFormat: client.payloadFormat),
                    logger: logger
                )
                await session.run()
            } else {
                try await runPiped(control, logger: logger)
            }
            switch control.stopReason {
            case nil: throw RtctlError.closedByServer("connect: the server closed the connection")
            case .finished, .interrupted, .idle, .timeout: return
            case .failed(let error): throw error
            }
        }

        private func runPiped(_ control: ConnectionControl, logger: Logger) async throws {
            let output = EventOutput(writer: LineWriter(descriptor: STDOUT_FILENO), payloadFormat: client.payloadFormat)
            let input = ActionRunner.start(client: control.client, control: control, strict: strict, logger: logger) {
                control.stop(.finished)
            }
            defer { input.cancel() }
            for await event in control.client.events {
                try output.print(event, closedByClient: control.stopReason != nil)
            }
            try output.flush()
        }
    }
}
