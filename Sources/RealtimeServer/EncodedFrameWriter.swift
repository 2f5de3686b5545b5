import NIOCore
import RealtimeProtocol

/// Writes WebSocket frames the session encoded whole straight to the transport, past the frame encoder.
///
/// A server's frames are not masked, so a relayed message's frame (header and packet) is the same bytes for every
/// recipient: the session encodes it once into one buffer, and each recipient's connection writes that buffer, with
/// no frame value, header buffer or encoding of its own. The writer sits just before the frame encoder (towards the
/// socket, behind TLS when there is TLS), so its frames and the encoder's (pings, pongs, close frames) leave in the
/// order they were written.
final class EncodedFrameWriter: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Writes one encoded frame (see ``ByteBuffer/webSocketBinaryFrame(_:allocator:)``); flushing is the caller's.
    func write(_ frame: ByteBuffer, promise: EventLoopPromise<Void>?) {
        guard let context else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        context.write(Self.wrapOutboundOut(frame), promise: promise)
    }
}

/// The frames one delivery writes to a connection, gathered into one buffer: one write through the pipeline and one
/// iovec for the socket, not one per frame. A lone frame stays the buffer it is (the recipients of a relayed message
/// share it); a second one starts a buffer of the batch's own. Gathering copies, so it stops at ``maxGathered``
/// bytes: past them the buffer so far goes out and the next frame starts another, and a large frame is never copied.
struct FrameBatch {
    /// The most bytes gathered into one buffer.
    static let maxGathered = 16 * 1024

    private var buffer: ByteBuffer?
    /// `buffer` is the batch's own (frames were copied into it), not a frame the recipients share.
    private var gathered = false
    private let capacity: Int

    /// - Parameter capacity: the bytes of the frames to come, if known: the size of a buffer of the batch's own.
    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Adds `frame`; hands what is held to `writeOut` first when the two would make more than ``maxGathered``.
    mutating func append(_ frame: ByteBuffer, allocator: ByteBufferAllocator, writeOut: (ByteBuffer) -> Void) {
        guard var held = buffer else {
            buffer = frame
            return
        }
        guard held.readableBytes + frame.readableBytes <= Self.maxGathered else {
            writeOut(held)
            buffer = frame
            gathered = false
            return
        }
        buffer = nil
        if !gathered {
            let size = held.readableBytes + frame.readableBytes
            var own = allocator.buffer(capacity: min(max(capacity, size), Self.maxGathered))
            own.writeBuffer(&held)
            held = own
            gathered = true
        }
        held.writeImmutableBuffer(frame)
        buffer = held
    }

    /// What is held (nil when nothing is), and an empty batch.
    mutating func take() -> ByteBuffer? {
        defer {
            buffer = nil
            gathered = false
        }
        return buffer
    }
}

extension ByteBuffer {
    /// `packet`, length-delimited, as one unmasked binary WebSocket frame (RFC 6455 §5.2: FIN, opcode 2, the payload
    /// length in 7, 7+16 or 7+64 bits): the exact bytes a server's frame encoder would send, in one buffer of the
    /// right size (the packet's size is computed once).
    static func webSocketBinaryFrame(_ packet: Packet, allocator: ByteBufferAllocator) -> ByteBuffer {
        let size = packet.encodedSize
        let length = Varint.size(UInt64(size)) + size
        let header = length < 126 ? 2 : length <= Int(UInt16.max) ? 4 : 10
        var frame = allocator.buffer(capacity: header + length)
        frame.writeInteger(UInt8(0x82))
        if length < 126 {
            frame.writeInteger(UInt8(length))
        } else if length <= Int(UInt16.max) {
            frame.writeInteger(UInt8(126))
            frame.writeInteger(UInt16(length))
        } else {
            frame.writeInteger(UInt8(127))
            frame.writeInteger(UInt64(length))
        }
        frame.writeVarint(UInt64(size))
        packet.encode(into: &frame)
        return frame
    }
}
