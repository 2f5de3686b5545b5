import NIOCore
import RealtimeProtocol
import Testing

@Suite("EncodedPacket")
struct EncodedPacketTests {
    static let sequenceNumbers: [Int32] = [
        0, 1, 2, 63, 127, 128, 255, 16_383, 16_384, 1 << 21, 1 << 28, .max, -1, -2, -128, .min,
    ]

    static let packets: [Packet] =
        ByteBufferPacketTests.samples + PacketVectorTests.valid.map { $0.expected!.packet } + [
            Packet(opCode: .login, payload: ByteBuffer(string: "no op code field")),
            Packet(opCode: OpCode(.min), sequenceNumber: 99, targetPlayer: -1, reliable: true),
            Packet(opCode: OpCode(7), payload: ByteBuffer(repeating: 9, count: 16_371)),  // prefix grows to 3 bytes
        ]

    @Test("byte-identical to writePacket for every sequence number", arguments: packets)
    func byteIdentity(packet: Packet) {
        let encoded = EncodedPacket(packet)
        for sequenceNumber in Self.sequenceNumbers {
            var stamped = packet
            stamped.sequenceNumber = sequenceNumber
            var expected = ByteBuffer()
            let expectedCount = expected.writePacket(stamped)

            var written = ByteBuffer(bytes: [0xEE])  // something already in the buffer stays
            let count = encoded.write(sequenceNumber: sequenceNumber, into: &written)
            #expect(written.readInteger(as: UInt8.self) == 0xEE)
            #expect(written == expected, "sequence number \(sequenceNumber)")
            #expect(count == expectedCount)
            #expect(encoded.lengthDelimitedSize(sequenceNumber: sequenceNumber) == expectedCount)
            #expect(encoded.lengthDelimited(sequenceNumber: sequenceNumber) == expected)
        }
    }

    @Test("the shared bytes carry no sequence number", arguments: packets)
    func sharedBytes(packet: Packet) throws {
        let encoded = EncodedPacket(packet)
        var unstamped = packet
        unstamped.sequenceNumber = 0
        var expected = ByteBuffer()
        expected.writePacket(unstamped)
        #expect(encoded.lengthDelimited == expected)
        #expect(encoded.packetSize == unstamped.encodedSize)
        var copy = encoded.lengthDelimited
        #expect(try copy.readOnlyPacket(maxLength: 1 << 20) == unstamped)
    }

    @Test func stampedBytesDecodeWithTheirSequenceNumber() throws {
        let packet = Packet(opCode: OpCode(12), targetGroup: 3, sender: 2, payload: ByteBuffer(string: "move"))
        let encoded = EncodedPacket(packet)
        var batch = ByteBuffer()
        for sequenceNumber in Int32(1)...Int32(200) {
            encoded.write(sequenceNumber: sequenceNumber, into: &batch)
        }
        for sequenceNumber in Int32(1)...Int32(200) {
            let decoded = try #require(try batch.readPacket(maxLength: 1024))
            #expect(decoded.sequenceNumber == sequenceNumber)
            #expect(decoded.payload == ByteBuffer(string: "move"))
            #expect(decoded.targetGroup == 3)
        }
        #expect(batch.readableBytes == 0)
    }

    @Test func writingDoesNotChangeTheSharedBytes() {
        let encoded = EncodedPacket(Packet(opCode: OpCode(1), payload: ByteBuffer(string: "x")))
        let before = encoded.lengthDelimited
        var buffer = encoded.lengthDelimited  // shares storage with the encoded packet
        encoded.write(sequenceNumber: 5, into: &buffer)
        #expect(encoded.lengthDelimited == before)
        #expect(buffer.readableBytes == before.readableBytes + encoded.lengthDelimitedSize(sequenceNumber: 5))
    }
}
