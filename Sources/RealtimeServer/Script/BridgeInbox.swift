import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The state of the channel to the script host: calls awaiting an answer, the start-up and termination waits, and the
/// host's last stderr lines. Frames from the host arrive here through ``BridgeHandler``.
final class BridgeInbox: Sendable {
    private struct Pending {
        var hook: String
        var continuation: CheckedContinuation<Bool, any Error>
        var timeout: Scheduled<Void>?
    }

    private struct State {
        var nextId: UInt32 = 1
        var pending: [UInt32: Pending] = [:]
        var ready: CheckedContinuation<ScriptDescription, any Error>?
        var termination: (waiter: CheckedContinuation<Void, Never>, deadline: Scheduled<Void>?)?
        var lastErrors: [String] = []
        var exited = false
        var exitStatus: Int32?
        var exitWaiters: [CheckedContinuation<Int32, Never>] = []
    }

    /// How many of the host's stderr lines are kept for the log when it dies.
    static let keptErrorLines = 20

    private let state = NIOLockedValueBox(State())
    /// Called on the bridge's event loop, in the order the script made its requests, before any later call's
    /// answer is delivered (so a message sent from `onPlayerConnect` is handed over before the login is decided).
    private let onRequest: @Sendable (ScriptRequest) -> Void
    private let logger: Logger

    init(logger: Logger, onRequest: @escaping @Sendable (ScriptRequest) -> Void) {
        self.onRequest = onRequest
        self.logger = logger
    }

    /// Sends the start frame with `send` and waits for the script's `ready` (or its failure).
    func waitForReady(send: @Sendable () throws -> Void) async throws -> ScriptDescription {
        try await withCheckedThrowingContinuation { continuation in
            let exited = state.withLockedValue { state in
                if state.exited { return true }
                state.ready = continuation
                return false
            }
            if exited {
                continuation.resume(throwing: ScriptError(.startFailed, startFailure()))
                return
            }
            do {
                try send()
            } catch {
                state.withLockedValue { $0.ready = nil }
                continuation.resume(throwing: error)
            }
        }
    }

    /// Registers a call, sends it with `send(id)` (which returns its timeout), and waits for the answer.
    func call(hook: String, send: @Sendable (UInt32) throws -> Scheduled<Void>) async throws -> Bool {
        try await withCheckedThrowingContinuation { continuation in
            let id: UInt32? = state.withLockedValue { state in
                guard !state.exited else { return nil }
                let id = state.nextId
                state.nextId &+= 1
                if state.nextId == 0 { state.nextId = 1 }
                state.pending[id] = Pending(hook: hook, continuation: continuation, timeout: nil)
                return id
            }
            guard let id else {
                continuation.resume(throwing: ScriptError(.hostFailed, "the script host is not running"))
                return
            }
            do {
                let timeout = try send(id)
                let stillPending = state.withLockedValue { state -> Bool in
                    guard state.pending[id] != nil else { return false }
                    state.pending[id]!.timeout = timeout
                    return true
                }
                if !stillPending { timeout.cancel() }
            } catch {
                if let pending = state.withLockedValue({ $0.pending.removeValue(forKey: id) }) {
                    pending.continuation.resume(throwing: error)
                }
            }
        }
    }

    /// The call `id` ran out of time.
    func timeOut(_ id: UInt32) {
        guard let pending = state.withLockedValue({ $0.pending.removeValue(forKey: id) }) else { return }
        pending.continuation.resume(
            throwing: ScriptError(.hookTimedOut, "script callback \(pending.hook) did not return in time")
        )
    }

    /// Sends the terminate notification with `send` (which returns the grace deadline) and waits for the script to
    /// finish `onProcessTerminate`, for the deadline, or for the host to exit.
    func waitForTermination(send: @Sendable () -> Scheduled<Void>) async {
        await withCheckedContinuation { continuation in
            let exited = state.withLockedValue { state in
                if state.exited { return true }
                state.termination = (continuation, nil)
                return false
            }
            if exited {
                continuation.resume()
                return
            }
            let deadline = send()
            let stillWaiting = state.withLockedValue { state -> Bool in
                guard state.termination != nil else { return false }
                state.termination!.deadline = deadline
                return true
            }
            if !stillWaiting { deadline.cancel() }
        }
    }

    /// `onProcessTerminate` finished, or its grace ran out.
    func terminated() {
        guard
            let termination = state.withLockedValue({ state in
                defer { state.termination = nil }
                return state.termination
            })
        else { return }
        termination.deadline?.cancel()
        termination.waiter.resume()
    }

