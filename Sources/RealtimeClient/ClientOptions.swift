import Logging
import NIOCore
import NIOPosix
import RealtimeProtocol

/// How a ``RealtimeClient`` connects and logs in.
public struct ClientOptions: Sendable {
    public var playerSessionId: String
    /// The `ConnectionToken.payload` bytes sent with the login.
    public var connectPayload: ByteBuffer
    /// Keep everything on the WebSocket (`--no-udp`).
    public var noUDP: Bool
    /// Both sockets of one client live on one loop of this group; thousands of clients can share it.
    public var eventLoopGroup: any EventLoopGroup
    public var logger: Logger
    /// The limit for the TCP connection, the WebSocket upgrade and the login together.
    public var connectTimeout: TimeAmount
    /// How many events may wait for the consumer before the client stops reading its sockets (TCP back-pressure
    /// on the WebSocket; on UDP the kernel drops what does not fit).
    public var eventBufferSize: Int
    /// When set, every event is handed to this closure on the client's event loop, in order, and ``RealtimeClient/events``
    /// yields nothing. For callers that run thousands of clients and must not pay a task hop per message (a load
    /// generator); the closure must not block.
    public var eventHandler: (@Sendable (ClientEvent) -> Void)?
    /// How a `wss://` endpoint's certificates are checked; nil: the system's trust roots, fully verified.
    public var tls: ClientTLS?
    /// Datagrams read from the UDP socket with one system call (recvmmsg where the system has it). 1 (the default)
    /// reads one per readiness event, the cheapest when datagrams are rare; a load generator that receives many
    /// raises it.
    public var datagramReadBatch = 1

    public init(
        playerSessionId: String,
        connectPayload: ByteBuffer = ByteBuffer(),
        noUDP: Bool = false,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "rtctl.client", factory: { _ in SwiftLogNoOpLogHandler() }),
        connectTimeout: TimeAmount = .seconds(10),
        eventBufferSize: Int = 1024,
        eventHandler: (@Sendable (ClientEvent) -> Void)? = nil,
        tls: ClientTLS? = nil
    ) {
        self.playerSessionId = playerSessionId
        self.connectPayload = connectPayload
        self.noUDP = noUDP
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.connectTimeout = connectTimeout
        self.eventBufferSize = eventBufferSize
        self.eventHandler = eventHandler
        self.tls = tls
    }
}

/// Something that happened to a ``RealtimeClient``.
public enum ClientEvent: Hashable, Sendable {
    /// The login succeeded (always the first event).
    case connected(peerId: Int32, fastPort: Int)
    /// The UDP handshake is done (secure mode: DTLS and `verifyIdentity`): fast messages now travel over UDP.
    case fastReady
    /// A packet for the game. `reliable` tells which channel delivered it (true: the WebSocket).
    case message(Packet)
    /// A group's members, in answer to a membership request or as an update from the server.
    case groupMembership(group: Int32, players: [Int32])
    /// The connection closed (always the last event). `code` is the close frame's, nil when the connection ended
    /// without one; `reason` is the close frame's reason or what happened.
    case disconnected(reason: String, code: UInt16?)
}
