/// JSON text written by hand, so that object fields come out in the order CLI.md documents.
enum JSONText {
    /// `text` as a JSON string literal, quotes included.
    static func quoted(_ text: String) -> String {
        let plain = text.utf8.allSatisfy {
            $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") && $0 != 0x7F
        }
        if plain, !text.unicodeScalars.contains(where: { $0 == "\u{2028}" || $0 == "\u{2029}" }) {
            return "\"" + text + "\""
        }
        var output = "\""
        output.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case "\u{2028}": output += "\\u2028"
            case "\u{2029}": output += "\\u2029"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output + "\""
    }

    /// A JSON number for a floating-point value; non-finite values have no JSON form and become `null`.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < 1e15 {
            return String(Int64(value)) + ".0"
        }
        return "\(value)"
    }

    /// A JSON number for a single-precision value, printed with the shortest digits that round-trip as `Float`.
    static func number(_ value: Float) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < 1e7 {
            return String(Int64(value)) + ".0"
        }
        return "\(value)"
    }
}

/// Builds one JSON object, fields in the order they are added.
struct JSONObjectWriter {
    private var text = "{"
    private var first = true

    /// Adds a field; `key` is one of the program's own field names (plain ASCII, never escaped).
    mutating func add(_ key: StaticString, raw json: String) {
        text += first ? "\"" : ",\""
        first = false
        text += key.description
        text += "\":"
        text += json
    }

    /// Adds a field whose name comes from data (escaped).
    mutating func add(dynamicKey key: String, raw json: String) {
        text += first ? "" : ","
        first = false
        text += JSONText.quoted(key)
        text += ":"
        text += json
    }

    mutating func add(_ key: StaticString, string: String) { add(key, raw: JSONText.quoted(string)) }
    mutating func add(_ key: StaticString, integer: Int64) { add(key, raw: String(integer)) }
    mutating func add(_ key: StaticString, integer: Int32) { add(key, raw: String(integer)) }
    mutating func add(_ key: StaticString, integer: Int) { add(key, raw: String(integer)) }
    mutating func add(_ key: StaticString, bool: Bool) { add(key, raw: bool ? "true" : "false") }

    func finish() -> String { text + "}" }
}
