import NIOCore
import NIOEmbedded
import NIOTestUtils
import RealtimeProtocol
import Testing

@Suite("PacketDecoder and PacketEncoder")
struct PacketCodecTests {
    static let packets: [Packet] =
        ByteBufferPacketTests.samples
        + PacketVectorTests.canonical.prefix(40).map {
            $0.expected!.packet
        }

    static func framed(_ packets: [Packet]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for packet in packets { buffer.writePacket(packet) }
        return buffer
    }

    @Test func verifierByteByByteCoalescedAndShuffled() throws {
        let pairs = Self.packets.map { (Self.framed([$0]), [$0]) } + [(Self.framed(Self.packets), Self.packets)]
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) {
            PacketDecoder(maxLength: RealtimeConstants.maxFrameSize)
        }
    }

    @Test func verifierOnGoogleVectors() throws {
        let pairs = try PacketVectorTests.valid.filter { $0.bytes.readableBytes < 1000 }.map { vector in
            let packet = try #require(vector.expected).packet
            var framed = ByteBuffer()
            framed.writeVarint(UInt64(vector.bytes.readableBytes))
            framed.writeImmutableBuffer(vector.bytes)
            return (framed, [packet])
        }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) {
            PacketDecoder(maxLength: 1 << 20)
        }
    }

    @Test func embeddedChannelRoundTrip() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([
            ByteToMessageHandler(PacketDecoder(maxLength: RealtimeConstants.maxFrameSize)),
            MessageToByteHandler(PacketEncoder()),
        ])
        for packet in Self.packets {
            try channel.writeOutbound(packet)
        }
        var wire = ByteBuffer()
        while var chunk = try channel.readOutbound(as: ByteBuffer.self) {
            wire.writeBuffer(&chunk)
        }
        #expect(wire == Self.framed(Self.packets))

        // Feed the encoder's bytes back in chunks of 7 bytes, splitting packets anywhere.
        while wire.readableBytes > 0 {
            try channel.writeInbound(wire.readSlice(length: min(7, wire.readableBytes))!)
        }
        var received: [Packet] = []
        while let packet = try channel.readInbound(as: Packet.self) {
            received.append(packet)
        }
        #expect(received == Self.packets)
        #expect(try channel.finish().isClean)
    }

    @Test func decodeLastWithoutEndOfStreamKeepsTheBytes() throws {
        var decoder = PacketDecoder(maxLength: 100)
        var buffer = ByteBuffer(bytes: [0x05, 0x08])
        #expect(try decoder.decodeLast(buffer: &buffer, seenEOF: false) == nil)
        #expect(buffer.readableBytes == 2)
        #expect(throws: ProtocolError(.truncated, "")) { try decoder.decodeLast(buffer: &buffer, seenEOF: true) }
        var empty = ByteBuffer()
        #expect(try decoder.decodeLast(buffer: &empty, seenEOF: true) == nil)
    }

    @Test func oversizedPacketFailsTheStream() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(PacketDecoder(maxLength: 100)))
        var buffer = ByteBuffer()
        buffer.writeVarint(101)
        #expect(throws: ProtocolError(.lengthTooLarge, "")) { try channel.writeInbound(buffer) }
        #expect(try channel.readInbound(as: Packet.self) == nil)
        _ = try? channel.finish()
    }

    @Test func packetsBeforeAnOversizedOneAreDelivered() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(PacketDecoder(maxLength: 100)))
        var buffer = Self.framed([Packet(opCode: OpCode(1)), Packet(opCode: OpCode(2))])
        buffer.writeVarint(1_000_000)
        #expect(throws: ProtocolError(.lengthTooLarge, "")) { try channel.writeInbound(buffer) }
        #expect(try channel.readInbound(as: Packet.self) == Packet(opCode: OpCode(1)))
        #expect(try channel.readInbound(as: Packet.self) == Packet(opCode: OpCode(2)))
        #expect(try channel.readInbound(as: Packet.self) == nil)
        _ = try? channel.finish()
    }

    @Test(
        "malformed input fails the stream",
        arguments: [
            ("02 0e 00", ProtocolError.Code.invalidWireType),
            ("ffffffffffffffffffff01", .varintTooLong),
            ("02 00 01", .invalidFieldNumber),
            ("05 f201 02 0a 01", .truncated),
            ("06 f201 03 0a 01 ff", .invalidUTF8),
        ]
    )
    func malformed(hex: String, code: ProtocolError.Code) throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(PacketDecoder(maxLength: 1024)))
        #expect(throws: ProtocolError(code, "")) { try channel.writeInbound(ByteBuffer(hex: hex)) }
        #expect(try channel.readInbound(as: Packet.self) == nil)
        _ = try? channel.finish()
    }

    @Test func streamEndingInsideAPacketFails() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(PacketDecoder(maxLength: 1024)))
        var buffer = Self.framed([Packet(opCode: OpCode(3))])
        buffer.writeBytes([0x05, 0x08])
        try channel.writeInbound(buffer)
        #expect(try channel.readInbound(as: Packet.self) == Packet(opCode: OpCode(3)))
        #expect(throws: ProtocolError(.truncated, "")) { try channel.finish() }
    }
}
