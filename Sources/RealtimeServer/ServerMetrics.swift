import Metrics
import RealtimeSession

/// The server's counters, created once with fixed labels and dimensions (never one per player).
struct ServerMetrics: Sendable {
    /// `rtctl_dropped_total{reason}`: inputs and outputs dropped, one series per ``DropReason``.
    private let dropped: [DropReason: Counter]
    /// `rtctl_connections_total`: WebSocket connections accepted.
    let connections: Counter
    /// `rtctl_logins_total{result="accepted"|"refused"}`.
    let loginsAccepted: Counter
    let loginsRefused: Counter
    /// `rtctl_messages_received_total{channel}`: well-formed packets from clients.
    let receivedReliable: Counter
    let receivedFast: Counter
    /// `rtctl_bytes_received_total{channel}`: bytes of WebSocket messages and datagrams from clients.
    let bytesReceivedReliable: Counter
    let bytesReceivedFast: Counter
    /// `rtctl_messages_relayed_total`: player messages delivered (one per message, whatever its recipient count).
    let relayed: Counter
    /// `rtctl_packets_sent_total{channel}` and `rtctl_bytes_sent_total{channel}`: what left the server.
    let sentReliable: Counter
    let sentFast: Counter
    let bytesSentReliable: Counter
    let bytesSentFast: Counter
    /// `rtctl_connections_refused_total`: connections closed at once, over `--max-connections`.
    let refusedConnections: Counter
    /// `rtctl_pending_evicted_total`: connections that had not logged in, closed to make room (`--max-pending`).
    let evictedPending: Counter
    /// `rtctl_login_timeouts_total`: connections closed for not logging in within `--login-timeout`.
    let loginTimeouts: Counter
    /// `rtctl_rate_limited_total{channel="reliable"}`: WebSocket messages that waited for the rate limit (they are
    /// delayed, not dropped; datagrams over the limit are dropped and counted in `rtctl_dropped_total`).
    let rateLimitedReliable: Counter
    /// `rtctl_rate_limit_kicks_total`: players disconnected for staying far over their rate limit.
    let rateLimitKicks: Counter
    /// `rtctl_slow_consumer_kicks_total{limit="backlog"|"lag"}`: players closed for not reading.
    let slowConsumerBacklogKicks: Counter
    let slowConsumerLagKicks: Counter

    init(factory: any MetricsFactory) {
        var dropped: [DropReason: Counter] = [:]
        for reason in DropReason.allCases {
            dropped[reason] = Counter(
                label: "rtctl_dropped_total",
                dimensions: [("reason", reason.rawValue)],
                factory: factory
            )
        }
        self.dropped = dropped
        func counter(_ label: String, _ dimensions: [(String, String)] = []) -> Counter {
            Counter(label: label, dimensions: dimensions, factory: factory)
        }
        self.connections = counter("rtctl_connections_total")
        self.loginsAccepted = counter("rtctl_logins_total", [("result", "accepted")])
        self.loginsRefused = counter("rtctl_logins_total", [("result", "refused")])
        self.receivedReliable = counter("rtctl_messages_received_total", [("channel", "reliable")])
        self.receivedFast = counter("rtctl_messages_received_total", [("channel", "fast")])
        self.bytesReceivedReliable = counter("rtctl_bytes_received_total", [("channel", "reliable")])
        self.bytesReceivedFast = counter("rtctl_bytes_received_total", [("channel", "fast")])
        self.relayed = counter("rtctl_messages_relayed_total")
        self.sentReliable = counter("rtctl_packets_sent_total", [("channel", "reliable")])
        self.sentFast = counter("rtctl_packets_sent_total", [("channel", "fast")])
        self.bytesSentReliable = counter("rtctl_bytes_sent_total", [("channel", "reliable")])
        self.bytesSentFast = counter("rtctl_bytes_sent_total", [("channel", "fast")])
        self.refusedConnections = counter("rtctl_connections_refused_total")
        self.evictedPending = counter("rtctl_pending_evicted_total")
        self.loginTimeouts = counter("rtctl_login_timeouts_total")
        self.rateLimitKicks = counter("rtctl_rate_limit_kicks_total")
        self.rateLimitedReliable = counter("rtctl_rate_limited_total", [("channel", "reliable")])
        self.slowConsumerBacklogKicks = counter("rtctl_slow_consumer_kicks_total", [("limit", "backlog")])
        self.slowConsumerLagKicks = counter("rtctl_slow_consumer_kicks_total", [("limit", "lag")])
    }

    func dropped(_ reason: DropReason) {
        dropped[reason]?.increment()
    }
}
