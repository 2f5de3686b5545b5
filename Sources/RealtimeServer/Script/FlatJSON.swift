import NIOCore

/// A value of a flat JSON object (see ``NIOCore/ByteBuffer/readFlatJSONObject(_:)``).
enum FlatJSONValue: Equatable {
    case integer(Int64)
    case bool(Bool)
    case null

    /// Stores an integer that fits, or nil for null; false for anything else.
    func read(into field: inout Int32?) -> Bool {
        switch self {
        case .integer(let number):
            guard let value = Int32(exactly: number) else { return false }
            field = value
        case .null:
            field = nil
        case .bool:
            return false
        }
        return true
    }

    /// Stores a boolean, or nil for null; false for anything else.
    func read(into field: inout Bool?) -> Bool {
        switch self {
        case .bool(let value): field = value
        case .null: field = nil
        case .integer: return false
        }
        return true
    }
}

extension ByteBuffer {
    /// Reads the readable bytes as one JSON object whose values are integers, booleans or nulls, written without
    /// whitespace and with keys without escapes (as `JSON.stringify` writes such an object), calling `field` with each
    /// key and value in order. False as soon as the bytes are anything else, or `field` returns false: the caller then
    /// hands the bytes to a JSON decoder. Keys are ASCII. Nothing is allocated for keys of up to 15 bytes.
    func readFlatJSONObject(_ field: (String, FlatJSONValue) -> Bool) -> Bool {
        withUnsafeReadableBytes { bytes in
            var scanner = FlatJSONScanner(bytes: bytes)
            return scanner.readObject(field)
        }
    }
}

private struct FlatJSONScanner {
    let bytes: UnsafeRawBufferPointer
    var index = 0

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    private var next: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skip(_ byte: UInt8) -> Bool {
        guard next == byte else { return false }
        index += 1
        return true
    }

    private mutating func skip(_ word: StaticString) -> Bool {
        let start = index
        let matched = word.withUTF8Buffer { word in
            start + word.count <= bytes.count && word.indices.allSatisfy { bytes[start + $0] == word[$0] }
        }
        if matched { index += word.utf8CodeUnitCount }
        return matched
    }

    mutating func readObject(_ field: (String, FlatJSONValue) -> Bool) -> Bool {
        guard skip(UInt8(ascii: "{")) else { return false }
        if skip(UInt8(ascii: "}")) { return index == bytes.count }
        while true {
            guard let key = readKey(), skip(UInt8(ascii: ":")), let value = readValue(), field(key, value) else {
                return false
            }
            if skip(UInt8(ascii: "}")) { return index == bytes.count }
            guard skip(UInt8(ascii: ",")) else { return false }
        }
    }

    private mutating func readKey() -> String? {
        guard skip(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while let byte = next, byte != UInt8(ascii: "\"") {
            // Escapes, control characters and non-ASCII bytes (which the decoder validates as UTF-8) go to the decoder.
            guard byte != UInt8(ascii: "\\"), byte >= 0x20, byte < 0x80 else { return nil }
            index += 1
        }
        guard index < bytes.count else { return nil }
        let key = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        index += 1
        return key
    }

    private mutating func readValue() -> FlatJSONValue? {
        if skip("true") { return .bool(true) }
        if skip("false") { return .bool(false) }
        if skip("null") { return .null }
        let negative = skip(UInt8(ascii: "-"))
        let start = index
        var magnitude: Int64 = 0
        while let byte = next, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            let (times10, overflow) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, carry) = times10.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            guard !overflow, !carry else { return nil }
            magnitude = sum
            index += 1
        }
        // JSON has no leading zeros; a fraction or an exponent stops the scan at the next byte.
        guard index > start, bytes[start] != UInt8(ascii: "0") || index - start == 1 else { return nil }
        return .integer(negative ? -magnitude : magnitude)
    }
}
