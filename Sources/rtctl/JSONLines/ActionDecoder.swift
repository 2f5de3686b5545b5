import RealtimeProtocol

/// Turns one JSON line into a ``ClientAction``, or explains in one sentence what is wrong and where.
///
/// Message lines: `opCode` (required), `targetPlayer`, `targetGroup`, `reliable`, and at most one payload
/// field: `payload` (UTF-8 text), `payloadBase64`, `payloadHex`, `payloadJSON` (any JSON value, sent as its
/// compact text) or `data` (RTData, see `RTData+JSON.swift`). Other lines: `{"action":"joinGroup"|"leaveGroup"|
/// "requestGroupMembership","group":N}` and `{"action":"sleep","ms":N}`. Unknown fields are errors, so a
/// misspelt field name is caught rather than ignored.
struct ActionDecoder: Sendable {
    /// The largest payload accepted (the SDK's limit).
    var maxPayload: Int = RealtimeConstants.maxPayload
    /// The longest sleep accepted, in milliseconds (one day).
    var maxSleep: Int = 86_400_000

    static let messageFields: Set<String> = [
        "opCode", "targetPlayer", "targetGroup", "reliable", "payload", "payloadBase64", "payloadHex",
        "payloadJSON", "data",
    ]
    static let payloadFields = ["payload", "payloadBase64", "payloadHex", "payloadJSON", "data"]
    static let groupActions = ["joinGroup", "leaveGroup", "requestGroupMembership"]

    func decode(_ line: some Collection<UInt8>) throws(JSONLinesError) -> ClientAction {
        let json = try JSONValue.parse(line)
        guard case .object(let fields) = json else {
            throw JSONLinesError(.notAnObject, "expected a JSON object, got \(json.kindDescription)")
        }
        if fields["action"] != nil {
            return try action(fields)
        }
        if fields["opCode"] != nil {
            return .send(try message(fields))
        }
        throw JSONLinesError(.missingField, "expected an \"opCode\" (a message) or an \"action\" field")
    }

    private func message(_ fields: [String: JSONValue]) throws(JSONLinesError) -> OutgoingMessage {
        try rejectUnknown(fields, allowed: Self.messageFields, context: "a message")
        var message = OutgoingMessage(opCode: try int32(fields, "opCode"))
        if fields["targetPlayer"] != nil { message.targetPlayer = try int32(fields, "targetPlayer") }
        if fields["targetGroup"] != nil { message.targetGroup = try int32(fields, "targetGroup") }
        if let reliable = fields["reliable"] {
            guard case .bool(let value) = reliable else {
                throw JSONLinesError(
                    .wrongType,
                    "field \"reliable\": expected true or false, got \(reliable.kindDescription)"
                )
            }
            message.reliable = value
        }
        let given = Self.payloadFields.filter { fields[$0] != nil }
        guard given.count <= 1 else {
            throw JSONLinesError(
                .conflictingFields,
                "fields \(given.map { "\"\($0)\"" }.joined(separator: " and ")): give at most one payload field"
            )
        }
        if let name = given.first, let value = fields[name] {
            message.payload = try payload(name, value)
        }
        let size: Int
        switch message.payload {
        case .bytes(let bytes): size = bytes.count
        case .rtData: size = (try? message.payloadBuffer().readableBytes) ?? 0
        }
        if size > maxPayload {
            throw JSONLinesError(
                .payloadTooLarge,
                "field \"\(given.first ?? "payload")\": the payload is \(size) bytes; the limit is \(maxPayload)"
            )
        }
        return message
    }

    private func payload(_ name: String, _ value: JSONValue) throws(JSONLinesError) -> OutgoingMessage.Payload {
        if name == "data" { return .rtData(try RTData(json: value, path: "data")) }
        if name == "payloadJSON" { return .bytes(Array(value.compactText.utf8)) }
        guard case .string(let text) = value else {
            throw JSONLinesError(.wrongType, "field \"\(name)\": expected a string, got \(value.kindDescription)")
        }
        switch name {
        case "payloadBase64":
            guard let bytes = Base64.decode(text) else {
                throw JSONLinesError(.badEncoding, "field \"payloadBase64\": not valid base64")
            }
            return .bytes(bytes)
        case "payloadHex":
            guard let bytes = Hex.decode(text) else {
                throw JSONLinesError(.badEncoding, "field \"payloadHex\": expected pairs of hexadecimal digits")
            }
            return .bytes(bytes)
        default:
            return .bytes(Array(text.utf8))
        }
    }

    private func action(_ fields: [String: JSONValue]) throws(JSONLinesError) -> ClientAction {
        guard case .string(let name) = fields["action"] else {
            throw JSONLinesError(
                .wrongType,
                "field \"action\": expected a string, got \(fields["action"]?.kindDescription ?? "nothing")"
            )
        }
        switch name {
        case "joinGroup", "leaveGroup", "requestGroupMembership":
            try rejectUnknown(fields, allowed: ["action", "group"], context: "\"\(name)\"")
            let group = try int32(fields, "group")
            switch name {
            case "joinGroup": return .joinGroup(group)
            case "leaveGroup": return .leaveGroup(group)
            default: return .requestGroupMembership(group)
            }
        case "sleep":
            try rejectUnknown(fields, allowed: ["action", "ms"], context: "\"sleep\"")
            let milliseconds = try integer(fields, "ms")
            guard (0...Int64(maxSleep)).contains(milliseconds) else {
                throw JSONLinesError(.outOfRange, "field \"ms\": \(milliseconds) is not between 0 and \(maxSleep)")
            }
            return .sleep(milliseconds: Int(milliseconds))
        default:
            throw JSONLinesError(
                .unknownAction,
                "field \"action\": unknown action \(JSONText.quoted(name)) "
                    + "(expected joinGroup, leaveGroup, requestGroupMembership or sleep)"
            )
        }
    }

    private func rejectUnknown(
        _ fields: [String: JSONValue],
        allowed: Set<String>,
        context: String
    ) throws(JSONLinesError) {
        if let unknown = fields.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw JSONLinesError(
                .unknownField,
                "field \(JSONText.quoted(unknown)): not a field of \(context) "
                    + "(expected \(allowed.sorted().joined(separator: ", ")))"
            )
        }
    }

    private func integer(_ fields: [String: JSONValue], _ name: String) throws(JSONLinesError) -> Int64 {
        guard let value = fields[name] else {
            throw JSONLinesError(.missingField, "field \"\(name)\" is missing")
        }
        guard case .integer(let number) = value else {
            throw JSONLinesError(.wrongType, "field \"\(name)\": expected an integer, got \(value.kindDescription)")
        }
        return number
    }

    private func int32(_ fields: [String: JSONValue], _ name: String) throws(JSONLinesError) -> Int32 {
        let number = try integer(fields, name)
        guard let value = Int32(exactly: number) else {
            throw JSONLinesError(.outOfRange, "field \"\(name)\": \(number) does not fit in a 32-bit integer")
        }
        return value
    }
}
