import NIOCore
import NIOWebSocket

/// RFC 6455 framing read straight from a connection's bytes: whole messages out, fragments joined, control frames
/// passed on as they come, the framing rules checked (masking, reserved bits, opcodes, control frames, fragment order,
/// sizes). Like NIO's frame decoder, it accepts a length written in a longer form than needed, and leaves text to the
/// caller (both callers refuse it).
///
/// It takes the place of a frame decoder followed by an aggregator on the hot path of a reader of many small
/// messages: a whole unmasked frame comes out as a slice of the bytes read, with no frame value, no copy and no hop
/// through another handler. The body of a close frame is the caller's to judge (its code and reason); everything else
/// that breaks the framing is a ``Violation`` with the close code that answers it, after which the reader reads nothing
/// more.
public struct WebSocketMessageReader {
    /// What a message was sent as.
    public enum Message: Hashable, Sendable {
        case binary(ByteBuffer)
        case text(ByteBuffer)
        case ping(ByteBuffer)
        case pong(ByteBuffer)
        case close(ByteBuffer)
    }

    /// A frame that breaks RFC 6455, and the close code that answers it (1002, or 1009 for one too big).
    public struct Violation: Error, Hashable, CustomStringConvertible {
        public var code: UInt16
        public var reason: String

        public init(_ code: UInt16, _ reason: String) {
            self.code = code
            self.reason = reason
        }

        public var description: String { reason }

        static func protocolError(_ reason: String) -> Violation { Violation(1002, reason) }
    }

    /// Whose frames are read: a server reads a client's frames, which must be masked (§5.1); a client reads a
    /// server's, which must not be.
    public enum Sender: Sendable {
        case client
        case server
    }

    private let sender: Sender
    private let maxMessageSize: Int
    private let maxFragments: Int
    /// Bytes read and not yet taken: the start of the next frame.
    private var unread = Self.nothing
    /// One empty buffer for every reader with nothing unread.
    private static let nothing = ByteBuffer()
    /// A fragmented message being joined: its opcode, its bytes so far and its frames so far.
    private var fragmented: (opcode: WebSocketOpcode, data: ByteBuffer, frames: Int)?
    private var violated = false

    /// - Parameters:
    ///   - maxMessageSize: the largest frame, and the largest message its fragments may add up to (1009 past it).
    ///   - maxFragments: the most frames one message may come in (1002 past it).
    public init(sender: Sender, maxMessageSize: Int, maxFragments: Int) {
        self.sender = sender
        self.maxMessageSize = maxMessageSize
        self.maxFragments = maxFragments
    }

    /// Bytes read from the connection, in order; dropped once the framing is broken. Kept as they are while every
    /// frame before them was whole. After the start of a frame left over from earlier reads they go to a buffer of the
    /// reader's own: the leftover and these bytes copied once into a new one while the leftover's buffer is shared
    /// (with the connection's receive buffers, or with payloads handed out), appended in place once it is not, with
    /// the bytes already taken dropped first. A frame trickling in over many reads is so copied in linear time.
    public mutating func append(_ bytes: ByteBuffer) {
        guard !violated else { return }
        guard unread.readableBytes > 0 else {
            unread = bytes
            return
        }
        let appended: Void? = unread.modifyIfUniquelyOwned { own in
            own.discardReadBytes()
            own.writeImmutableBuffer(bytes)
        }
        guard appended == nil else { return }
        var joined = ByteBufferAllocator().buffer(capacity: unread.readableBytes + bytes.readableBytes)
        joined.writeBuffer(&unread)
        joined.writeImmutableBuffer(bytes)
        unread = joined
    }

    /// The bytes read and not yet taken (the start of a frame).
    public var unreadBytes: Int { unread.readableBytes }

    /// The framing was broken: nothing more is read.
    public var isBroken: Bool { violated }

    /// The next whole message, or nil until more bytes come; throws the first ``Violation``, and again on every call
    /// after it.
    public mutating func next() throws(Violation) -> Message? {
        guard !violated else { throw .protocolError("the connection already broke the WebSocket framing") }
        do {
            return try readMessage()
        } catch {
            violated = true
            unread = Self.nothing
            fragmented = nil
            throw error
        }
    }

