import Testing

@testable import rtctl

@Suite("Action input")
struct ActionInputTests {
    static let input = [
        #"{"opCode":1,"payload":"a"}"#,
        "",
        #"{"opCode":"two"}"#,
        #"{"action":"joinGroup","group":2}"#,
        "not json",
        #"{"action":"sleep","ms":5}"#,
    ]

    func lines() -> AsyncStream<InputLine> {
        AsyncStream { continuation in
            for (index, text) in Self.input.enumerated() {
                continuation.yield(InputLine(number: index + 1, bytes: Array(text.utf8)))
            }
            continuation.finish()
        }
    }

    @Test("malformed lines are reported with their numbers and skipped; no valid line is lost")
    func lenient() async throws {
        var actions: [Int] = []
        var reports: [String] = []
        try await ActionInput(strict: false).forEachAction(in: lines()) {
            reports.append("\($0)")
        } _: { _, number in
            actions.append(number)
        }
        #expect(actions == [1, 4, 6])
        #expect(reports.count == 2)
        #expect(reports.first?.hasPrefix(#"line 3: field "opCode": expected an integer"#) == true)
        #expect(reports.last == "line 5: not valid JSON")
    }

    @Test("--strict: the first malformed line is fatal with exit status 65")
    func strict() async throws {
        var actions: [Int] = []
        await #expect(throws: RtctlError.dataError("")) {
            try await ActionInput(strict: true).forEachAction(in: lines()) { _ in
            } _: { _, number in
                actions.append(number)
            }
        }
        #expect(actions == [1])
        #expect(RtctlError.dataError("").exitCode.rawValue == 65)
    }
}
