import Logging
import NIOCore
import NIOPosix
import RealtimeProtocol
import RealtimeSecurity
import RealtimeSession

/// Everything `rtctl serve` can be told.
public struct ServerConfiguration: Sendable {
    /// The address to listen on (`0.0.0.0`, `::`, `127.0.0.1`, …).
    public var host: String = "0.0.0.0"
    /// The WebSocket (TCP) port; 0 picks a free port.
    public var port: Int = RealtimeConstants.defaultPort
    /// The UDP port; nil: the same number as the TCP port (when `port` is 0, the TCP port picked).
    public var udpPort: Int?
    /// Server WebSocket ping interval; a connection silent for three intervals is closed.
    public var pingInterval: TimeAmount = .milliseconds(Int64(RealtimeConstants.defaultPingIntervalMilliseconds))
    /// The game session: id, capacity, reserved ids, announcements, UDP source rule, script hooks.
    public var session: GameSession.Configuration
    /// Bytes a player's reliable backlog may reach before the player is closed as a slow consumer.
    public var maxReliableBacklog: Int = 4 * 1024 * 1024
    /// Bytes a player's fast backlog may reach before fast messages to it are dropped.
    public var maxFastBacklog: Int = 256 * 1024
    /// A connection must log in within this time of being accepted, or it is closed (1008 "login timeout").
    public var loginTimeout: TimeAmount = .seconds(5)
    /// Connections that have not logged in, at most; a new one closes the oldest of them.
    public var maxPending: Int = 1024
    /// TCP connections at once, at most; nil: `maxPlayers + maxPending + 64`, within the open-file limit.
    /// Given, it is used as is (past the open-file limit the server stops accepting for a while instead).
    public var maxConnections: Int?
    /// The open-file limit in force (the executable raises the soft limit at start); bounds `maxConnections`.
    public var openFileLimit: Int?
    /// The limit on each player's WebSocket messages (its datagrams: `session.fastRateLimit`).
    public var reliableRateLimit: RateLimit = .default
    /// A player whose oldest unsent reliable message is older than this is closed ("too slow"); nil: no limit.
    public var maxLag: TimeAmount? = .seconds(5)
    /// SO_RCVBUF of the UDP socket: a bound on how late a datagram can be read. The kernel holds datagrams up to this
    /// many bytes (counting its own overhead, about 1 KiB for a small datagram, and doubling the value) while the server
    /// is busy or off the CPU; past it new datagrams are dropped. Fast messages are worth nothing late, so the default
    /// keeps it small (a few tens of milliseconds at full load); capped by net.core.rmem_max.
    public var udpReceiveBuffer: Int = 256 * 1024
    /// Reliable writes leave at most this often (see `SessionHost`): batching under load, no delay when quiet.
    public var flushInterval: TimeAmount = .milliseconds(1)
    /// Event-loop threads for the connections; nil: one per core.
    public var threads: Int?
    /// The server script, if any (GameLift or GameSparks Realtime script, run on Node.js).
    public var script: ScriptOptions?
    /// Write every event of the session to this file (a recording, CLI.md "Recording format").
    public var recordPath: String?
    /// Take the first port of this range where both listeners bind (TCP and UDP on the same number); overrides
    /// `port` and `udpPort`.
    public var portRange: ClosedRange<Int>?
    /// The UDP port announced to players in login results when it differs from the bound one (a container's port
    /// mapped to another port on the host).
    public var advertisedUDPPort: Int?
    /// Secure mode (`serve --tls-cert/--tls-key/--tls-ca`): wss on the WebSocket port and DTLS 1.2 on the fast port;
    /// plain ws:// and plain UDP are refused. nil: unsecured.
    public var tls: ServerIdentity?
    /// Settings given on the command line: they win over the script's `configuration`, with a warning.
    public var explicitSettings: ExplicitSettings = []

    /// Settings a script's `configuration` may also set.
    public struct ExplicitSettings: OptionSet, Sendable {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        public static let maxPlayers = ExplicitSettings(rawValue: 1 << 0)
        public static let pingInterval = ExplicitSettings(rawValue: 1 << 1)
    }

    public init(session: GameSession.Configuration) {
        self.session = session
    }

    /// Descriptors kept free for everything but player connections (the UDP socket, the script host's pipes, logs,
    /// recordings): 64, or a quarter of a smaller limit.
    static func reservedDescriptors(openFileLimit: Int?) -> Int {
        min(64, (openFileLimit ?? .max) / 4)
    }

    /// The connection cap in force: `maxConnections` as given, or else room for every player and every pending
    /// connection, within what the open-file limit leaves.
    public var effectiveMaxConnections: Int {
        if let maxConnections { return maxConnections }
        let reserved = Self.reservedDescriptors(openFileLimit: openFileLimit)
        let wanted = session.maxPlayers + maxPending + reserved
        guard let openFileLimit else { return wanted }
        return max(1, min(wanted, openFileLimit - reserved))
    }

    /// The event-loop threads the connections share: `threads`, or one per core. The session lives on the first of
    /// them, or on a thread of its own besides (``sessionLoop``).
    public var connectionThreads: Int { max(1, threads ?? System.coreCount) }

    /// Where the game session (with its UDP socket and the script host's pipe) runs.
    public enum SessionLoop: String, Sendable, CaseIterable {
        /// On a loop of its own with a script, on the connections' first loop without one.
        case auto
        /// On a loop of its own, which no connection uses.
        case own
        /// On the connections' first loop.
        case shared
    }

    public var sessionLoop: SessionLoop = .auto

    /// Whether the session gets a loop of its own. A hooked message waits twice on the session's loop (to be asked,
    /// and for its answer to be read from the script host's pipe), and a loop that also reads and writes its share
    /// of the connections reads the answers late; without hooks the extra thread only competes for the cores.
    var sessionHasOwnLoop: Bool {
        switch sessionLoop {
        case .auto: script != nil
        case .own: true
        case .shared: false
        }
    }

    /// How many bound players get a UDP socket of their own (``PlayerSockets``): every player, within what the
    /// open-file limit leaves beside the connections and twice the reserve.
    var playerSocketCapacity: Int {
        guard let openFileLimit else { return session.maxPlayers }
        let left =
            openFileLimit - effectiveMaxConnections - 2 * Self.reservedDescriptors(openFileLimit: openFileLimit)
        return max(0, min(session.maxPlayers, left))
    }
}
