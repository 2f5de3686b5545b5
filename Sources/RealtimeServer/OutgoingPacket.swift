import NIOCore
import RealtimeProtocol

// A stand-in for RealtimeProtocol's `EncodedPacket` (being written on another branch): encode a packet once, then
// write one frame for every WebSocket recipient and one stamped datagram per UDP recipient. To be replaced by it.

/// A packet encoded once for many recipients (PROTOCOL.md §2, §7, §8).
///
/// The WebSocket form (`reliable:true`, no sequence number) is one buffer that every reliable recipient shares. The UDP
/// form (`reliable:false`) is kept as the bytes before and after field 2, so that each fast recipient's datagram is the
/// length prefix, those two parts and its own sequence number, without encoding the packet again.
struct OutgoingPacket {
    /// The length-delimited packet for the WebSocket.
    let reliable: ByteBuffer
    /// The encoded op code field (field 1), which comes before the sequence number.
    private let head: ByteBuffer
    /// The fields after the sequence number (3 and up).
    private let tail: ByteBuffer

    init(_ packet: Packet, allocator: ByteBufferAllocator) {
        var reliablePacket = packet
        reliablePacket.reliable = true
        reliablePacket.sequenceNumber = 0
        var reliable = allocator.buffer(capacity: reliablePacket.encodedSize + 5)
        reliable.writePacket(reliablePacket)
        self.reliable = reliable

        var fastPacket = packet
        fastPacket.reliable = false
        fastPacket.sequenceNumber = 0
        var body = allocator.buffer(capacity: fastPacket.encodedSize)
        fastPacket.encode(into: &body)
        let headSize = packet.opCode.rawValue == 0 ? 0 : 1 + Varint.size(Varint.zigzag(packet.opCode.rawValue))
        self.head = body.getSlice(at: body.readerIndex, length: headSize)!
        self.tail = body.getSlice(at: body.readerIndex + headSize, length: body.readableBytes - headSize)!
    }

    /// The datagram for one fast recipient: the packet with `reliable:false` and this sequence number.
    func datagram(sequenceNumber: Int32, allocator: ByteBufferAllocator) -> ByteBuffer {
        let sequenceValue = Varint.fromInt32(sequenceNumber)
        let sequenceSize = sequenceNumber == 0 ? 0 : 1 + Varint.size(sequenceValue)
        let size = head.readableBytes + sequenceSize + tail.readableBytes
        var buffer = allocator.buffer(capacity: Varint.size(UInt64(size)) + size)
        buffer.writeVarint(UInt64(size))
        buffer.writeImmutableBuffer(head)
        if sequenceNumber != 0 {
            // Field 2, wire type 0 (varint).
            buffer.writeVarint(2 << 3)
            buffer.writeVarint(sequenceValue)
        }
        buffer.writeImmutableBuffer(tail)
        return buffer
    }

    /// A single packet for one recipient on the WebSocket.
    static func reliable(_ packet: Packet, allocator: ByteBufferAllocator) -> ByteBuffer {
        var packet = packet
        packet.reliable = true
        packet.sequenceNumber = 0
        var buffer = allocator.buffer(capacity: packet.encodedSize + 5)
        buffer.writePacket(packet)
        return buffer
    }

    /// A single datagram for one recipient on the fast port.
    static func fast(_ packet: Packet, sequenceNumber: Int32, allocator: ByteBufferAllocator) -> ByteBuffer {
        var packet = packet
        packet.reliable = false
        packet.sequenceNumber = sequenceNumber
        var buffer = allocator.buffer(capacity: packet.encodedSize + 5)
        buffer.writePacket(packet)
        return buffer
    }
}
