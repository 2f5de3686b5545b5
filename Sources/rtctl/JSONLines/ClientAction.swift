import RealtimeProtocol

/// One thing a client is asked to do: a line of `connect`/`send` input (CLI.md, "JSON lines").
enum ClientAction: Hashable, Sendable {
    case send(OutgoingMessage)
    case joinGroup(Int32)
    case leaveGroup(Int32)
    case requestGroupMembership(Int32)
    case sleep(milliseconds: Int)
}

/// A message to send, with the `RTMessage` field names.
struct OutgoingMessage: Hashable, Sendable {
    enum Payload: Hashable, Sendable {
        /// Bytes as given (`payload`, `payloadBase64`, `payloadHex`, `payloadJSON`).
        case bytes([UInt8])
        /// RTData (`data`), serialized into the payload by the protocol module's RTData codec.
        case rtData(RTData)
    }

    var opCode: Int32
    /// nil: not given (the client decides its default).
    var targetPlayer: Int32?
    /// nil: not given.
    var targetGroup: Int32?
    /// `false` (fast) unless the line says `"reliable":true`, like the SDK.
    var reliable: Bool
    var payload: Payload

    init(
        opCode: Int32,
        targetPlayer: Int32? = nil,
        targetGroup: Int32? = nil,
        reliable: Bool = false,
        payload: Payload = .bytes([])
    ) {
        self.opCode = opCode
        self.targetPlayer = targetPlayer
        self.targetGroup = targetGroup
        self.reliable = reliable
        self.payload = payload
    }
}
