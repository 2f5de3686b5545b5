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

    public init(session: GameSession.Configuration) {
        self.session = session
    }
}
