import NIOCore
import NIOEmbedded
import NIOWebSocket
import RealtimeProtocol
import RealtimeSession
import Testing

@testable import RealtimeServer

/// Relayed frames are encoded by hand, once per message; they must be the bytes NIO's own frame encoder sends.
@Suite("Encoded WebSocket frames")
struct EncodedFrameTests {
    /// What `WebSocketFrameEncoder` writes for `packet` as one unmasked binary frame.
    static func encodedByNIO(_ packet: Packet) throws -> ByteBuffer {
        let channel = EmbeddedChannel(handler: WebSocketFrameEncoder())
        var data = ByteBuffer()
        data.writePacket(packet)
        try channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .binary, data: data)).wait()
        var bytes = ByteBuffer()
        while var part = try channel.readOutbound(as: ByteBuffer.self) { bytes.writeBuffer(&part) }
        _ = try channel.finish()
        return bytes
    }

    // Payloads around the 7-bit, 16-bit and 64-bit length forms of the header (125/126, 65535/65536 bytes).
    @Test(arguments: [0, 100, 112, 113, 120, 200, 65_500, 65_535, 65_536, 70_000])
    func theFrameIsWhatNIOWouldSend(payloadSize: Int) throws {
        let packet = Packet(
            opCode: OpCode(10),
            targetGroup: -1,
            sender: 3,
            payload: ByteBuffer(repeating: 0x5A, count: payloadSize)
        )
        let frame = ByteBuffer.webSocketBinaryFrame(packet, allocator: ByteBufferAllocator())
        #expect(frame == (try Self.encodedByNIO(packet)))
    }
}

/// A delivery's frames for one connection leave as few buffers as they can without copying large frames.
@Suite("Frame batches")
struct FrameBatchTests {
    static func frame(_ size: Int, _ byte: UInt8) -> ByteBuffer { ByteBuffer(repeating: byte, count: size) }

    /// Appends every frame and returns the buffers written out, the last one taken at the end.
    static func batch(_ frames: [ByteBuffer]) -> [ByteBuffer] {
        var written: [ByteBuffer] = []
        var batch = FrameBatch(capacity: frames.reduce(0) { $0 + $1.readableBytes })
        for frame in frames { batch.append(frame, allocator: ByteBufferAllocator()) { written.append($0) } }
        if let last = batch.take() { written.append(last) }
        #expect(batch.take() == nil)
        return written
    }

    @Test func smallFramesLeaveAsOneBufferInOrder() {
        let frames = (1...5).map { Self.frame(70, UInt8($0)) }
        let written = Self.batch(frames)
        #expect(written.count == 1)
        #expect(written.first.map { Array($0.readableBytesView) } == frames.flatMap { Array($0.readableBytesView) })
    }

    @Test func smallFramesPastTheCapStartAnotherBuffer() {
        let frames = (0..<300).map { Self.frame(100, UInt8($0 % 256)) }
        let written = Self.batch(frames)
        let perBuffer = FrameBatch.maxGathered / 100
        #expect(written.map(\.readableBytes) == [perBuffer * 100, (300 - perBuffer) * 100])
        #expect(written.flatMap { Array($0.readableBytesView) } == frames.flatMap { Array($0.readableBytesView) })
    }

    @Test func aLoneFrameIsWrittenAsItIs() {
        let frame = Self.frame(70, 1)
        let written = Self.batch([frame])
        #expect(written == [frame])
        // The same storage: the recipients of a relayed message share one buffer.
        #expect(
            written.first?.withUnsafeReadableBytes { $0.baseAddress }
                == frame.withUnsafeReadableBytes { $0.baseAddress }
        )
    }

    @Test func largeFramesAreNeverGatheredAndTheOrderHolds() {
        let small = (1...3).map { Self.frame(100, UInt8($0)) }
        let large = Self.frame(FrameBatch.maxGathered, 9)
        let frames = small[0...1] + [large] + [small[2]]
        let written = Self.batch(Array(frames))
        #expect(written.map(\.readableBytes) == [200, FrameBatch.maxGathered, 100])
        #expect(written.flatMap { Array($0.readableBytesView) } == frames.flatMap { Array($0.readableBytesView) })
        #expect(
            written[1].withUnsafeReadableBytes { $0.baseAddress } == large.withUnsafeReadableBytes { $0.baseAddress }
        )
    }
}

/// A WebSocket connection's flow control towards the session: it stops reading with 64 packets waiting and goes on
/// when the session has carried one of them out.
@Suite("Inbound flow control")
struct InboundFlowControlTests {
    @Test func readingStopsAtTheLimitAndResumesBelowIt() {
        let inbound = SessionHost.Inbound(ConnectionID(1))
        for _ in 1..<SessionHost.Inbound.limit { #expect(!inbound.handedOver()) }
        #expect(inbound.handedOver(), "the 64th packet waiting stops reading")
        #expect(inbound.carriedOut(), "one carried out: reading goes on")
        #expect(!inbound.carriedOut(), "further ones change nothing")
        #expect(!inbound.handedOver())
        #expect(inbound.handedOver(), "back at the limit")
    }
}
