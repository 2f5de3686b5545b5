/// Renders a ``ClientEvent`` as one JSON line, fields in CLI.md's order: `event` first, `time` last.
///
///     {"event":"connected","peerId":3,"fastPort":1900,"time":"2026-11-21T10:00:00.123456Z"}
///     {"event":"message","opCode":10,"sender":3,"targetPlayer":0,"targetGroup":2,"reliable":false,"payload":"hi","time":"…"}
struct EventEncoder: Sendable {
    /// Decodes RTData payload bytes for `--payload-format rtdata`; nil or a throwing decoder falls back to auto.
    typealias RTDataDecoder = @Sendable ([UInt8]) throws -> RTDataJSON

    var payloadFormat: PayloadFormat
    var rtDataDecoder: RTDataDecoder?

    init(payloadFormat: PayloadFormat = .auto, rtDataDecoder: RTDataDecoder? = nil) {
        self.payloadFormat = payloadFormat
        self.rtDataDecoder = rtDataDecoder
    }

    /// The JSON object for `event`, without a trailing newline.
    func encode(_ event: ClientEvent) -> String {
        var object = JSONObjectWriter()
        switch event.kind {
        case .connected(let peerId, let fastPort):
            object.add("event", string: "connected")
            object.add("peerId", integer: peerId)
            object.add("fastPort", integer: fastPort)
        case .fastReady:
            object.add("event", string: "fastReady")
        case .message(let message):
            object.add("event", string: "message")
            object.add("opCode", integer: message.opCode)
            object.add("sender", integer: message.sender)
            object.add("targetPlayer", integer: message.targetPlayer)
            object.add("targetGroup", integer: message.targetGroup)
            object.add("reliable", bool: message.reliable)
            let (field, value) = payloadField(message.payload)
            object.add(dynamicKey: field, raw: value)
        case .groupMembership(let group, let players):
            object.add("event", string: "groupMembership")
            object.add("group", integer: group)
            object.add("players", raw: "[" + players.map { String($0) }.joined(separator: ",") + "]")
        case .disconnected(let reason):
            object.add("event", string: "disconnected")
            object.add("reason", string: reason)
        }
        object.add("time", string: event.time.iso8601(fractionDigits: 6))
        return object.finish()
    }

    /// The payload's field name and its JSON value text.
    func payloadField(_ payload: [UInt8]) -> (String, String) {
        switch payloadFormat {
        case .auto, .text:
            break
        case .base64:
            return ("payloadBase64", JSONText.quoted(Base64.encode(payload)))
        case .hex:
            return ("payloadHex", JSONText.quoted(Hex.encode(payload)))
        case .rtdata:
            if let rtDataDecoder, let data = try? rtDataDecoder(payload) {
                return ("data", data.jsonText)
            }
        case .json:
            if !payload.isEmpty, let value = try? JSONValue.parse(payload) {
                return ("payloadJSON", value.compactText)
            }
        }
        if let text = String(validating: payload, as: UTF8.self) {
            return ("payload", JSONText.quoted(text))
        }
        return ("payloadBase64", JSONText.quoted(Base64.encode(payload)))
    }
}
