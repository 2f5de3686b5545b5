import NIOCore
import RealtimeClient
import RealtimeProtocol

/// Renders a ``RealtimeClient`` event as one JSON line, fields in CLI.md's order: `event` first, `time` last.
///
///     {"event":"connected","peerId":3,"fastPort":1900,"time":"2026-11-21T10:00:00.123456Z"}
///     {"event":"message","opCode":10,"sender":3,"targetPlayer":0,"targetGroup":2,"reliable":false,"payload":"hi","time":"…"}
///     {"event":"disconnected","reason":"closed by server (1008: game session full)","code":1008,"time":"…"}
///
/// `reliable` says which channel delivered the message (true: the WebSocket). A `disconnected` event carries the close
/// code in `code` when the server sent one.
struct EventEncoder: Sendable {
    var payloadFormat: PayloadFormat

    init(payloadFormat: PayloadFormat = .auto) {
        self.payloadFormat = payloadFormat
    }

    /// The JSON object for `event`, without a trailing newline. `closedByClient`: the client asked to close, so a
    /// `disconnected` event says "closed by client" whatever the socket reported.
    func encode(_ event: ClientEvent, time: WallClockTime = .now(), closedByClient: Bool = false) -> String {
        var object = JSONObjectWriter()
        switch event {
        case .connected(let peerId, let fastPort):
            object.add("event", string: "connected")
            object.add("peerId", integer: peerId)
            object.add("fastPort", integer: fastPort)
        case .fastReady:
            object.add("event", string: "fastReady")
        case .message(let packet):
            object.add("event", string: "message")
            object.add("opCode", integer: packet.opCode.rawValue)
            object.add("sender", integer: packet.sender)
            object.add("targetPlayer", integer: packet.targetPlayer)
            object.add("targetGroup", integer: packet.targetGroup)
            object.add("reliable", bool: packet.reliable)
            let (field, value) = payloadField(packet.payload.readableBytesView)
            object.add(dynamicKey: field, raw: value)
        case .groupMembership(let group, let players):
            object.add("event", string: "groupMembership")
            object.add("group", integer: group)
            object.add("players", raw: "[" + players.map { String($0) }.joined(separator: ",") + "]")
        case .disconnected(let reason, let code):
            object.add("event", string: "disconnected")
            object.add(
                "reason",
                string: Self.disconnectReason(reason: reason, code: code, closedByClient: closedByClient)
            )
            if let code, !closedByClient { object.add("code", integer: Int(code)) }
        }
        object.add("time", string: time.iso8601(fractionDigits: 6))
        return object.finish()
    }

    /// `closed by client`, `closed by server (1008: game session full)`, or what ended the connection.
    static func disconnectReason(reason: String, code: UInt16?, closedByClient: Bool) -> String {
        if closedByClient { return "closed by client" }
        guard let code else { return reason.isEmpty ? "connection lost" : reason }
        return reason.isEmpty ? "closed by server (\(code))" : "closed by server (\(code): \(reason))"
    }

    /// The payload's field name and its JSON value text.
    func payloadField(_ payload: some Collection<UInt8>) -> (String, String) {
        switch payloadFormat {
        case .auto, .text:
            break
        case .base64:
            return ("payloadBase64", JSONText.quoted(Base64.encode(payload)))
        case .hex:
            return ("payloadHex", JSONText.quoted(Hex.encode(payload)))
        case .rtdata:
            if !payload.isEmpty, let data = try? RTData(decoding: ByteBuffer(bytes: payload)) {
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
