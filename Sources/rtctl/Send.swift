import ArgumentParser
import Foundation
import Logging
import RealtimeClient
import RealtimeProtocol
import Synchronization

extension Rtctl {
    /// `rtctl send`: connect, send, flush, disconnect.
    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Connect, send one message (from flags) or the actions on standard input, flush and disconnect.",
            discussion: """
                With --opcode, send builds one message from its flags and sends it --repeat times, --interval \
                apart. The message goes to --to PLAYER (-1: the server script) or --group GROUP (-1: every \
                player); with neither it goes to every player (--group -1). It is fast (UDP once the \
                association is up, like the SDK's default) unless --reliable is given; fast messages can be \
                lost, reliable ones cannot.

                Without --opcode, send reads actions from standard input, one JSON object per line, exactly \
                like a piped rtctl connect (see rtctl-connect(1) for the forms), from a pipe or a regular file \
                (rtctl send < actions.jsonl). A malformed line is reported on standard error with its line \
                number and skipped; with --strict it ends the command with exit status 65.

                Before disconnecting (close code 1000), send waits until every reliable message was written to \
                the server's socket: exit status 0 means everything was handed to the server. --wait-for OPCODE \
                then waits for one message with that op code (it may arrive while sending), prints it as a JSON \
                line on standard output and exits 0; nothing else is printed.

                Exit status: 0 everything sent (and the reply printed); 3 could not connect or the login was \
                refused; 4 the server closed the connection first; 65 a malformed line with --strict; 124 \
                --timeout expired first.

                Examples:
                  rtctl send --opcode 10 --payload hello --group 2
                  rtctl send 127.0.0.1:1900 --opcode 10 --to 3 --reliable --payload-json '{"x":1}'
                  rtctl send --opcode 1 --to -1 --data '{"1":7,"2":"text"}' --wait-for 2 --timeout 5s
                  rtctl send --opcode 10 --group -1 --reliable --repeat 1000 --interval 10ms
                  rtctl send --strict < actions.jsonl
                """
        )

        @OptionGroup
        var client: ClientFlags

        @Option(
            name: .customLong("opcode"),
            parsing: .unconditional,
            help: ArgumentHelp("Send one message with this op code (from the flags below).", valueName: "n")
        )
        var opCode: Int32?

        @Option(help: ArgumentHelp("The message's payload as UTF-8 text.", valueName: "text"))
        var payload: String?

        @Option(help: ArgumentHelp("The payload as base64.", valueName: "base64"))
        var payloadBase64: String?

        @Option(help: ArgumentHelp("The payload as hexadecimal digits.", valueName: "hex"))
        var payloadHex: String?

        @Option(help: ArgumentHelp("The payload as a JSON value, sent as its compact text.", valueName: "json"))
        var payloadJson: String?

        @Option(help: ArgumentHelp(#"The payload as RTData, e.g. '{"1":7,"2":"text"}'."#, valueName: "rtdata-json"))
        var data: String?

        @Option(
            parsing: .unconditional,
            help: ArgumentHelp("Send to this player (-1: the server script).", valueName: "player")
        )
        var to: Int32?

        @Option(
            parsing: .unconditional,
            help: ArgumentHelp("Send to this group (-1: every player).", valueName: "group")
        )
        var group: Int32?

        @Flag(help: "Send on the reliable channel (the WebSocket).")
        var reliable = false

        @Option(name: .customLong("repeat"), help: ArgumentHelp("Send the message this many times.", valueName: "n"))
        var repeatCount = 1

        @Option(help: ArgumentHelp("How long to wait between repeats.", valueName: "duration"))
        var interval = DurationArgument(.zero)

        @Option(
            parsing: .unconditional,
            help: ArgumentHelp("Wait for one message with this op code and print it.", valueName: "opcode")
        )
        var waitFor: Int32?

        @Option(help: ArgumentHelp("Give up after this long in all (exit 124).", valueName: "duration"))
        var timeout: DurationArgument?

        @Flag(help: "A malformed input line ends the command (exit 65) instead of being skipped.")
        var strict = false

        @OptionGroup
        var logging: LoggingOptions

        func validate() throws {
            _ = try message()
            if opCode == nil, repeatCount != 1 || interval.nanoseconds != 0 {
                throw ValidationError("--repeat and --interval need --opcode")
            }
            guard repeatCount >= 1 else { throw ValidationError("--repeat \(repeatCount) must be at least 1") }
        }

        /// The message the flags describe; nil without --opcode.
        func message() throws -> OutgoingMessage? {
            let payloads: [(String, String?)] = [
                ("--payload", payload), ("--payload-base64", payloadBase64), ("--payload-hex", payloadHex),
                ("--payload-json", payloadJson), ("--data", data),
            ]
            let given = payloads.filter { $0.1 != nil }.map(\.0)
            guard let opCode else {
                if let flag = given.first
                    ?? (to != nil ? "--to" : group != nil ? "--group" : reliable ? "--reliable" : nil)
                {
                    throw ValidationError("\(flag) needs --opcode (without it, send reads actions from stdin)")
                }
                return nil
            }
            guard given.count <= 1 else {
                throw ValidationError("\(given.joined(separator: " and ")): give at most one payload")
            }
            var message = OutgoingMessage(
                opCode: opCode,
                targetPlayer: to,
                targetGroup: group ?? (to == nil ? -1 : nil),
                reliable: reliable
            )
            if let payload { message.payload = .bytes(Array(payload.utf8)) }
            if let payloadBase64 {
                guard let bytes = Base64.decode(payloadBase64) else {
                    throw ValidationError("--payload-base64: not valid base64")
                }
                message.payload = .bytes(bytes)
            }
            if let payloadHex {
                guard let bytes = Hex.decode(payloadHex) else {
                    throw ValidationError("--payload-hex: expected pairs of hexadecimal digits")
                }
                message.payload = .bytes(bytes)
            }
            do {
                if let payloadJson {
                    message.payload = .bytes(Array(try JSONValue.parse(Array(payloadJson.utf8)).compactText.utf8))
                }
                if let data {
                    message.payload = .rtData(try RTData(json: try JSONValue.parse(Array(data.utf8)), path: "data"))
                }
            } catch {
                throw ValidationError("\(given[0]): \(error)")
            }
            let size = try message.payloadBuffer().readableBytes
            guard size <= RealtimeConstants.maxPayload else {
                throw ValidationError("the payload is \(size) bytes; the limit is \(RealtimeConstants.maxPayload)")
            }
            return message
        }

        func run() async throws {
            logging.bootstrap(default: .notice, environment: ProcessInfo.processInfo.environment)
            let logger = Logger(label: "rtctl")
            let message = try self.message()
            let connection = try await client.connect(logger: logger)
            let control = ConnectionControl(client: connection)
            TerminationSignals.handle { control.stop(.interrupted) }
            let timer = control.stop(after: timeout?.duration)
            defer { timer?.cancel() }
            let output = EventOutput(writer: LineWriter(descriptor: STDOUT_FILENO), payloadFormat: client.payloadFormat)
            let progress = SendProgress(waitingForReply: waitFor != nil)
            let finished: @Sendable () -> Void = {
                if progress.sendingDone() { control.stop(.finished) }
            }
            let sender: Task<Void, Never>
            if let message {
                let (count, interval) = (repeatCount, interval.duration)
                sender = Task {
                    do {
                        for index in 0..<count {
                            if index > 0, interval > .zero { try await Task.sleep(for: interval) }
                            try await connection.perform(.send(message))
                        }
                        try await connection.flush()
                        finished()
                    } catch {
                        logger.debug("sending stopped", metadata: ["error": "\(error)"])
                    }
                }
            } else {
                sender = ActionRunner.start(
                    client: connection,
                    control: control,
                    strict: strict,
                    logger: logger,
                    finished: finished
                )
            }
            for await event in connection.events {
                guard case .message(let packet) = event, packet.opCode.rawValue == waitFor else { continue }
                if progress.replied() {
                    try output.print(event)
                    try output.flush()
                    if progress.isSendingDone { control.stop(.finished) }
                }
            }
            sender.cancel()
            try output.flush()
            switch control.stopReason {
            case nil:
                throw RtctlError.closedByServer("send: the server closed the connection before everything was sent")
            case .finished:
                return
            case .timeout:
                let what = progress.isSendingDone ? "waiting for a reply with op code \(waitFor ?? 0)" : "sending"
                throw RtctlError.timeout("send: --timeout expired while \(what)")
            case .interrupted, .idle:
                throw RtctlError.runtime("send: interrupted before everything was sent")
            case .failed(let error):
                throw error
            }
        }
    }
}

/// Whether `send` is done: everything sent and flushed, and the reply printed when one is awaited.
final class SendProgress: Sendable {
    private struct State {
        var sent = false
        var replied: Bool
    }

    private let state: Mutex<State>

    init(waitingForReply: Bool) {
        state = Mutex(State(replied: !waitingForReply))
    }

    /// Records that everything was sent; true when the command is now done.
    func sendingDone() -> Bool {
        state.withLock { state in
            state.sent = true
            return state.replied
        }
    }

    /// Records a reply; true for the first one (the one to print).
    func replied() -> Bool {
        state.withLock { state in
            defer { state.replied = true }
            return !state.replied
        }
    }

    var isSendingDone: Bool { state.withLock { $0.sent } }
}
