import NIOCore
import NIOWebSocket
import RealtimeSession

/// The RFC 6455 rules the frame decoder leaves to us, checked on every frame a client sends before the frames are
/// aggregated: client frames are masked (§5.1), reserved bits are clear since no extension was negotiated (§5.2),
/// and a close frame carries no body, or a valid code with an optional UTF-8 reason (§5.5.1, §7.4).
///
/// A frame that breaks one is not passed on; a ``WebSocketViolation`` goes down the pipeline instead, and the player
/// handler closes with its code (1002, or 1007 for a reason that is not UTF-8). After that only close frames pass, so
/// the client's answer to our close frame still ends the connection at once.
final class StrictFrameValidator: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame

    private var violated = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        if violated {
            if frame.opcode == .connectionClose { context.fireChannelRead(data) }
            return
        }
        if let violation = Self.violation(in: frame) {
            violated = true
            context.fireErrorCaught(violation)
            return
        }
        context.fireChannelRead(data)
    }

    static func violation(in frame: WebSocketFrame) -> WebSocketViolation? {
        guard frame.maskKey != nil else {
            return WebSocketViolation(.protocolError, "unmasked client frame")
        }
        guard !frame.rsv1, !frame.rsv2, !frame.rsv3 else {
            return WebSocketViolation(.protocolError, "reserved bits set")
        }
        guard frame.opcode == .connectionClose else { return nil }
        var body = frame.unmaskedData
        switch body.readableBytes {
        case 0:
            return nil
        case 1:
            return WebSocketViolation(.protocolError, "close frame with a 1-byte body")
        default:
            let code = body.readInteger(as: UInt16.self)!
            guard isValidCloseCode(code) else {
                return WebSocketViolation(.protocolError, "close code \(code) is not allowed")
            }
            let reason = body.readBytes(length: body.readableBytes) ?? []
            guard String(validating: reason, as: UTF8.self) != nil else {
                return WebSocketViolation(.invalidPayload, "close reason is not UTF-8")
            }
            return nil
        }
    }

    /// Codes a close frame may carry (RFC 6455 §7.4.1 and the IANA registry): 1000–1003, 1007–1014, and the
    /// registered and private ranges 3000–4999. 1004–1006 and 1015 must never be sent; 1016–2999 are unassigned.
    static func isValidCloseCode(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1014, 3000...4999: return true
        default: return false
        }
    }
}

/// A frame that breaks RFC 6455, and the close code that answers it.
struct WebSocketViolation: Error, Hashable, CustomStringConvertible {
    var code: CloseCode
    var reason: String

    init(_ code: CloseCode, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    var description: String { reason }
}

extension CloseCode {
    /// 1007: the frame's data is not what its type says (a close reason that is not UTF-8).
    static let invalidPayload = CloseCode(rawValue: 1007)
}
