/// Something a client saw, as the command line prints it (CLI.md, "Events").
struct ClientEvent: Hashable, Sendable {
    enum Kind: Hashable, Sendable {
        /// The login succeeded: our peer id and the server's UDP port.
        case connected(peerId: Int32, fastPort: Int)
        /// The UDP association is up: fast messages now travel over UDP.
        case fastReady
        case message(ReceivedMessage)
        case groupMembership(group: Int32, players: [Int32])
        case disconnected(reason: String)
    }

    var kind: Kind
    var time: WallClockTime

    init(_ kind: Kind, time: WallClockTime = .now()) {
        self.kind = kind
        self.time = time
    }
}

/// A message as received, with the `RTMessage` field names.
struct ReceivedMessage: Hashable, Sendable {
    var opCode: Int32
    var sender: Int32
    var targetPlayer: Int32
    var targetGroup: Int32
    var reliable: Bool
    var payload: [UInt8]
}
