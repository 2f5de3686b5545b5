import NIOCore
import RealtimeProtocol
import Testing

@testable import rtctl

@Suite("RTData as JSON")
struct RTDataJSONTests {
    func parse(_ text: String) throws -> RTData {
        try RTData(json: try JSONValue.parse(Array(text.utf8)))
    }

    @Test("every slot kind reads and prints back canonically")
    func roundTrip() throws {
        let text =
            #"{"1":7,"2":"text","3":{"double":1.5},"4":{"float":0.25},"5":{"vector":[1.0,2.0,3.5]},"#
            + #""6":{"data":{"1":-9}},"127":{"double":2.0}}"#
        let data = try parse(text)
        #expect(data[1] == .number(7))
        #expect(data[4] == .float(0.25))
        #expect(data[5] == .vector([1, 2, 3.5]))
        #expect(data[6] == .data([1: .number(-9)]))
        #expect(data.jsonText == text)
        #expect(try parse(data.jsonText) == data)
    }

    @Test("the JSON form and the wire form describe the same RTData")
    func throughTheWire() throws {
        let data = try parse(#"{"1":7,"2":"héllo","3":{"float":0.5},"9":{"data":{"2":{"vector":[1,2]}}}}"#)
        var buffer = ByteBuffer()
        try buffer.writeRTData(data)
        let decoded = try buffer.readRTData()
        #expect(decoded == data)
        #expect(decoded.jsonText == #"{"1":7,"2":"héllo","3":{"float":0.5},"9":{"data":{"2":{"vector":[1.0,2.0]}}}}"#)
    }

    @Test("explicit and integer-valued wrappers")
    func wrappers() throws {
        #expect(
            try parse(#"{"1":{"number":5},"2":{"double":3},"3":{"float":1}}"#).jsonText
                == #"{"1":5,"2":{"double":3.0},"3":{"float":1.0}}"#
        )
    }

    @Test(
        "mistakes are refused",
        arguments: [
            #"{"128":1}"#, #"{"01":1}"#, #"{"x":1}"#, #"{"1":true}"#, #"{"1":null}"#, #"{"1":[1]}"#,
            #"{"1":{"vector":[]}}"#, #"{"1":{"vector":[1,2,3,4,5]}}"#, #"{"1":{"vector":["a"]}}"#,
            #"{"1":{"double":"1"}}"#, #"{"1":{"double":1,"float":1}}"#, #"{"1":{"text":"a"}}"#,
            #"{"1":{"data":5}}"#, #"{"1":1.5}"#,
        ]
    )
    func refused(_ text: String) {
        #expect(throws: JSONLinesError.self) { try parse(text) }
    }

    @Test("nesting is bounded by what the wire codec accepts")
    func depth() throws {
        func nested(_ levels: Int) -> String {
            var text = #"{"1":1}"#
            for _ in 1..<levels { text = #"{"1":{"data":\#(text)}}"# }
            return text
        }
        _ = try parse(nested(RTData.defaultMaxDepth))
        #expect(throws: JSONLinesError(.badRTData, "")) { try parse(nested(RTData.defaultMaxDepth + 1)) }
    }
}
