import NIOCore
import RealtimeProtocol

/// What the server must do after the game session handled one event. Independent parts, each possibly empty; the
/// server performs them in this order: `sends`, `relay`, `closes`, then `later`; `notices` are for logs, metrics,
/// recordings and script notifications; each of `questions` must be answered with ``GameSession/decide(_:allow:)``.
public struct Effects: Sendable {
    /// Packets for single players, in order.
    public var sends: [Outbound] = []
    /// One message for many recipients, to be encoded once.
    public var relay: Relay?
    /// Connections to close, with a WebSocket close code and a reason.
    public var closes: [Close] = []
    /// Things that happened, for logs, metrics, recordings and the script.
    public var notices: [Notice] = []
    /// Questions for the script; what depends on an answer waits for it (the same player's later packets too).
    public var questions: [Question] = []
    /// Effects of later events (a sender's backlog carried out after a script's answer), carried out after these and
    /// in this order, so that what one player sent reaches each recipient in the order it was sent.
    public var later: [Effects] = []

    public init() {}

    public var isEmpty: Bool {
        sends.isEmpty && relay == nil && closes.isEmpty && notices.isEmpty && questions.isEmpty && later.isEmpty
    }

    /// Appends another event's effects after these: merged into these while the order of performing them stays the
    /// order of the events (no relay here yet), else kept as a later step.
    public mutating func append(_ other: Effects) {
        guard relay == nil, later.isEmpty else {
            later.append(other)
            return
        }
        sends += other.sends
        relay = other.relay
        closes += other.closes
        notices += other.notices
        questions += other.questions
        later = other.later
    }
}

/// How a packet leaves the server.
public enum Route: Hashable, Sendable {
    /// On the player's WebSocket, as one binary message.
    case reliable(ConnectionID)
    /// On the fast port's UDP socket to this endpoint, stamped with this sequence number.
    case fast(UDPEndpoint, sequenceNumber: Int32)
}

/// A packet for one player.
public struct Outbound: Sendable {
    public var packet: Packet
    public var peerId: Int32
    public var route: Route

    public init(packet: Packet, peerId: Int32, route: Route) {
        self.packet = packet
        self.peerId = peerId
        self.route = route
    }
}

/// One message for many recipients. `packet` carries the relayed fields; the server sets `reliable` and
/// `sequenceNumber` by the route it takes (`reliable:true` and no sequence number on the WebSocket).
public struct Relay: Sendable {
    public var packet: Packet
    /// The message is "fast" (unreliable): it arrived over UDP or the script sent it unreliably. Its WebSocket copies
    /// may be dropped for a slow consumer.
    public var isFast: Bool
    /// Recipients on the reliable channel.
    public var reliable: [ReliableRecipient] = []
    /// Recipients on the fast channel, each with the sequence number its datagram must carry.
    public var fast: [FastRecipient] = []

    public init(packet: Packet, isFast: Bool) {
        self.packet = packet
        self.isFast = isFast
    }

    public var recipientCount: Int { reliable.count + fast.count }
}

public struct ReliableRecipient: Hashable, Sendable {
    public var peerId: Int32
    public var connection: ConnectionID
}

public struct FastRecipient: Hashable, Sendable {
    public var peerId: Int32
    public var endpoint: UDPEndpoint
    public var sequenceNumber: Int32
}

/// A connection to close.
public struct Close: Hashable, Sendable {
    public var connection: ConnectionID
    public var code: CloseCode
    public var reason: String
}

/// WebSocket close codes the server uses (RFC 6455 §7.4.1).
public struct CloseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let normal = CloseCode(rawValue: 1000)
    public static let goingAway = CloseCode(rawValue: 1001)
    public static let protocolError = CloseCode(rawValue: 1002)
    public static let unacceptableData = CloseCode(rawValue: 1003)
    public static let policyViolation = CloseCode(rawValue: 1008)
    public static let messageTooBig = CloseCode(rawValue: 1009)
    /// Our code (the 4000–4999 range is for applications): a new connection with the same player session id took
    /// this connection's slot.
    public static let replaced = CloseCode(rawValue: 4000)

    public var description: String { String(rawValue) }
}

