import Atomics
import Metrics
import RealtimeSession

/// The server's metrics, created once with fixed labels and dimensions (never one per player).
///
/// Counters also keep their running total in memory (``TalliedCounter``), so that the status page can show rates
/// whatever metrics backend is bootstrapped. Gauges (players, groups, health, script state) are set from a
/// ``StatusSnapshot`` when one is taken (``record(_:)``), not on the packet path.
final class ServerMetrics: Sendable {
    /// `rtctl_dropped_total{reason}`: inputs and outputs dropped, one series per ``DropReason``.
    private let dropped: [DropReason: TalliedCounter]
    /// `rtctl_connections_total`: WebSocket connections accepted.
    let connections: TalliedCounter
    /// `rtctl_logins_total{result="accepted"|"refused"}`.
    let loginsAccepted: TalliedCounter
    let loginsRefused: TalliedCounter
    /// `rtctl_messages_received_total{channel}`: well-formed packets from clients.
    let receivedReliable: TalliedCounter
    let receivedFast: TalliedCounter
    /// `rtctl_bytes_received_total{channel}`: bytes of WebSocket messages and datagrams from clients.
    let bytesReceivedReliable: TalliedCounter
    let bytesReceivedFast: TalliedCounter
    /// `rtctl_messages_relayed_total`: player messages delivered (one per message, whatever its recipient count).
    let relayed: TalliedCounter
    /// `rtctl_packets_sent_total{channel}` and `rtctl_bytes_sent_total{channel}`: what left the server.
    let sentReliable: TalliedCounter
    let sentFast: TalliedCounter
    let bytesSentReliable: TalliedCounter
    let bytesSentFast: TalliedCounter
    /// `rtctl_connections_refused_total`: connections closed at once, over `--max-connections`.
    let refusedConnections: TalliedCounter
    /// `rtctl_pending_evicted_total`: connections that had not logged in, closed to make room (`--max-pending`).
    let evictedPending: TalliedCounter
    /// `rtctl_login_timeouts_total`: connections closed for not logging in within `--login-timeout`.
    let loginTimeouts: TalliedCounter
    /// `rtctl_rate_limited_total{channel="reliable"}`: WebSocket messages that waited for the rate limit (they are
    /// delayed, not dropped; datagrams over the limit are dropped and counted in `rtctl_dropped_total`).
    let rateLimitedReliable: TalliedCounter
    /// `rtctl_rate_limit_kicks_total`: players disconnected for staying far over their rate limit.
    let rateLimitKicks: TalliedCounter
    /// `rtctl_slow_consumer_kicks_total{limit="backlog"|"lag"}`: players closed for not reading.
    let slowConsumerBacklogKicks: TalliedCounter
    let slowConsumerLagKicks: TalliedCounter
    /// `rtctl_script_hook_duration_seconds{hook}`: how long each script hook call took, answer included.
    private let hookDurations: [String: Timer]
    /// `rtctl_players`, `rtctl_groups`, `rtctl_healthy`, `rtctl_ready` and `rtctl_script_state{state}` (1 for the
    /// current state, 0 for the others).
    private let players: Gauge
    private let groups: Gauge
    private let healthy: Gauge
    private let ready: Gauge
    private let scriptStates: [HealthState.ScriptState: Gauge]

    /// The hooks whose duration is measured (a fixed set: one series each).
    static let hooks = [
        "onPlayerConnect", "onPlayerJoinGroup", "onPlayerLeaveGroup", "onSendToPlayer", "onSendToGroup", "onPacket",
        "onHealthCheck", "onStartGameSession",
    ]

    init(factory: any MetricsFactory) {
        var dropped: [DropReason: TalliedCounter] = [:]
        for reason in DropReason.allCases {
            dropped[reason] = TalliedCounter("rtctl_dropped_total", [("reason", reason.rawValue)], factory: factory)
        }
        self.dropped = dropped
        func counter(_ label: String, _ dimensions: [(String, String)] = []) -> TalliedCounter {
            TalliedCounter(label, dimensions, factory: factory)
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
        var hookDurations: [String: Timer] = [:]
        for hook in Self.hooks {
            hookDurations[hook] = Timer(
                label: "rtctl_script_hook_duration_seconds",
                dimensions: [("hook", hook)],
                factory: factory
            )
        }
        self.hookDurations = hookDurations
        self.players = Gauge(label: "rtctl_players", factory: factory)
        self.groups = Gauge(label: "rtctl_groups", factory: factory)
        self.healthy = Gauge(label: "rtctl_healthy", factory: factory)
        self.ready = Gauge(label: "rtctl_ready", factory: factory)
        var scriptStates: [HealthState.ScriptState: Gauge] = [:]
        for state in HealthState.ScriptState.allCases {
            scriptStates[state] = Gauge(
                label: "rtctl_script_state",
                dimensions: [("state", state.rawValue)],
                factory: factory
            )
        }
        self.scriptStates = scriptStates
    }

    func dropped(_ reason: DropReason, count: Int = 1) {
        dropped[reason]?.increment(by: Int64(count))
    }

    /// Records how long a hook call took (hooks outside ``hooks`` are not measured).
    func hookCall(_ hook: String, took duration: Duration) {
        let (seconds, attoseconds) = duration.components
        hookDurations[hook]?.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// Sets the gauges from a snapshot of the server.
    func record(_ snapshot: StatusSnapshot) {
        players.record(snapshot.players.count)
        groups.record(snapshot.groups.count)
        healthy.record(snapshot.health.isHealthy ? 1 : 0)
        ready.record(snapshot.health.isReady ? 1 : 0)
        for (state, gauge) in scriptStates { gauge.record(state == snapshot.health.script ? 1 : 0) }
    }

    /// The running totals of the counters.
    var totals: TrafficTotals {
        var totals = TrafficTotals()
        totals.messagesReceivedReliable = receivedReliable.total
        totals.messagesReceivedFast = receivedFast.total
        totals.bytesReceivedReliable = bytesReceivedReliable.total
        totals.bytesReceivedFast = bytesReceivedFast.total
        totals.packetsSentReliable = sentReliable.total
        totals.packetsSentFast = sentFast.total
        totals.bytesSentReliable = bytesSentReliable.total
        totals.bytesSentFast = bytesSentFast.total
        totals.relayed = relayed.total
        totals.dropped = dropped.values.reduce(0) { $0 + $1.total }
        totals.loginsAccepted = loginsAccepted.total
        totals.loginsRefused = loginsRefused.total
        return totals
    }
}

/// A swift-metrics counter that also keeps its total in memory (one relaxed atomic add per increment).
struct TalliedCounter: Sendable {
    private let counter: Counter
    private let running = ManagedAtomic<Int>(0)

    init(_ label: String, _ dimensions: [(String, String)], factory: any MetricsFactory) {
        self.counter = Counter(label: label, dimensions: dimensions, factory: factory)
    }

    func increment(by amount: Int64 = 1) {
        counter.increment(by: amount)
        running.wrappingIncrement(by: Int(amount), ordering: .relaxed)
    }

    var total: Int { running.load(ordering: .relaxed) }
}
