/// A packet's op code (PROTOCOL.md §4). Developer op codes are positive; the protocol's are zero or negative.
///
/// A struct rather than an enum so that an op code this project does not know stays representable.
public struct OpCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32

    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    public init(_ rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// True for developer op codes (positive), false for the protocol's own.
    public var isDeveloper: Bool { rawValue > 0 }

    public var description: String { String(rawValue) }

    public static let login = OpCode(0)
    public static let loginResponse = OpCode(-1)
    public static let ping = OpCode(-2)
    public static let pingResult = OpCode(-3)
    public static let udpConnect = OpCode(-5)
    public static let udpConnectServerAck = OpCode(-6)
    public static let udpConnectClientAck = OpCode(-7)
    public static let playerReady = OpCode(-8)
    public static let joinGroup = OpCode(-10)
    public static let leaveGroup = OpCode(-11)
    public static let requestGroupMembership = OpCode(-12)
    public static let groupMembershipUpdate = OpCode(-13)
    public static let verifyIdentity = OpCode(-14)
    public static let verifyIdentityResponse = OpCode(-15)
    public static let playerConnect = OpCode(-101)
    public static let playerDisconnect = OpCode(-103)
    public static let gameStart = OpCode(-1000)
    public static let gameEnd = OpCode(-1001)
    public static let null = OpCode(-99_999)
}

/// The protocol's constants (PROTOCOL.md §4 and §12).
public enum RealtimeConstants {
    /// `targetPlayer` / `sender` value meaning "the server".
    public static let serverPeerId: Int32 = -1
    /// The SDK's internal client id.
    public static let clientInternalPeerId: Int32 = -2
    /// `targetGroup` value meaning every connected player.
    public static let allPlayersGroup: Int32 = -1
    /// "No peer", "no target player", "no target group".
    public static let noTarget: Int32 = 0
    /// `LoginCommand.clientVersion` the SDK sends.
    public static let clientVersion: Int32 = 2
    /// Largest payload of any message (the SDK throws above it).
    public static let maxPayload = 4096
    /// Largest payload the SDK sends over UDP; larger "fast" messages go reliably.
    public static let maxFastPayload = 1200
    /// Longest player session id a login may carry, in UTF-8 bytes (our rule; GameLift's are about 50).
    public static let maxPlayerSessionIdBytes = 256
    /// Largest WebSocket message the server accepts (our rule).
    public static let maxFrameSize = 64 * 1024
    /// Largest UDP datagram worth reading: a fast payload plus the packet's other fields.
    public static let maxDatagramSize = 2048
    /// Default maximum players per game session.
    public static let defaultMaxPlayers = 32
    /// Default server ping interval, milliseconds.
    public static let defaultPingIntervalMilliseconds = 3000
    /// Default TCP and UDP port.
    public static let defaultPort = 1900
}
