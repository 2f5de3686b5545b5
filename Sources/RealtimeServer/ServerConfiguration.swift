import Logging
import NIOCore
import RealtimeProtocol
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
    /// Event-loop threads; nil: one per core.
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
}
