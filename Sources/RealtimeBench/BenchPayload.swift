import NIOCore

/// The bench's payload: the two timestamps latency is measured from, then zero padding up to `--size`.
///
/// ```
/// bytes 0..<8    scheduled send time, ns on the monotonic clock (big-endian UInt64)
/// bytes 8..<16   actual send time, ns on the same clock
/// bytes 16...    zeros
/// ```
/// Sender and receivers are in one process, so both ends read the same clock.
public enum BenchPayload {
    /// The bytes the timestamps need: the smallest `--size`.
    public static let minimumSize = 16

    /// A zeroed payload of `size` bytes, to be stamped with ``stamp(_:scheduled:sent:)`` before each send.
    public static func make(size: Int, allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        precondition(size >= minimumSize, "a bench payload holds at least \(minimumSize) bytes")
        var buffer = allocator.buffer(capacity: size)
        buffer.writeRepeatingByte(0, count: size)
        return buffer
    }

    /// Writes the two timestamps in place (no allocation while `buffer`'s storage is not shared).
    public static func stamp(_ buffer: inout ByteBuffer, scheduled: UInt64, sent: UInt64) {
        buffer.setInteger(scheduled, at: buffer.readerIndex)
        buffer.setInteger(sent, at: buffer.readerIndex + 8)
    }

    /// The timestamps of a received payload; nil when it is too short to be the bench's.
    public static func timestamps(of payload: ByteBuffer) -> (scheduled: UInt64, sent: UInt64)? {
        guard payload.readableBytes >= minimumSize,
            let scheduled = payload.getInteger(at: payload.readerIndex, as: UInt64.self),
            let sent = payload.getInteger(at: payload.readerIndex + 8, as: UInt64.self)
        else { return nil }
        return (scheduled, sent)
    }
}