/// Why an input was dropped (counted and logged; it changed nothing).
public enum DropReason: String, Hashable, Sendable, CaseIterable {
    /// A datagram from an address no player is associated with.
    case unassociatedSource
    /// A datagram whose `sender` disagrees with its source address's association.
    case senderMismatch
    /// A `-5` for a peer that is not logged in, from the wrong IP, or from an address bound to another peer.
    case udpConnectRejected
    /// A packet from a player with too many packets already waiting for the script's answers.
    case scriptBacklog
    /// A datagram whose sequence number is not greater than the last one accepted from that peer.
    case staleSequence
    /// A payload over 4096 bytes, or over 1200 bytes on UDP.
    case payloadTooLarge
    /// A message with no valid target, to an unknown player or to an empty group.
    case noRecipient
    /// An op code the server does not handle from a client.
    case unexpectedOpCode
    /// A malformed datagram.
    case malformedDatagram
    /// A fast message dropped because the recipient's outbound queue was full.
    case slowConsumer
    /// A message over its sender's rate limit, or a datagram over its source address's limit.
    case rateLimited
    /// Secure mode: a `verifyIdentity` with a wrong token or for a peer that is not logged in, a `-5`, or a datagram
    /// that is not DTLS.
    case identityRejected
    /// A datagram the kernel would not send (an address it cannot reach, say); the others in its batch still leave.
    case sendFailed
}

/// Something that happened in the session.
public enum Notice: Sendable {
    case loginRefused(ConnectionID, playerSessionId: String, reason: String)
    case playerAccepted(Player)
    /// The player left; it was still listed until now. `reason` says why.
    case playerDisconnected(Player, reason: String)
    /// The player's connection was lost; its slot waits for a reconnect (``GameSession/Configuration/reconnectGrace``).
    case playerLost(Player, reason: String)
    /// A new connection took the player's slot over; `previous` was its connection until now.
    case playerReconnected(Player, previous: ConnectionID)
    /// A `-5` from `from` claimed a peer whose association with `boundTo` is live: refused.
    case udpRebindRefused(peerId: Int32, from: UDPEndpoint, boundTo: UDPEndpoint)
    case udpAssociated(peerId: Int32, endpoint: UDPEndpoint)
    case fastReady(peerId: Int32)
    case joinedGroup(peerId: Int32, group: Int32)
    case leftGroup(peerId: Int32, group: Int32)
    case groupRequestRefused(peerId: Int32, group: Int32, join: Bool, reason: String)
    /// A message for the server (targetPlayer -1): the script's `onMessage`.
    case messageToServer(Packet, peerId: Int32)
    /// A player's or the script's message and the peers it was delivered to (none: refused by the script, or no
    /// such target). Reported only with `reportDeliveries` (for recordings).
    case delivered(Packet, recipients: [Int32])
    case dropped(DropReason, peerId: Int32?, detail: String)
}

/// A player of the session.
public struct Player: Hashable, Sendable {
    public var peerId: Int32
    public var playerSessionId: String
    public var connection: ConnectionID
    public var host: HostKey?
    /// The `ConnectionToken.payload` the client sent with its login.
    public var connectPayload: ByteBuffer

    public init(
        peerId: Int32,
        playerSessionId: String,
        connection: ConnectionID,
        host: HostKey?,
        connectPayload: ByteBuffer
    ) {
        self.peerId = peerId
        self.playerSessionId = playerSessionId
        self.connection = connection
        self.host = host
        self.connectPayload = connectPayload
    }
}

/// A question for the server script, asked only for hooks the script defines.
public enum Decision: Hashable, Sendable {
    /// `onPlayerConnect`: accept this login?
    case login(Player)
    /// `onPlayerJoinGroup`.
    case joinGroup(peerId: Int32, group: Int32)
    /// `onPlayerLeaveGroup`.
    case leaveGroup(peerId: Int32, group: Int32)
    /// `onSendToPlayer` (`targetGroup` 0) or `onSendToGroup`: deliver this message? `fast` tells whether it arrived
    /// over UDP (and so may leave over UDP).
    case deliver(Packet, peerId: Int32, fast: Bool)
}

/// The answer to a question: allow, or refuse with the reason a refused login's close frame carries.
public struct Verdict: Hashable, Sendable {
    public var allowed: Bool
    /// Why it was refused (nil: the default reason, "rejected by script" for a login).
    public var reason: String?

    public static let allow = Verdict(allowed: true, reason: nil)

    public static func refuse(_ reason: String? = nil) -> Verdict {
        Verdict(allowed: false, reason: reason)
    }
}

/// The script hooks a session asks about; a hook not listed is never asked (no round trip).
public struct Hooks: OptionSet, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let playerConnect = Hooks(rawValue: 1 << 0)
    public static let joinGroup = Hooks(rawValue: 1 << 1)
    public static let leaveGroup = Hooks(rawValue: 1 << 2)
    public static let sendToPlayer = Hooks(rawValue: 1 << 3)
    public static let sendToGroup = Hooks(rawValue: 1 << 4)
}
