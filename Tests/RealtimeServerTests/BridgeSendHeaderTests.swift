import Foundation
import NIOCore
import RealtimeProtocol
import Testing

@testable import RealtimeServer

/// A script's sends are read without a JSON decoder when the header has the host's shape; whatever the shape, the
/// result is the decoder's.
@Suite("Send headers from the script host")
struct BridgeSendHeaderTests {
    static func frame(_ json: String) -> BridgeFrame {
        BridgeFrame(kind: .send, header: ByteBuffer(string: json))
    }

    @Test(arguments: [
        #"{"opCode":1,"sender":-1,"targetPlayer":0,"targetGroup":2,"reliable":true}"#,
        #"{"opCode":-2147483648,"sender":2147483647,"targetPlayer":7,"targetGroup":-1,"reliable":false}"#,
        #"{"opCode":5}"#,
        #"{"opCode":5,"sender":null,"reliable":null,"extra":123,"flag":true,"none":null}"#,
        #"{"reliable":true,"opCode":0,"targetPlayer":3}"#,
        // Not the host's shape: the decoder reads these.
        #"{ "opCode": 5, "sender": 3 }"#,
        #"{"opCode":5,"name":"text","nested":{"a":1}}"#,
        #"{"opCode":5.0}"#,
        #"{"opCode":5,"sender":1e2}"#,
        #"{"op\u0043ode":5}"#,
        // A repeated field: the decoder keeps the first value.
        #"{"opCode":1,"opCode":2}"#,
        #"{"opCode":1,"reliable":true,"reliable":false}"#,
        #"{"opCode":1,"sender":3,"sender":null}"#,
        #"{"opCode":1,"extra":1,"extra":2}"#,
        #"{"opCode":1,"clé":5}"#,
    ])
    func readsWhatTheDecoderReads(json: String) throws {
        let frame = Self.frame(json)
        #expect(try frame.decodeSend() == (try frame.decodeHeader(as: SendHeader.self)))
    }

    @Test(arguments: [
        #"{}"#,
        #"{"sender":3}"#,
        #"{"opCode":null}"#,
        #"{"opCode":true}"#,
        #"{"opCode":"5"}"#,
        #"{"opCode":2147483648}"#,
        #"{"opCode":5,"sender":99999999999}"#,
        #"{"opCode":5,"sender":99999999999999999999999}"#,
        #"{"opCode":5,"reliable":1}"#,
        #"{"opCode":5,"targetGroup":false}"#,
        #"{"opCode":05}"#,
        #"{"opCode":5"#,
        #"{"opCode":5}x"#,
        #"{"opCode":-}"#,
        "",
        "[1]",
    ])
    func refusesWhatTheDecoderRefuses(json: String) {
        let frame = Self.frame(json)
        #expect(throws: BridgeError.self) { try frame.decodeSend() }
        #expect(throws: BridgeError.self) { try frame.decodeHeader(as: SendHeader.self) }
    }

    @Test func aKeyThatIsNotUTF8IsTheDecodersToRefuse() {
        var header = ByteBuffer(string: #"{"opCode":1,""#)
        header.writeBytes([0xFF, 0x78])
        header.writeString(#"":5}"#)
        let frame = BridgeFrame(kind: .send, header: header)
        #expect(throws: BridgeError.self) { try frame.decodeSend() }
        #expect(throws: BridgeError.self) { try frame.decodeHeader(as: SendHeader.self) }
    }

    @Test func aMessageHeaderIsTheJSONTheHostReads() throws {
        let packet = Packet(opCode: OpCode(-7), targetPlayer: 3, targetGroup: -1, sender: 12, payload: ByteBuffer())
        var header = ByteBuffer()
        MessageArguments(key: "event", name: "message", packet: packet, reliable: true).write(into: &header)
        #expect(
            String(buffer: header)
                == #"{"event":"message","opCode":-7,"sender":12,"targetPlayer":3,"targetGroup":-1,"reliable":true}"#
        )
        let object = try JSONSerialization.jsonObject(with: Data(header.readableBytesView)) as? [String: Any]
        #expect(object?["hook"] == nil && object?["reliable"] as? Bool == true)
    }

    @Test func readsAFlatObjectFieldByField() {
        var fields: [String] = []
        let read = ByteBuffer(string: #"{"a":1,"bb":-20,"c":true,"d":false,"e":null,"":0}"#).readFlatJSONObject {
            fields.append("\($0)=\($1)")
            return true
        }
        #expect(read)
        #expect(
            fields == ["a=integer(1)", "bb=integer(-20)", "c=bool(true)", "d=bool(false)", "e=null", "=integer(0)"]
        )
        #expect(ByteBuffer(string: "{}").readFlatJSONObject { _, _ in true })
        #expect(!ByteBuffer(string: #"{"a":1,}"#).readFlatJSONObject { _, _ in true })
        #expect(!ByteBuffer(string: #"{"a":1} "#).readFlatJSONObject { _, _ in true })
    }
}
