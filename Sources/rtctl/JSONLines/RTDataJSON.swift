/// GameSparks RTData as the command line reads and writes it (SCRIPTS.md, "RTData on the GameLift wire").
///
/// A JSON object whose keys are slot indexes 1–127:
///
///     {"1":7,"2":"text","3":{"double":1.5},"4":{"float":0.25},"5":{"vector":[1,2,3]},"6":{"data":{"1":1}}}
///
/// * an integer is a number slot (`{"number":7}` is accepted too);
/// * a string is a string slot;
/// * `{"double":x}` and `{"float":x}` are floating-point slots (a bare `1.5` is refused: say which);
/// * `{"vector":[x,y,z,w]}` holds one to four floats (`setFloatArray`);
/// * `{"data":{…}}` is a nested RTData.
///
/// Output uses the same form: integers and strings bare, everything else wrapped, slots in ascending order.
struct RTDataJSON: Hashable, Sendable {
    indirect enum Value: Hashable, Sendable {
        case number(Int64)
        case float(Float)
        case double(Double)
        case string(String)
        case vector([Float])
        case data(RTDataJSON)
    }

    static let slots: ClosedRange<Int> = 1...127
    static let maxVectorCount = 4
    static let maxDepth = 16

    /// The filled slots by index.
    var slots: [Int: Value]

    init(_ slots: [Int: Value] = [:]) {
        self.slots = slots
    }

    /// Reads the JSON form; `path` names the field in error messages (`data`, `data.3`, …).
    init(json: JSONValue, path: String = "data") throws(JSONLinesError) {
        try self.init(json: json, path: path, depth: 0)
    }

    private init(json: JSONValue, path: String, depth: Int) throws(JSONLinesError) {
        guard depth < Self.maxDepth else {
            throw JSONLinesError(.badRTData, "field \"\(path)\": RTData nested deeper than \(Self.maxDepth) levels")
        }
        guard case .object(let fields) = json else {
            throw JSONLinesError(
                .wrongType,
                "field \"\(path)\": expected an RTData object like {\"1\":7}, got \(json.kindDescription)"
            )
        }
        var slots: [Int: Value] = [:]
        for (key, value) in fields {
            guard let index = Int(key), String(index) == key, Self.slots.contains(index) else {
                throw JSONLinesError(
                    .badRTData,
                    "field \"\(path)\": slot \(JSONText.quoted(key)) is not an index from 1 to 127"
                )
            }
            slots[index] = try Self.value(value, path: "\(path).\(key)", depth: depth)
        }
        self.slots = slots
    }

    private static func value(_ json: JSONValue, path: String, depth: Int) throws(JSONLinesError) -> Value {
        switch json {
        case .integer(let number):
            return .number(number)
        case .string(let text):
            return .string(text)
        case .number(let number):
            throw JSONLinesError(
                .badRTData,
                "field \"\(path)\": a fractional number needs its type: {\"double\":\(number)} or {\"float\":\(number)}"
            )
        case .object(let wrapper) where wrapper.count == 1:
            // swift-format-ignore: NeverForceUnwrap
            let (kind, inner) = wrapper.first!
            switch (kind, inner) {
            case ("number", .integer(let number)):
                return .number(number)
            case ("double", .integer(let number)):
                return .double(Double(number))
            case ("double", .number(let number)):
                return .double(number)
            case ("float", .integer(let number)):
                return .float(Float(number))
            case ("float", .number(let number)):
                return .float(Float(number))
            case ("vector", .array(let elements)):
                guard (1...maxVectorCount).contains(elements.count) else {
                    throw JSONLinesError(.badRTData, "field \"\(path).vector\": expected 1 to 4 numbers")
                }
                var floats: [Float] = []
                for element in elements {
                    switch element {
                    case .integer(let number): floats.append(Float(number))
                    case .number(let number): floats.append(Float(number))
                    default:
                        throw JSONLinesError(
                            .badRTData,
                            "field \"\(path).vector\": expected numbers, got \(element.kindDescription)"
                        )
                    }
                }
                return .vector(floats)
            case ("data", _):
                return .data(try RTDataJSON(json: inner, path: "\(path).data", depth: depth + 1))
            case ("number", _), ("double", _), ("float", _), ("vector", _):
                throw JSONLinesError(
                    .badRTData,
                    "field \"\(path).\(kind)\": expected \(kind == "vector" ? "an array of numbers" : "a number"), "
                        + "got \(inner.kindDescription)"
                )
            default:
                break
            }
            fallthrough
        default:
            throw JSONLinesError(
                .badRTData,
                "field \"\(path)\": expected an integer, a string, or one of {\"double\":x}, {\"float\":x}, "
                    + "{\"vector\":[x,y,z,w]}, {\"data\":{…}}"
            )
        }
    }

    /// The canonical JSON text: slots ascending, integers and strings bare, other kinds wrapped.
    var jsonText: String {
        var object = JSONObjectWriter()
        for index in slots.keys.sorted() {
            // swift-format-ignore: NeverForceUnwrap
            object.add(dynamicKey: String(index), raw: Self.text(slots[index]!))
        }
        return object.finish()
    }

    private static func text(_ value: Value) -> String {
        switch value {
        case .number(let number): String(number)
        case .string(let text): JSONText.quoted(text)
        case .double(let number): "{\"double\":\(JSONText.number(number))}"
        case .float(let number): "{\"float\":\(JSONText.number(number))}"
        case .vector(let floats): "{\"vector\":[" + floats.map { JSONText.number($0) }.joined(separator: ",") + "]}"
        case .data(let nested): "{\"data\":\(nested.jsonText)}"
        }
    }
}
