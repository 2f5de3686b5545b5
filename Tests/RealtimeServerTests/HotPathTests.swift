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