    private mutating func readMessage() throws(Violation) -> Message? {
        while let (opcode, fin, payload) = try readFrame() {
            switch opcode {
            case .connectionClose: return .close(payload)
            case .ping: return .ping(payload)
            case .pong: return .pong(payload)
            case .continuation:
                guard var message = fragmented else {
                    throw .protocolError("continuation frame with no message to continue")
                }
                fragmented = nil
                guard message.frames < maxFragments else {
                    throw .protocolError("message in more than \(maxFragments) frames")
                }
                var payload = payload
                message.data.writeBuffer(&payload)
                message.frames += 1
                guard fin else {
                    fragmented = message
                    continue
                }
                return Self.message(message.opcode, message.data)
            default:
                guard fragmented == nil else {
                    throw .protocolError("new message before the fragmented one ended")
                }
                guard fin else {
                    fragmented = (opcode, payload, 1)
                    continue
                }
                return Self.message(opcode, payload)
            }
        }
        // Every byte read is taken: hold on to none of the read's buffer, so that the connection can read into it
        // again, and an idle connection keeps no buffer alive.
        if unread.readableBytes == 0 { unread = Self.nothing }
        return nil
    }

    private static func message(_ opcode: WebSocketOpcode, _ data: ByteBuffer) -> Message {
        opcode == .text ? .text(data) : .binary(data)
    }

    /// The next whole frame (its opcode, FIN bit and unmasked payload), or nil until more bytes come (RFC 6455 §5.2).
    private mutating func readFrame() throws(Violation) -> (WebSocketOpcode, Bool, ByteBuffer)? {
        let start = unread.readerIndex
        guard let first = unread.getInteger(at: start, as: UInt8.self),
            let second = unread.getInteger(at: start + 1, as: UInt8.self)
        else { return nil }
        let fin = first & 0x80 != 0
        let opcode = WebSocketOpcode(encodedWebSocketOpcode: first & 0x0F)!
        guard first & 0x70 == 0 else { throw .protocolError("reserved bits set") }
        switch opcode {
        case .continuation, .text, .binary: break
        case .connectionClose, .ping, .pong:
            guard fin else { throw .protocolError("fragmented control frame") }
            guard second & 0x7F <= 125 else { throw .protocolError("control frame over 125 bytes") }
        default: throw .protocolError("unknown opcode \(first & 0x0F)")
        }
        let masked = second & 0x80 != 0
        switch (sender, masked) {
        case (.client, false): throw .protocolError("unmasked client frame")
        case (.server, true): throw .protocolError("masked server frame")
        default: break
        }
        var headerSize = 2
        var length = UInt64(second & 0x7F)
        if length == 126 {
            guard let extended = unread.getInteger(at: start + 2, as: UInt16.self) else { return nil }
            length = UInt64(extended)
            headerSize += 2
        } else if length == 127 {
            guard let extended = unread.getInteger(at: start + 2, as: UInt64.self) else { return nil }
            guard extended & (1 << 63) == 0 else { throw .protocolError("frame length with its top bit set") }
            length = extended
            headerSize += 8
        }
        guard length <= UInt64(maxMessageSize) else { throw Violation(1009, "frame over \(maxMessageSize) bytes") }
        if opcode == .continuation, let message = fragmented, message.data.readableBytes + Int(length) > maxMessageSize
        {
            throw Violation(1009, "message over \(maxMessageSize) bytes")
        }
        let key = masked ? unread.viewBytes(at: start + headerSize, length: 4).flatMap(WebSocketMaskingKey.init) : nil
        if masked { headerSize += 4 }
        guard masked == (key != nil), unread.readableBytes >= headerSize + Int(length) else { return nil }
        unread.moveReaderIndex(forwardBy: headerSize)
        var payload = unread.readSlice(length: Int(length))!
        if let key { payload.webSocketUnmask(key) }
        return (opcode, fin, payload)
    }
}
