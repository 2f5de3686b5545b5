import NIOCore
import RealtimeProtocol
import Testing

/// The vectors Google's protobuf runtime made (`scripts/protocol-vectors/generate.py`): we must read what Google
/// reads, reject what Google rejects, and write what Google writes.
@Suite("Packet wire vectors")
struct PacketVectorTests {
    static let valid = Fixtures.packets.filter { $0.error == nil }
    static let invalid = Fixtures.packets.filter { $0.error != nil }
    static let canonical = Fixtures.packets.filter(\.canonical)

    @Test func fixturesCoverEnough() {
        #expect(Self.valid.count > 100)
        #expect(Self.invalid.count >= 15)
        #expect(Self.canonical.count > 60)
        #expect(Self.valid.count(where: { !$0.canonical }) >= 30)
        let cases = Set(Self.valid.compactMap { $0.expected?.message?.case })
        #expect(cases.count == 13, "every oneof message has a vector")
    }

    @Test("decodes as Google does", arguments: valid)
    func decodes(vector: PacketVector) throws {
        let expected = try #require(vector.expected).packet
        #expect(try Packet(decoding: vector.bytes) == expected)
    }

    @Test("rejects what Google rejects", arguments: invalid)
    func rejects(vector: PacketVector) throws {
        let code = Fixtures.code(try #require(vector.error))
        #expect(throws: ProtocolError(code, "")) { try Packet(decoding: vector.bytes) }
    }

    @Test("encodes byte for byte as Google does", arguments: valid)
    func encodes(vector: PacketVector) throws {
        let packet = try #require(vector.expected).packet
        let canonical = ByteBuffer(hex: try #require(vector.canonicalHex))
        var buffer = ByteBuffer()
        packet.encode(into: &buffer)
        #expect(buffer.hex == canonical.hex)
        #expect(packet.encodedSize == canonical.readableBytes)
        #expect((buffer == vector.bytes) == vector.canonical)
    }

    @Test("length-delimited round trip", arguments: valid)
    func lengthDelimited(vector: PacketVector) throws {
        let packet = try #require(vector.expected).packet
        var buffer = ByteBuffer()
        let written = buffer.writePacket(packet)
        #expect(written == buffer.readableBytes)
        var prefix = buffer
        #expect(try prefix.readVarint() == UInt64(packet.encodedSize))
        #expect(prefix.readableBytes == packet.encodedSize)

        var stream = buffer
        #expect(try stream.readPacket(maxLength: packet.encodedSize) == packet)
        #expect(stream.readableBytes == 0)
        var datagram = buffer
        #expect(try datagram.readOnlyPacket(maxLength: RealtimeConstants.maxFrameSize) == packet)
    }

    @Test("a decoded packet re-encodes to bytes that decode to it again", arguments: valid)
    func reencodes(vector: PacketVector) throws {
        let decoded = try Packet(decoding: vector.bytes)
        var buffer = ByteBuffer()
        decoded.encode(into: &buffer)
        #expect(try Packet(decoding: buffer) == decoded)
    }
}
