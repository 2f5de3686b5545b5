import NIOConcurrencyHelpers

/// The running server as the admin listener and a fleet manager see it: its ``HealthState``, a way to run the
/// script's health check, and snapshots of the session and its traffic. One per ``RealtimeServer``
/// (``RealtimeServer/status``); every method may be called from anywhere.
public final class ServerStatus: Sendable {
    private struct State {
        var health = HealthState()
        var gameSessionId: String
        var maxPlayers: Int
        var session: SessionHost?
        var healthCheck: (@Sendable () async -> Bool)?
    }

    private let state: NIOLockedValueBox<State>
    let metrics: ServerMetrics
    private let started = ContinuousClock.now

    init(gameSessionId: String, maxPlayers: Int, metrics: ServerMetrics) {
        self.state = NIOLockedValueBox(State(gameSessionId: gameSessionId, maxPlayers: maxPlayers))
        self.metrics = metrics
    }

    /// The health and readiness of the process now.
    public var health: HealthState { state.withLockedValue { $0.health } }

    /// The id of the game session (a fleet's game session id once it has started one).
    public var gameSessionId: String { state.withLockedValue { $0.gameSessionId } }

    /// Changes the health state.
    func update(_ change: (inout HealthState) -> Void) {
        state.withLockedValue { change(&$0.health) }
    }

    func serving(_ session: SessionHost, maxPlayers: Int) {
        state.withLockedValue {
            $0.session = session
            $0.maxPlayers = maxPlayers
        }
    }

    func setGameSessionId(_ id: String) {
        state.withLockedValue { $0.gameSessionId = id }
    }

    func setHealthCheck(_ check: @escaping @Sendable () async -> Bool) {
        state.withLockedValue { $0.healthCheck = check }
    }

    /// Runs the script's `onHealthCheck` (when there is a script) and records its answer; true when the process is
    /// healthy.
    public func checkHealth() async -> Bool {
        if let check = state.withLockedValue({ $0.healthCheck }) {
            let healthy = await check()
            update { $0.scriptHealthy = healthy }
        }
        return health.isHealthy
    }

    /// The server now: health, players, groups and traffic totals. Also sets the gauges.
    public func snapshot() async -> StatusSnapshot {
        let (health, gameSessionId, maxPlayers, session) = state.withLockedValue {
            ($0.health, $0.gameSessionId, $0.maxPlayers, $0.session)
        }
        let elapsed = (ContinuousClock.now - started).components
        var snapshot = StatusSnapshot(
            uptime: Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18,
            gameSessionId: gameSessionId,
            maxPlayers: maxPlayers,
            health: health,
            totals: metrics.totals
        )
        if let session, let members = await session.membership() {
            snapshot.players = members.players
            snapshot.groups = members.groups
        }
        metrics.record(snapshot)
        return snapshot
    }
}
