import NIOCore

/// Decodes a stream of length-delimited packets (varint length, then the `Packet` bytes).
///
/// A length prefix over `maxLength` or malformed packet bytes fail the stream with a ``ProtocolError``; bytes that do
/// not yet hold a whole packet wait for more, and fail the stream with `truncated` if it ends before they do.
public struct PacketDecoder: NIOSingleStepByteToMessageDecoder, Sendable {
    public typealias InboundOut = Packet

    /// The largest packet, without its length prefix, the decoder accepts.
    public let maxLength: Int

    public init(maxLength: Int) {
        precondition(maxLength >= 0, "maxLength must not be negative")
        self.maxLength = maxLength
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> Packet? {
        try buffer.readPacket(maxLength: self.maxLength)
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> Packet? {
        if let packet = try self.decode(buffer: &buffer) {
            return packet
        }
        if seenEOF && buffer.readableBytes > 0 {
            throw ProtocolError(.truncated, "the stream ended \(buffer.readableBytes) bytes into a packet")
        }
        return nil
    }
}

/// Encodes packets length-delimited, one after the other.
public struct PacketEncoder: MessageToByteEncoder, Sendable {
    public typealias OutboundIn = Packet

    public init() {}

    public func encode(data: Packet, out: inout ByteBuffer) throws {
        out.writePacket(data)
    }
}
