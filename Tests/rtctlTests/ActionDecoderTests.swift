import RealtimeProtocol
import Testing

@testable import rtctl

@Suite("Action decoder")
struct ActionDecoderTests {
    let decoder = ActionDecoder()

    func decode(_ line: String) throws -> ClientAction {
        try decoder.decode(Array(line.utf8))
    }

    @Test("message lines, every payload form")
    func messages() throws {
        #expect(
            try decode(#"{"opCode":10,"targetPlayer":3,"payload":"hello"}"#)
                == .send(OutgoingMessage(opCode: 10, targetPlayer: 3, payload: .bytes(Array("hello".utf8))))
        )
        #expect(
            try decode(#"{"opCode":10,"targetGroup":2,"reliable":true,"payload":"hi"}"#)
                == .send(OutgoingMessage(opCode: 10, targetGroup: 2, reliable: true, payload: .bytes(Array("hi".utf8))))
        )
        #expect(
            try decode(#"{"opCode":10,"targetPlayer":-1,"payloadBase64":"AAEC"}"#)
                == .send(OutgoingMessage(opCode: 10, targetPlayer: -1, payload: .bytes([0, 1, 2])))
        )
        #expect(
            try decode(#"{"opCode":-3,"payloadHex":"00fFA0"}"#)
                == .send(OutgoingMessage(opCode: -3, payload: .bytes([0, 0xFF, 0xA0])))
        )
        #expect(
            try decode(#"{"opCode":1,"payloadJSON":{"b":[1,2.5],"a":null}}"#)
                == .send(OutgoingMessage(opCode: 1, payload: .bytes(Array(#"{"a":null,"b":[1,2.5]}"#.utf8))))
        )
        #expect(try decode(#"{"opCode":7}"#) == .send(OutgoingMessage(opCode: 7)))
        #expect(try decode(#"{"opCode":7,"reliable":false}"#) == .send(OutgoingMessage(opCode: 7, reliable: false)))
        #expect(try decode(#"  {"opCode":2147483647}  "#) == .send(OutgoingMessage(opCode: .max)))
    }

    @Test("an RTData payload")
    func rtData() throws {
        let action = try decode(#"{"opCode":10,"targetGroup":-1,"data":{"1":7,"2":"text","3":{"double":1.5}}}"#)
        let expected: RTData = [1: .number(7), 2: .string("text"), 3: .double(1.5)]
        #expect(action == .send(OutgoingMessage(opCode: 10, targetGroup: -1, payload: .rtData(expected))))
    }

    @Test("group actions and sleep")
    func actions() throws {
        #expect(try decode(#"{"action":"joinGroup","group":2}"#) == .joinGroup(2))
        #expect(try decode(#"{"action":"leaveGroup","group":2}"#) == .leaveGroup(2))
        #expect(try decode(#"{"action":"requestGroupMembership","group":-1}"#) == .requestGroupMembership(-1))
        #expect(try decode(#"{"action":"sleep","ms":100}"#) == .sleep(milliseconds: 100))
        #expect(try decode(#"{"ms":0,"action":"sleep"}"#) == .sleep(milliseconds: 0))
    }

    struct Malformed: Sendable, CustomTestStringConvertible {
        let line: String
        let code: JSONLinesError.Code
        let message: String
        var testDescription: String { line }
    }

    static let malformed: [Malformed] = [
        Malformed(line: #"{"opCode":10"#, code: .notJSON, message: "not valid JSON"),
        Malformed(line: "", code: .notJSON, message: "not valid JSON"),
        Malformed(line: "hello", code: .notJSON, message: "not valid JSON"),
        Malformed(line: "[1,2]", code: .notAnObject, message: "expected a JSON object, got an array"),
        Malformed(line: "42", code: .notAnObject, message: "expected a JSON object, got the integer 42"),
        Malformed(
            line: #"{"payload":"x"}"#,
            code: .missingField,
            message: #"expected an "opCode" (a message) or an "action" field"#
        ),
        Malformed(
            line: #"{"opCode":"10"}"#,
            code: .wrongType,
            message: #"field "opCode": expected an integer, got a string ("10")"#
        ),
        Malformed(
            line: #"{"opCode":1.5}"#,
            code: .wrongType,
            message: #"field "opCode": expected an integer, got the number 1.5"#
        ),
        Malformed(
            line: #"{"opCode":4294967296}"#,
            code: .outOfRange,
            message: #"field "opCode": 4294967296 does not fit in a 32-bit integer"#
        ),
        Malformed(
            line: #"{"opCode":1,"targetPlayer":null}"#,
            code: .wrongType,
            message: #"field "targetPlayer": expected an integer, got null"#
        ),
        Malformed(
            line: #"{"opCode":1,"reliable":"yes"}"#,
            code: .wrongType,
            message: #"field "reliable": expected true or false, got a string ("yes")"#
        ),
        Malformed(
            line: #"{"opCode":1,"targetplayer":3}"#,
            code: .unknownField,
            message: #"field "targetplayer": not a field of a message"#
        ),
        Malformed(
            line: #"{"opCode":1,"payload":"a","payloadBase64":"AA=="}"#,
            code: .conflictingFields,
            message: #"fields "payload" and "payloadBase64": give at most one payload field"#
        ),
        Malformed(
            line: #"{"opCode":1,"payload":5}"#,
            code: .wrongType,
            message: #"field "payload": expected a string, got the integer 5"#
        ),
        Malformed(
            line: #"{"opCode":1,"payloadBase64":"AAE"}"#,
            code: .badEncoding,
            message: #"field "payloadBase64": not valid base64"#
        ),
        Malformed(
            line: #"{"opCode":1,"payloadHex":"abc"}"#,
            code: .badEncoding,
            message: #"field "payloadHex": expected pairs of hexadecimal digits"#
        ),
        Malformed(
            line: #"{"opCode":1,"payloadHex":"zz"}"#,
            code: .badEncoding,
            message: #"field "payloadHex": expected pairs of hexadecimal digits"#
        ),
        Malformed(
            line: #"{"opCode":1,"payload":"\#(String(repeating: "x", count: 4097))"}"#,
            code: .payloadTooLarge,
            message: #"field "payload": the payload is 4097 bytes; the limit is 4096"#
        ),
        Malformed(
            line: #"{"opCode":1,"data":[1]}"#,
            code: .wrongType,
            message: #"field "data": expected an RTData object like {"1":7}, got an array"#
        ),
        Malformed(
            line: #"{"opCode":1,"data":{"0":1}}"#,
            code: .badRTData,
            message: #"field "data": slot "0" is not an index from 1 to 127"#
        ),
        Malformed(
            line: #"{"opCode":1,"data":{"1":1.5}}"#,
            code: .badRTData,
            message: #"field "data.1": a fractional number needs its type: {"double":1.5} or {"float":1.5}"#
        ),
        Malformed(line: #"{"action":"joinGroup"}"#, code: .missingField, message: #"field "group" is missing"#),
        Malformed(
            line: #"{"action":"joinGroup","group":"2"}"#,
            code: .wrongType,
            message: #"field "group": expected an integer, got a string ("2")"#
        ),
        Malformed(
            line: #"{"action":"leaveGroup","group":2,"opCode":1}"#,
            code: .unknownField,
            message: #"field "opCode": not a field of "leaveGroup" (expected action, group)"#
        ),
        Malformed(
            line: #"{"action":"dance"}"#,
            code: .unknownAction,
            message: #"field "action": unknown action "dance""#
        ),
        Malformed(
            line: #"{"action":3}"#,
            code: .wrongType,
            message: #"field "action": expected a string, got the integer 3"#
        ),
        Malformed(
            line: #"{"action":"sleep","ms":-1}"#,
            code: .outOfRange,
            message: #"field "ms": -1 is not between 0 and 86400000"#
        ),
        Malformed(line: #"{"action":"sleep"}"#, code: .missingField, message: #"field "ms" is missing"#),
    ]

    @Test("malformed lines: one sentence naming the field", arguments: malformed)
    func malformedLine(_ example: Malformed) {
        #expect {
            try decode(example.line)
        } throws: { error in
            guard let error = error as? JSONLinesError else { return false }
            return error.code == example.code && error.description.hasPrefix(example.message)
                && !error.description.contains("\n")
        }
    }

    @Test("a malformed line's report carries its line number")
    func lineNumber() {
        let report = MalformedLine(lineNumber: 12, error: JSONLinesError(.notJSON, "not valid JSON"))
        #expect(report.description == "line 12: not valid JSON")
    }
}
