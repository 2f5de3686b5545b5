import Logging
import NIOCore

/// What the script host sends, as the server takes it in, on the bridge's event loop: answers complete their calls,
/// requests go to `onRequest` in the order the script made them, output lines go to the log.
struct FrameReceiver: Sendable {
    let state: NIOLoopBoundBox<BridgeState>
    let logger: Logger
    let onRequest: @Sendable (ScriptRequest) -> Void

    /// A frame from the host.
    func received(_ frame: BridgeFrame) throws {
        switch frame.kind {
        case .result:
            let value = try frame.decodeResult()
            state.value.answered(frame.id)?(.success(value))
        case .send:
            let send = try frame.decodeSend()
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
        case .ready:
            let description = try frame.decodeHeader(as: ScriptDescription.self)
            state.value.ready?.succeed(description)
            state.value.ready = nil
        case .failed:
            let failure = try frame.decodeHeader(as: FailedHeader.self)
            let detail = failure.stack.map { "\n" + $0 } ?? ""
            state.value.ready?.fail(ScriptError(.startFailed, failure.message + detail))
            state.value.ready = nil
        case .broadcastMembership:
            let broadcast = try frame.decodeHeader(as: BroadcastHeader.self)
            onRequest(.broadcastMembership(group: broadcast.group, targetGroup: broadcast.targetGroup))
        case .hung:
            let hook = try frame.decodeHeader(as: HungHeader.self).hook
            // A start-up callback that hangs means no `ready` will come: the start fails.
            if let ready = state.value.ready {
                state.value.ready = nil
                ready.fail(ScriptError(.startFailed, "script callback \(hook) did not return in time"))
                return
            }
            onRequest(.hung(hook: hook))
        case .terminated:
            if let termination = state.value.termination {
                state.value.termination = nil
                termination.deadline.cancel()
                termination.promise.succeed()
            }
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

    /// The bridge broke on a frame it could not read or take: a bug of the host or of the server, never the script's.
    func failed(_ error: any Error) {
        logger.error("script host bridge broken, closing it: \(error)")
    }

    /// A line the host wrote on stdout (script `console.log`) or stderr.
    func output(_ line: String, isError: Bool) {
        if isError { state.value.keepErrorLine(line) }
        logger.log(level: isError ? .warning : .info, "\(line)", metadata: ["source": "script"])
    }

    /// The host process exited: every waiter is released, and the exit is reported.
    func hostExited(status: Int32) {
        let (calls, exitWaiters) = state.value.exited(status: status)
        for waiter in exitWaiters { waiter.succeed(status) }
        let failure = ScriptError(.hostFailed, "the script host exited with status \(status)")
        for call in calls { call.completion(.failure(failure)) }
        if let ready = state.value.ready {
            state.value.ready = nil
            ready.fail(ScriptError(.startFailed, state.value.startFailure(status: status)))
        }
        if let termination = state.value.termination {
            state.value.termination = nil
            termination.deadline.cancel()
            termination.promise.succeed()
        }
        onRequest(.exited(status: status, lastErrors: Array(state.value.lastErrors)))
    }
}

extension BridgeFrame {
    /// The value of a `result` frame: `{"value":true}` or `{"value":false}` as the host writes them, without a JSON
    /// decoder on the hot path; anything else is decoded.
    func decodeResult() throws -> Bool {
        let view = header.readableBytesView
        if view.elementsEqual(Self.resultTrue) { return true }
        if view.elementsEqual(Self.resultFalse) { return false }
        return try decodeHeader(as: ResultHeader.self).value == true
    }

    /// A send header's fields, in the order ``decodeSend()`` numbers them.
    private static let sendFields = ["opCode", "sender", "targetPlayer", "targetGroup", "reliable"]
    private static let resultTrue = Array(#"{"value":true}"#.utf8)
    private static let resultFalse = Array(#"{"value":false}"#.utf8)

    /// The header of a `send` frame, `{"opCode":1,"sender":-1,"targetPlayer":0,"targetGroup":2,"reliable":true}` as the
    /// host writes it, read without a JSON decoder (a script may send once per message); any other shape goes to the
    /// decoder, which gives the same value or the error.
    func decodeSend() throws -> SendHeader {
        var send = SendHeader(opCode: 0)
        var hasOpCode = false
        // Fields read so far, one bit each: a repeated one goes to the decoder, which keeps the first value.
        var seen: UInt8 = 0
        let read = header.readFlatJSONObject { key, value in
            guard let field = Self.sendFields.firstIndex(of: key) else { return true }
            guard seen & (1 << field) == 0 else { return false }
            seen |= 1 << field
            switch field {
            case 0:
                guard case .integer(let number) = value, let opCode = Int32(exactly: number) else { return false }
                send.opCode = opCode
                hasOpCode = true
                return true
            case 1: return value.read(into: &send.sender)
            case 2: return value.read(into: &send.targetPlayer)
            case 3: return value.read(into: &send.targetGroup)
            default: return value.read(into: &send.reliable)
            }
        }
        guard read, hasOpCode else { return try decodeHeader(as: SendHeader.self) }
        return send
    }
}

private struct FailedHeader: Decodable {
    var message: String
    var stack: String?
}

private struct ResultHeader: Decodable {
    var value: Bool?
}

struct SendHeader: Decodable, Equatable {
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
