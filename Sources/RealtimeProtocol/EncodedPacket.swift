import NIOCore

/// A packet encoded once and sent to many recipients, each with its own `sequenceNumber`.
///
/// The server relays one packet to every member of a group. Encoding it once and sharing ``lengthDelimited`` among
/// the reliable recipients costs one encoding; a fast (UDP) recipient needs its own sequence number, which
/// ``write(sequenceNumber:into:)`` inserts while copying the pre-encoded bytes. Both give exactly the bytes that
/// `ByteBuffer.writePacket(_:)` writes for the packet with that sequence number.
///
/// `reliable` is part of the encoded bytes: a relay that marks reliable and fast copies differently encodes one
/// `EncodedPacket` for each.
public struct EncodedPacket: Hashable, Sendable {
    /// The length prefix and the packet bytes, with no sequence number. Share it among reliable recipients.
    public let lengthDelimited: ByteBuffer
    /// The number of bytes of the length prefix at the start of ``lengthDelimited``.
    private let prefixLength: Int
    /// The number of bytes of the `opCode` field (field 1) that starts the packet bytes: the sequence number
    /// (field 2) goes right after it.
    private let opCodeFieldLength: Int

    /// Encodes `packet`, ignoring its `sequenceNumber`.
    public init(_ packet: Packet, allocator: ByteBufferAllocator = ByteBufferAllocator()) {
        var packet = packet
        packet.sequenceNumber = 0
        let size = packet.encodedSize
        var buffer = allocator.buffer(capacity: Varint.size(UInt64(size)) + size)
        self.prefixLength = buffer.writeVarint(UInt64(size))
        packet.encode(into: &buffer)
        self.lengthDelimited = buffer
        let opCode = packet.opCode.rawValue
        self.opCodeFieldLength = opCode == 0 ? 0 : 1 + Varint.size(Varint.zigzag(opCode))
    }

    /// The size of the packet bytes without sequence number and without length prefix.
    public var packetSize: Int { self.lengthDelimited.readableBytes - self.prefixLength }

    /// The number of bytes ``write(sequenceNumber:into:)`` writes for `sequenceNumber`.
    public func lengthDelimitedSize(sequenceNumber: Int32) -> Int {
        guard sequenceNumber != 0 else { return self.lengthDelimited.readableBytes }
        let size = self.packetSize + 1 + Varint.size(Varint.fromInt32(sequenceNumber))
        return Varint.size(UInt64(size)) + size
    }

    /// Writes the length-delimited packet with `sequenceNumber` (absent when 0) and returns the number of bytes
    /// written.
    @discardableResult
    public func write(sequenceNumber: Int32, into buffer: inout ByteBuffer) -> Int {
        guard sequenceNumber != 0 else {
            return buffer.writeImmutableBuffer(self.lengthDelimited)
        }
        let value = Varint.fromInt32(sequenceNumber)
        let size = self.packetSize + 1 + Varint.size(value)
        let total = Varint.size(UInt64(size)) + size
        buffer.reserveCapacity(minimumWritableBytes: total)
        buffer.writeVarint(UInt64(size))
        let split = self.prefixLength + self.opCodeFieldLength
        self.lengthDelimited.withUnsafeReadableBytes { bytes in
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[self.prefixLength..<split]))
            buffer.writeKey(field: 2, wireType: .varint)
            buffer.writeVarint(value)
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[split...]))
        }
        return total
    }

    /// The length-delimited packet with `sequenceNumber` in a buffer of its own.
    public func lengthDelimited(
        sequenceNumber: Int32,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) -> ByteBuffer {
        guard sequenceNumber != 0 else { return self.lengthDelimited }
        var buffer = allocator.buffer(capacity: self.lengthDelimitedSize(sequenceNumber: sequenceNumber))
        self.write(sequenceNumber: sequenceNumber, into: &buffer)
        return buffer
    }
}
