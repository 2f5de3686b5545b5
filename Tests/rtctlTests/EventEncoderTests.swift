import NIOCore
import RealtimeClient
import RealtimeProtocol
import Testing

@testable import rtctl

@Suite("Event encoder")
struct EventEncoderTests {
    static let time = WallClockTime(seconds: 1_795_255_200, nanoseconds: 123_456_789)  // 2026-11-21T10:00:00Z
    let stamp = "2026-11-21T10:00:00.123456Z"

    func message(_ payload: [UInt8]) -> ClientEvent {
        .message(Packet(opCode: OpCode(10), targetGroup: 2, sender: 3, payload: ByteBuffer(bytes: payload)))
    }

    @Test("every event, fields in CLI.md order with time last")
    func fieldOrder() {
        let encoder = EventEncoder()
        #expect(
            encoder.encode(.connected(peerId: 3, fastPort: 1900), time: Self.time)
                == #"{"event":"connected","peerId":3,"fastPort":1900,"time":"\#(stamp)"}"#
        )
        #expect(
            encoder.encode(.fastReady, time: Self.time) == #"{"event":"fastReady","time":"\#(stamp)"}"#
        )
        #expect(
            encoder.encode(message(Array("hi".utf8)), time: Self.time)
                == #"{"event":"message","opCode":10,"sender":3,"targetPlayer":0,"targetGroup":2,"reliable":false,"#
                + #""payload":"hi","time":"\#(stamp)"}"#
        )
        #expect(
            encoder.encode(.groupMembership(group: 2, players: [3, 5]), time: Self.time)
                == #"{"event":"groupMembership","group":2,"players":[3,5],"time":"\#(stamp)"}"#
        )
        #expect(
            encoder.encode(.disconnected(reason: "game session full", code: 1008), time: Self.time)
                == #"{"event":"disconnected","reason":"closed by server (1008: game session full)","code":1008,"#
                + #""time":"\#(stamp)"}"#
        )
        #expect(
            encoder.encode(.disconnected(reason: "", code: 1000), time: Self.time, closedByClient: true)
                == #"{"event":"disconnected","reason":"closed by client","time":"\#(stamp)"}"#
        )
        #expect(
            encoder.encode(.disconnected(reason: "connection reset by peer", code: nil), time: Self.time)
                == #"{"event":"disconnected","reason":"connection reset by peer","time":"\#(stamp)"}"#
        )
    }

    @Test("payload forms")
    func payloadForms() throws {
        let text = Array("héllo \"q\"\n".utf8)
        let binary: [UInt8] = [0xFF, 0x00, 0x01]
        let json = Array(#"{ "b": [1, 2], "a": true }"#.utf8)
        #expect(EventEncoder().payloadField(text) == ("payload", #""héllo \"q\"\n""#))
        #expect(EventEncoder().payloadField(binary) == ("payloadBase64", #""/wAB""#))
        #expect(EventEncoder().payloadField([]) == ("payload", #""""#))
        #expect(EventEncoder(payloadFormat: .text).payloadField(binary) == ("payloadBase64", #""/wAB""#))
        #expect(EventEncoder(payloadFormat: .base64).payloadField(Array("hi".utf8)) == ("payloadBase64", #""aGk=""#))
        #expect(EventEncoder(payloadFormat: .hex).payloadField(binary) == ("payloadHex", #""ff0001""#))
        #expect(EventEncoder(payloadFormat: .json).payloadField(json) == ("payloadJSON", #"{"a":true,"b":[1,2]}"#))
        #expect(EventEncoder(payloadFormat: .json).payloadField(Array("not json".utf8)) == ("payload", #""not json""#))
        var rtDataBytes = ByteBuffer()
        try rtDataBytes.writeRTData([1: .number(7), 2: .vector([1, 2.5])])
        let rtdata = EventEncoder(payloadFormat: .rtdata)
        #expect(rtdata.payloadField(rtDataBytes.readableBytesView) == ("data", #"{"1":7,"2":{"vector":[1.0,2.5]}}"#))
        #expect(rtdata.payloadField(binary) == ("payloadBase64", #""/wAB""#))
        #expect(rtdata.payloadField(Array("x".utf8)) == ("payload", #""x""#))
    }

    @Test("control characters are escaped so one event stays one line")
    func escaping() {
        #expect(JSONText.quoted("a\u{01}\u{7F}\t\u{2028}") == #""a\u0001\u007f\t\u2028""#)
    }

    @Test("times are UTC with microseconds")
    func times() {
        #expect(WallClockTime(seconds: 0).iso8601(fractionDigits: 6) == "1970-01-01T00:00:00.000000Z")
        #expect(Self.time.iso8601(fractionDigits: 3) == "2026-11-21T10:00:00.123Z")
        #expect(Self.time.iso8601(fractionDigits: 0) == "2026-11-21T10:00:00Z")
    }
}
