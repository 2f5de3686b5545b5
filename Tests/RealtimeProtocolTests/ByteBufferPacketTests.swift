import NIOCore
import RealtimeProtocol
import Testing

@Suite("ByteBuffer packet reading and writing")
struct ByteBufferPacketTests {
    static let samples: [Packet] = [
        Packet(opCode: .login),
        Packet(opCode: OpCode(5), targetGroup: -1, sender: 3, reliable: true, payload: ByteBuffer(string: "hi")),
        Packet(
            opCode: .loginResponse,
            targetPlayer: 4,
            reliable: true,
            message: .loginResult(LoginResult(success: true, reconnectToken: "r", peerId: 4, fastPort: 1900))
        ),
        Packet(opCode: .udpConnect, sequenceNumber: 12, targetPlayer: -1, sender: 2, message: .udpConnect),
        Packet(
            opCode: .groupMembershipUpdate,
            message: .groupMembershipUpdate(GroupMembershipUpdate(group: 1, players: [1, -2, 300]))
        ),
        Packet(opCode: OpCode(1), payload: ByteBuffer(repeating: 0xAB, count: 300)),
    ]

    static func framed(_ packet: Packet) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writePacket(packet)
        return buffer
    }

    @Test("every prefix of a packet is incomplete and leaves the reader index alone", arguments: samples)
    func everyPrefix(packet: Packet) throws {
        let whole = Self.framed(packet)
        for length in 0..<whole.readableBytes {
            var prefix = whole.getSlice(at: whole.readerIndex, length: length)!
            let before = prefix.readerIndex
            #expect(try prefix.readPacket(maxLength: 1 << 16) == nil, "prefix of \(length) bytes")
            #expect(prefix.readerIndex == before)
        }
        var complete = whole
        #expect(try complete.readPacket(maxLength: 1 << 16) == packet)
    }

    @Test("every prefix of every Google vector is incomplete")
    func everyPrefixOfTheVectors() throws {
        for vector in PacketVectorTests.valid {
            let packet = try #require(vector.expected).packet
            var whole = ByteBuffer()
            whole.writeVarint(UInt64(vector.bytes.readableBytes))
            whole.writeImmutableBuffer(vector.bytes)
            for length in 0..<whole.readableBytes {
                var prefix = whole.getSlice(at: 0, length: length)!
                #expect(try prefix.readPacket(maxLength: 1 << 20) == nil, "\(vector.name): \(length) bytes")
                #expect(prefix.readerIndex == 0)
            }
            #expect(try whole.readPacket(maxLength: 1 << 20) == packet)
        }
    }

    @Test func packetsOneAfterTheOther() throws {
        var stream = ByteBuffer()
        for packet in Self.samples { stream.writePacket(packet) }
        stream.writeBytes([0x05, 0x08])  // the start of one more packet
        for packet in Self.samples {
            #expect(try stream.readPacket(maxLength: 1024) == packet)
        }
        let rest = stream.readerIndex
        #expect(try stream.readPacket(maxLength: 1024) == nil)
        #expect(stream.readerIndex == rest)
        #expect(stream.readableBytes == 2)
    }

    @Test func maximumLengthIsInclusive() throws {
        let packet = Packet(opCode: OpCode(1), payload: ByteBuffer(repeating: 1, count: 100))
        let size = packet.encodedSize
        var exact = Self.framed(packet)
        #expect(try exact.readPacket(maxLength: size) == packet)

        var over = Self.framed(packet)
        #expect(throws: ProtocolError(.lengthTooLarge, "")) { try over.readPacket(maxLength: size - 1) }
        #expect(over.readerIndex == 0)
    }

    @Test func maximumLengthIsCheckedBeforeTheBodyArrives() throws {
        var prefixOnly = ByteBuffer()
        prefixOnly.writeVarint(100_000)
        #expect(throws: ProtocolError(.lengthTooLarge, "")) { try prefixOnly.readPacket(maxLength: 65_536) }
        #expect(prefixOnly.readerIndex == 0)

        var largest = ByteBuffer()
        largest.writeVarint(UInt64.max)
        #expect(throws: ProtocolError(.lengthTooLarge, "")) { try largest.readPacket(maxLength: Int.max) }
    }

    @Test func zeroMaximumLengthAcceptsOnlyTheEmptyPacket() throws {
        var empty = ByteBuffer(bytes: [0x00])
        #expect(try empty.readPacket(maxLength: 0) == Packet(opCode: .login))
        var one = ByteBuffer(bytes: [0x02, 0x08, 0x02])
        #expect(throws: ProtocolError(.lengthTooLarge, "")) { try one.readPacket(maxLength: 0) }
    }

    @Test func malformedBodyLeavesTheReaderIndexAlone() throws {
        var buffer = ByteBuffer(bytes: [0x02, 0x0E, 0x00])  // wire type 6
        #expect(throws: ProtocolError(.invalidWireType, "")) { try buffer.readPacket(maxLength: 100) }
        #expect(buffer.readerIndex == 0)
    }

    @Test func overlongLengthPrefix() throws {
        var buffer = ByteBuffer(bytes: [UInt8](repeating: 0x80, count: 10) + [0x00])
        #expect(throws: ProtocolError(.varintTooLong, "")) { try buffer.readPacket(maxLength: 100) }
        #expect(buffer.readerIndex == 0)
    }

    @Test func writePacketReturnsTheBytesWritten() {
        for packet in Self.samples {
            var buffer = ByteBuffer(bytes: [0xFF])
            let written = buffer.writePacket(packet)
            #expect(written == buffer.readableBytes - 1)
            #expect(written == Varint.size(UInt64(packet.encodedSize)) + packet.encodedSize)
        }
    }

    // MARK: readOnlyPacket: exactly one packet per WebSocket message or datagram

    @Test func onlyPacketReadsOnePacket() throws {
        for packet in Self.samples {
            var buffer = Self.framed(packet)
            #expect(try buffer.readOnlyPacket(maxLength: RealtimeConstants.maxFrameSize) == packet)
            #expect(buffer.readableBytes == 0)
        }
    }

    @Test(
        "readOnlyPacket errors",
        arguments: [
            ("", ProtocolError.Code.emptyMessage),
            ("80", .truncated),  // the length prefix itself is truncated
            ("05 08 02", .truncated),  // announces 5 bytes, holds 2
            ("02 08 02 00", .trailingBytes),  // one byte after the packet
            ("02 08 02 02 08 02", .trailingBytes),  // two packets in one frame
            ("00 08 02", .trailingBytes),  // the prefix announces fewer bytes than the message holds
            ("04 08 02", .truncated),  // the prefix announces more bytes than the message holds
            ("ffffffffffffffffff01", .lengthTooLarge),
            ("ffffffffffffffffffff01", .varintTooLong),
            ("03 08 80 80", .truncated),  // a truncated varint inside the packet
        ]
    )
    func onlyPacketErrors(hex: String, code: ProtocolError.Code) {
        var buffer = ByteBuffer(hex: hex)
        #expect(throws: ProtocolError(code, "")) { try buffer.readOnlyPacket(maxLength: 1024) }
    }

    @Test(
        "a malformed field is named in the error, with what was missing",
        arguments: [
            ("f2", "message ends inside a field key"),
            ("1880", "message ends inside the varint of field 3"),
            ("4d0102", "message ends inside the 32-bit value of field 9"),
            ("4901020304050607", "message ends inside the 64-bit value of field 9"),
            ("7a", "message ends inside the length of field 15"),
            ("7a05616263", "field 15 claims 5 bytes but 3 remain"),
            ("08ffffffffffffffffffff01", "varint longer than 10 bytes"),
            ("0b", "wire type 3 on field 1"),
            ("00", "field number 0"),
        ]
    )
    func fieldErrorsNameTheField(hex: String, detail: String) {
        let error = #expect(throws: ProtocolError.self) { try Packet(decoding: ByteBuffer(hex: hex)) }
        #expect(error?.description.hasSuffix(": \(detail)") == true, "\(error.map { "\($0)" } ?? "no error")")
    }

    @Test("a varint is read from the bytes at an offset, with its length; nil when the bytes end inside it")
    func varintAtAnOffset() throws {
        let bytes: [UInt8] = [0xFF, 0xAC, 0x02, 0x05, 0x80]
        let read = try bytes.withUnsafeBytes { raw in try (1...5).map { try Varint.read(raw, at: $0) } }
        #expect(read[0]! == (300, 2))
        #expect(read[2]! == (5, 1))
        #expect(read[3] == nil)  // 0x80: the bytes end inside the varint
        #expect(read[4] == nil)  // no bytes left
    }

    @Test func onlyPacketEnforcesTheMaximum() {
        var buffer = Self.framed(Packet(opCode: OpCode(1), payload: ByteBuffer(repeating: 0, count: 2000)))
        #expect(throws: ProtocolError(.lengthTooLarge, "")) {
            try buffer.readOnlyPacket(maxLength: RealtimeConstants.maxDatagramSize - 100)
        }
    }
}
