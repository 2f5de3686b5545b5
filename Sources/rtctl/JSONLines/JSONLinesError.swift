/// Why a JSON line could not be used, as one readable sentence naming the field at fault.
///
/// Equal and hashable on ``code`` only, so tests match the kind of mistake without the wording.
struct JSONLinesError: Error, Hashable, CustomStringConvertible {
    struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        static let notJSON = Code(name: "notJSON")
        static let notAnObject = Code(name: "notAnObject")
        static let missingField = Code(name: "missingField")
        static let wrongType = Code(name: "wrongType")
        static let outOfRange = Code(name: "outOfRange")
        static let unknownField = Code(name: "unknownField")
        static let unknownAction = Code(name: "unknownAction")
        static let conflictingFields = Code(name: "conflictingFields")
        static let badEncoding = Code(name: "badEncoding")
        static let payloadTooLarge = Code(name: "payloadTooLarge")
        static let badRTData = Code(name: "badRTData")

        var description: String { name }
    }

    let code: Code
    private let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    var description: String { message }

    static func == (lhs: JSONLinesError, rhs: JSONLinesError) -> Bool { lhs.code == rhs.code }
    func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

/// A malformed input line: its number and what was wrong with it.
struct MalformedLine: Error, Hashable, CustomStringConvertible {
    let lineNumber: Int
    let error: JSONLinesError

    var description: String { "line \(lineNumber): \(error)" }
}
