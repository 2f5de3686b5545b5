import NIOCore
import RealtimeProtocol
import Testing

/// Malformed packet bytes (without the length prefix), each with the error it must raise.
@Suite("Malformed packets")
struct MalformedPacketTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let hex: String
        let code: ProtocolError.Code
        var testDescription: String { self.name }
    }

    static let cases: [Case] = [
        // Truncated varints.
        Case(name: "key with a continuation bit and nothing after", hex: "88", code: .truncated),
        Case(name: "opCode varint cut short", hex: "08 ff ff", code: .truncated),
        Case(name: "sequenceNumber 10-byte varint cut at 9", hex: "10 ffffffffffffffffff", code: .truncated),
        Case(name: "payload length cut short", hex: "7a 80", code: .truncated),
        Case(name: "player id in playerConnect cut short", hex: "9a02 02 08 80", code: .truncated),
        Case(name: "packed players cut inside a varint", hex: "da02 04 12 02 01 ff", code: .truncated),
        // Over-long varints: 11 bytes is never valid, whatever the bits.
        Case(name: "11-byte opCode", hex: "08 ffffffffffffffffffff01", code: .varintTooLong),
        Case(name: "11-byte key", hex: "88808080808080808080 00", code: .varintTooLong),
        Case(name: "11-byte zero", hex: "18 8080808080808080808000", code: .varintTooLong),
        Case(name: "11-byte payload length", hex: "7a 8180808080808080808000", code: .varintTooLong),
        Case(name: "11-byte varint inside login", hex: "f201 0c 10 ffffffffffffffffffff01", code: .varintTooLong),
        Case(name: "11-byte packed player", hex: "da02 0d 12 0b ffffffffffffffffffff01", code: .varintTooLong),
        // Wire types that proto3 packets never use. Google skips a well-formed unknown group; our rule rejects
        // groups outright.
        Case(name: "wire type 3 (start group)", hex: "0b 0c", code: .invalidWireType),
        Case(name: "wire type 4 (end group)", hex: "0c", code: .invalidWireType),
        Case(name: "wire type 6", hex: "0e 00", code: .invalidWireType),
        Case(name: "wire type 7", hex: "0f 00", code: .invalidWireType),
        Case(name: "wire type 3 on an unknown field", hex: "08 02 a306 a406", code: .invalidWireType),
        Case(name: "wire type 7 inside joinGroup", hex: "c202 02 0f 00", code: .invalidWireType),
        Case(name: "wire type 3 inside ping", hex: "8202 02 0b 0c", code: .invalidWireType),
        // Field numbers.
        Case(name: "field number 0, varint", hex: "00 01", code: .invalidFieldNumber),
        Case(name: "field number 0, length-delimited", hex: "02 00", code: .invalidFieldNumber),
        Case(name: "field number 0 after a valid field", hex: "08 02 00 01", code: .invalidFieldNumber),
        Case(name: "field number 2^29", hex: "8080808010 01", code: .invalidFieldNumber),
        Case(name: "field number 0 inside loginResult", hex: "fa01 02 00 01", code: .invalidFieldNumber),
        // Strings that are not UTF-8.
        Case(name: "playerSessionId with 0xFF", hex: "f201 03 0a 01 ff", code: .invalidUTF8),
        Case(name: "reconnectToken with a lone continuation byte", hex: "fa01 03 12 01 80", code: .invalidUTF8),
        Case(name: "connectToken (loginResult) cut inside a sequence", hex: "fa01 04 32 02 e2 82", code: .invalidUTF8),
        Case(name: "connectToken (verifyIdentity) overlong '/'", hex: "aa02 04 12 02 c0 af", code: .invalidUTF8),
        Case(name: "playerSessionId with a surrogate", hex: "f201 05 0a 03 eda080", code: .invalidUTF8),
        Case(name: "playerSessionId above U+10FFFF", hex: "f201 06 0a 04 f4908080", code: .invalidUTF8),
        // Length prefixes beyond the message.
        Case(name: "payload claims one byte more", hex: "7a 03 6869", code: .truncated),
        Case(name: "payload claims 2^62 bytes", hex: "7a 8080808080808080 40 00", code: .truncated),
        Case(name: "payload claims 2^64-1 bytes", hex: "7a ffffffffffffffffff01 00", code: .truncated),
        Case(name: "login claims more than the packet holds", hex: "f201 7f 0a 01 61", code: .truncated),
        Case(name: "unknown length-delimited field runs past the end", hex: "a206 05 0102", code: .truncated),
        Case(name: "caCert claims more than loginResult holds", hex: "fa01 03 2a 09 00", code: .truncated),
        // Fixed-width values cut short.
        Case(name: "fixed32 unknown field cut short", hex: "a5 06 01 02 03", code: .truncated),
        Case(name: "fixed64 unknown field cut short", hex: "a1 06 01 02 03 04 05 06 07", code: .truncated),
    ]

    @Test("malformed packet bytes", arguments: cases)
    func malformed(testCase: Case) {
        #expect(throws: ProtocolError(testCase.code, "")) { try Packet(decoding: ByteBuffer(hex: testCase.hex)) }
    }

    @Test("malformed packets framed for a stream or a datagram", arguments: cases)
    func malformedFramed(testCase: Case) {
        let body = ByteBuffer(hex: testCase.hex)
        var framed = ByteBuffer()
        framed.writeVarint(UInt64(body.readableBytes))
        framed.writeImmutableBuffer(body)
        var stream = framed
        #expect(throws: ProtocolError(testCase.code, "")) { try stream.readPacket(maxLength: 1024) }
        #expect(stream.readerIndex == 0)
        var datagram = framed
        #expect(throws: ProtocolError(testCase.code, "")) { try datagram.readOnlyPacket(maxLength: 1024) }
    }

    @Test func errorsDescribeThemselves() {
        do {
            _ = try Packet(decoding: ByteBuffer(hex: "0f 00"))
            Issue.record("wire type 7 was accepted")
        } catch let error as ProtocolError {
            #expect(error.code == .invalidWireType)
            #expect(error.description.hasPrefix("invalidWireType: "))
            #expect(error.description.contains("7"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
