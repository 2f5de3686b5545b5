import RealtimeProtocol

/// GameSparks RTData as the command line reads and writes it (SCRIPTS.md, "RTData on the GameLift wire"), on top of
/// the protocol module's ``RTData``.
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
extension RTData {
    /// Reads the JSON form; `path` names the field in error messages (`data`, `data.3`, …).
    init(json: JSONValue, path: String = "data") throws(JSONLinesError) {
        try self.init(json: json, path: path, depth: 1)
    }

    private init(json: JSONValue, path: String, depth: Int) throws(JSONLinesError) {
        guard depth <= Self.defaultMaxDepth else {
            throw JSONLinesError(
                .badRTData,
                "field \"\(path)\": RTData nested deeper than \(Self.defaultMaxDepth) levels"
            )
        }
        guard case .object(let fields) = json else {
            throw JSONLinesError(
                .wrongType,
                "field \"\(path)\": expected an RTData object like {\"1\":7}, got \(json.kindDescription)"
            )
        }
        self.init()
        for key in fields.keys.sorted() {
            guard let index = Int(key), String(index) == key, Self.slots.contains(index) else {
                throw JSONLinesError(
                    .badRTData,
                    "field \"\(path)\": slot \(JSONText.quoted(key)) is not an index from 1 to 127"
                )
            }
            // swift-format-ignore: NeverForceUnwrap
            self[index] = try Self.value(fields[key]!, path: "\(path).\(key)", depth: depth)
        }
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
                guard vectorComponents.contains(elements.count) else {
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
                return .data(try RTData(json: inner, path: "\(path).data", depth: depth + 1))
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
        for (slot, value) in values {
            object.add(dynamicKey: String(slot), raw: Self.text(value))
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
