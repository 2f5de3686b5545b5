import NIOCore

/// One protocol message: the `Packet` of PROTOCOL.md §3.
///
/// Every field has its proto3 default when absent on the wire. `payload` is a slice of the buffer the packet was
/// decoded from, so relaying a payload does not copy it.
public struct Packet: Hashable, Sendable {
    public var opCode: OpCode
    /// Only meaningful on the fast (UDP) channel; 0 (absent) on the reliable channel.
    public var sequenceNumber: Int32
    public var targetPlayer: Int32
    public var targetGroup: Int32
    public var sender: Int32
    public var reliable: Bool
    /// Never set by the official SDK; kept for completeness.
    public var clientVersion: Int32
    public var payload: ByteBuffer
    public var message: Message?

    public init(
        opCode: OpCode,
        sequenceNumber: Int32 = 0,
        targetPlayer: Int32 = 0,
        targetGroup: Int32 = 0,
        sender: Int32 = 0,
        reliable: Bool = false,
        clientVersion: Int32 = 0,
        payload: ByteBuffer = ByteBuffer(),
        message: Message? = nil
    ) {
        self.opCode = opCode
        self.sequenceNumber = sequenceNumber
        self.targetPlayer = targetPlayer
        self.targetGroup = targetGroup
        self.sender = sender
        self.reliable = reliable
        self.clientVersion = clientVersion
        self.payload = payload
        self.message = message
    }

    /// The `oneof message` of `Packet`, by field number 30–43.
    public enum Message: Hashable, Sendable {
        case login(LoginCommand)
        case loginResult(LoginResult)
        case ping
        case pingResult
        case udpConnect
        case playerConnect(peerId: Int32)
        case playerDisconnect(peerId: Int32)
        case verifyIdentity(VerifyIdentityCommand)
        case verifyIdentityResult(VerifyIdentityResult)
        case joinGroup(group: Int32)
        case leaveGroup(group: Int32)
        case requestGroupMembership(group: Int32)
        case groupMembershipUpdate(GroupMembershipUpdate)
    }
}

public struct LoginCommand: Hashable, Sendable {
    public var playerSessionId: String
    public var clientVersion: Int32

    public init(playerSessionId: String = "", clientVersion: Int32 = 0) {
        self.playerSessionId = playerSessionId
        self.clientVersion = clientVersion
    }
}

public struct LoginResult: Hashable, Sendable {
    public var success: Bool
    public var reconnectToken: String
    public var peerId: Int32
    public var fastPort: Int32
    public var caCert: ByteBuffer
    public var connectToken: String

    public init(
        success: Bool = false,
        reconnectToken: String = "",
        peerId: Int32 = 0,
        fastPort: Int32 = 0,
        caCert: ByteBuffer = ByteBuffer(),
        connectToken: String = ""
    ) {
        self.success = success
        self.reconnectToken = reconnectToken
        self.peerId = peerId
        self.fastPort = fastPort
        self.caCert = caCert
        self.connectToken = connectToken
    }
}

public struct VerifyIdentityCommand: Hashable, Sendable {
    public var peerId: Int32
    public var connectToken: String

    public init(peerId: Int32 = 0, connectToken: String = "") {
        self.peerId = peerId
        self.connectToken = connectToken
    }
}

public struct VerifyIdentityResult: Hashable, Sendable {
    public var success: Bool
    public var peerId: Int32

    public init(success: Bool = false, peerId: Int32 = 0) {
        self.success = success
        self.peerId = peerId
    }
}

public struct GroupMembershipUpdate: Hashable, Sendable {
    public var group: Int32
    public var players: [Int32]

    public init(group: Int32 = 0, players: [Int32] = []) {
        self.group = group
        self.players = players
    }
}