    /// A frame from the host (on the bridge's event loop).
    func received(_ frame: BridgeFrame) throws {
        switch frame.kind {
        case .ready:
            let description = try frame.decodeHeader(as: ScriptDescription.self)
            state.withLockedValue { state in
                defer { state.ready = nil }
                return state.ready
            }?.resume(returning: description)
        case .failed:
            let failure = try frame.decodeHeader(as: FailedHeader.self)
            let detail = failure.stack.map { "\n" + $0 } ?? ""
            state.withLockedValue { state in
                defer { state.ready = nil }
                return state.ready
            }?
            .resume(throwing: ScriptError(.startFailed, failure.message + detail))
        case .result:
            let result = try frame.decodeHeader(as: ResultHeader.self)
            guard let pending = state.withLockedValue({ $0.pending.removeValue(forKey: frame.id) }) else { return }
            pending.timeout?.cancel()
            pending.continuation.resume(returning: result.value == true)
        case .send:
            let send = try frame.decodeHeader(as: SendHeader.self)
            onRequest(
                .send(
                    opCode: send.opCode,
                    sender: send.sender ?? -1,
                    targetPlayer: send.targetPlayer ?? 0,
                    targetGroup: send.targetGroup ?? 0,
                    reliable: send.reliable ?? false,
                    payload: frame.payload
                )
            )
        case .broadcastMembership:
            let broadcast = try frame.decodeHeader(as: BroadcastHeader.self)
            onRequest(.broadcastMembership(group: broadcast.group, targetGroup: broadcast.targetGroup))
        case .hung:
            let hook = try frame.decodeHeader(as: HungHeader.self).hook
            // A start-up callback that hangs means no `ready` will come: the start fails.
            if let ready = state.withLockedValue({ state in
                defer { state.ready = nil }
                return state.ready
            }) {
                ready.resume(throwing: ScriptError(.startFailed, "script callback \(hook) did not return in time"))
                return
            }
            onRequest(.hung(hook: hook))
        case .terminated:
            terminated()
        case .log:
            let log = try frame.decodeHeader(as: LogHeader.self)
            logger.log(level: log.swiftLogLevel, "\(log.message)", metadata: ["source": "script"])
        case .end:
            onRequest(.end(code: try frame.decodeHeader(as: EndHeader.self).code ?? 0))
        case .opCodes:
            onRequest(.opCodes(try frame.decodeHeader(as: OpCodesHeader.self).opCodes))
        default:
            logger.warning("script host sent an unknown frame kind \(frame.kind)")
        }
    }

    /// A line the host wrote on stdout (script `console.log`) or stderr.
    func output(_ line: String, isError: Bool) {
        if isError {
            state.withLockedValue { state in
                state.lastErrors.append(line)
                if state.lastErrors.count > Self.keptErrorLines { state.lastErrors.removeFirst() }
            }
        }
        logger.log(level: isError ? .warning : .info, "\(line)", metadata: ["source": "script"])
    }

    /// Waits until the host process has exited and returns its exit status.
    func waitForExit() async -> Int32 {
        await withCheckedContinuation { continuation in
            let status = state.withLockedValue { state -> Int32? in
                if let status = state.exitStatus { return status }
                state.exitWaiters.append(continuation)
                return nil
            }
            if let status { continuation.resume(returning: status) }
        }
    }

    /// The host process exited: every waiter is released, and the exit is reported.
    func hostExited(status: Int32) {
        let (pending, ready, termination, lastErrors, exitWaiters) = state.withLockedValue { state in
            state.exited = true
            state.exitStatus = status
            defer {
                state.pending = [:]
                state.ready = nil
                state.termination = nil
                state.exitWaiters = []
            }
            return (state.pending, state.ready, state.termination, state.lastErrors, state.exitWaiters)
        }
        for waiter in exitWaiters { waiter.resume(returning: status) }
        let failure = ScriptError(.hostFailed, "the script host exited with status \(status)")
        for (_, call) in pending {
            call.timeout?.cancel()
            call.continuation.resume(throwing: failure)
        }
        ready?.resume(throwing: ScriptError(.startFailed, startFailure(status: status)))
        termination?.deadline?.cancel()
        termination?.waiter.resume()
        onRequest(.exited(status: status, lastErrors: lastErrors))
    }

    private func startFailure(status: Int32? = nil) -> String {
        let lines = state.withLockedValue { $0.lastErrors }
        let exit = status.map { " (exit status \($0))" } ?? ""
        return "the script host exited before the script started\(exit)"
            + (lines.isEmpty ? "" : ":\n" + lines.joined(separator: "\n"))
    }
}

private struct FailedHeader: Decodable {
    var message: String
    var stack: String?
}

private struct ResultHeader: Decodable {
    var value: Bool?
}

private struct SendHeader: Decodable {
    var opCode: Int32
    var sender: Int32?
    var targetPlayer: Int32?
    var targetGroup: Int32?
    var reliable: Bool?
}

private struct BroadcastHeader: Decodable {
    var group: Int32
    var targetGroup: Int32
}

private struct HungHeader: Decodable {
    var hook: String
}

private struct EndHeader: Decodable {
    var code: Int32?
}

private struct OpCodesHeader: Decodable {
    var opCodes: [Int32]
}

private struct LogHeader: Decodable {
    var level: String
    var message: String

    var swiftLogLevel: Logger.Level {
        switch level {
        case "debug": return .debug
        case "info": return .info
        case "warn", "warning": return .warning
        case "error": return .error
        default: return .critical
        }
    }
}

/// Hands the host's frames to the inbox; a malformed frame breaks the channel (the host is ours, so that is a bug).
final class BridgeHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = BridgeFrame

    private let inbox: BridgeInbox

    init(inbox: BridgeInbox) {
        self.inbox = inbox
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        do {
            try inbox.received(unwrapInboundIn(data))
        } catch {
            context.fireErrorCaught(error)
            context.close(promise: nil)
        }
    }
}

/// Splits the host's stdout or stderr into lines for the log.
final class ScriptOutputHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let inbox: BridgeInbox
    private let isError: Bool
    private var partial = ByteBuffer()

    init(inbox: BridgeInbox, isError: Bool) {
        self.inbox = inbox
        self.isError = isError
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        partial.writeBuffer(&buffer)
        while let newline = partial.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let line = partial.readString(length: newline - partial.readerIndex)!
            partial.moveReaderIndex(forwardBy: 1)
            inbox.output(line, isError: isError)
        }
        partial.discardReadBytes()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if partial.readableBytes > 0, let line = partial.readString(length: partial.readableBytes) {
            inbox.output(line, isError: isError)
        }
        context.fireChannelInactive()
    }
}
