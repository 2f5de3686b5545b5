import NIOCore
import RealtimeProtocol
import Testing

@Suite("RTData")
struct RTDataTests {
    static let valid = Fixtures.rtData.filter { $0.error == nil }
    static let invalid = Fixtures.rtData.filter { $0.error != nil }
    static let canonical = Fixtures.rtData.filter(\.canonical)

    @Test func fixturesCoverEnough() {
        #expect(Self.canonical.count >= 25)
        #expect(Self.valid.count(where: { !$0.canonical }) >= 8)
        #expect(Self.invalid.count >= 15)
    }

    @Test("decodes the vectors", arguments: valid)
    func decodes(vector: RTDataVector) throws {
        var buffer = vector.bytes
        #expect(try buffer.readRTData() == vector.data)
        #expect(buffer.readableBytes == 0)
    }

    @Test("encodes byte for byte as Google does", arguments: canonical)
    func encodes(vector: RTDataVector) throws {
        let data = try #require(vector.data)
        var buffer = ByteBuffer()
        let written = try buffer.writeRTData(data)
        #expect(buffer.hex == vector.hex)
        #expect(written == buffer.readableBytes)
    }

    @Test("rejects the invalid vectors", arguments: invalid)
    func rejects(vector: RTDataVector) {
        var buffer = vector.bytes
        #expect(throws: ProtocolError(.invalidRTData, "")) { try buffer.readRTData() }
        #expect(buffer.readerIndex == 0)
    }

    @Test("non-canonical input re-encodes to what decodes the same", arguments: valid.filter { !$0.canonical })
    func reencodes(vector: RTDataVector) throws {
        var input = vector.bytes
        let data = try input.readRTData()
        var output = ByteBuffer()
        try output.writeRTData(data)
        #expect(output != vector.bytes)
        #expect(try output.readRTData() == data)
    }

    @Test func slotsAndSubscript() {
        var data = RTData()
        #expect(data.isEmpty)
        data[5] = .number(1)
        data[1] = .string("a")
        data[127] = .float(2)
        data[5] = .number(2)
        #expect(data.count == 3)
        #expect(data.values.map(\.slot) == [1, 5, 127])
        #expect(data[5] == .number(2))
        #expect(data[6] == nil)
        data[1] = nil
        data[2] = nil
        #expect(data.values.map(\.slot) == [5, 127])
        let literal: RTData = [127: .float(2), 5: .number(2)]
        #expect(literal == data)
    }

    @Test func floatsCompareByBitPattern() {
        #expect(RTData.Value.float(.nan) == .float(.nan))
        #expect(RTData.Value.double(0) != .double(-0.0))
        #expect(RTData.Value.vector([0]) != .vector([-0.0]))
        #expect(RTData.Value.number(1) != .double(1))
        #expect(Set([RTData.Value.float(.nan), .float(.nan)]).count == 1)
    }

    @Test(arguments: [0, 5, 8])
    func vectorsOutsideOneToFourComponentsAreNotWritten(count: Int) {
        var buffer = ByteBuffer(bytes: [1, 2])
        let data: RTData = [1: .number(1), 2: .data([3: .vector([Float](repeating: 1, count: count))])]
        #expect(throws: ProtocolError(.invalidRTData, "")) { try buffer.writeRTData(data) }
        #expect(buffer == ByteBuffer(bytes: [1, 2]), "nothing written")
    }

    static func nested(depth: Int) -> RTData {
        var data: RTData = [1: .number(Int64(depth))]
        for _ in 1..<depth {
            data = [2: .data(data)]
        }
        return data
    }

    @Test func depthLimit() throws {
        let deepest = Self.nested(depth: RTData.defaultMaxDepth)
        var buffer = ByteBuffer()
        try buffer.writeRTData(deepest)
        var copy = buffer
        #expect(try copy.readRTData() == deepest)

        var tooDeep = ByteBuffer()
        #expect(throws: ProtocolError(.invalidRTData, "")) {
            try tooDeep.writeRTData(Self.nested(depth: RTData.defaultMaxDepth + 1))
        }
        #expect(tooDeep.readableBytes == 0)
        #expect(throws: ProtocolError(.invalidRTData, "")) { try buffer.readRTData(maxDepth: 5) }
        #expect(try RTData(decoding: buffer, maxDepth: RTData.defaultMaxDepth) == deepest)
    }

    @Test func thousandsDeepIsRejectedWithoutExhaustingTheStack() {
        var bytes = ByteBuffer()
        for _ in 0..<5000 {
            var outer = ByteBuffer()
            outer.writeBytes([0x0A])  // slot 1, length-delimited
            outer.writeVarint(UInt64(bytes.readableBytes + 1 + Varint.size(UInt64(bytes.readableBytes))))
            outer.writeBytes([0x72])  // field 14, length-delimited
            outer.writeVarint(UInt64(bytes.readableBytes))
            outer.writeImmutableBuffer(bytes)
            bytes = outer
        }
        #expect(throws: ProtocolError(.invalidRTData, "")) { try bytes.readRTData() }
    }

    @Test func roundTripsInsideAPacketPayload() throws {
        let data: RTData = [
            1: .number(-42), 2: .string("hello"), 3: .vector([1, 2, 3]), 4: .data([1: .double(0.5)]),
        ]
        var payload = ByteBuffer()
        try payload.writeRTData(data)
        var framed = ByteBuffer()
        framed.writePacket(Packet(opCode: OpCode(100), payload: payload))
        var received = try framed.readOnlyPacket(maxLength: 1024).payload
        #expect(try received.readRTData() == data)
    }
}
