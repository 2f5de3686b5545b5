/// Whether the process is healthy and ready for players: what `/healthz` and `/readyz` answer, what a GameLift
/// heartbeat reports and what keeps Agones health pings going. One small value, set by the server as things happen.
public struct HealthState: Sendable, Hashable {
    /// Where the server script is in its life.
    public struct ScriptState: RawRepresentable, Hashable, Sendable, CaseIterable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The server runs without a script.
        public static let none = ScriptState(rawValue: "none")
        /// The script host is starting (`init`, `onProcessStarted`).
        public static let starting = ScriptState(rawValue: "starting")
        /// The script runs and answers its callbacks.
        public static let running = ScriptState(rawValue: "running")
        /// The script ended the session (`processEnding()`, `process.exit`).
        public static let ended = ScriptState(rawValue: "ended")
        /// The script failed: a callback hung, the host died or did not start.
        public static let failed = ScriptState(rawValue: "failed")

        public static let allCases: [ScriptState] = [.none, .starting, .running, .ended, .failed]
        public var description: String { rawValue }
    }

    /// Where the game session is, when a fleet manager (GameLift, Agones) starts it.
    public struct GameSessionState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The process waits for its game session (GameLift CreateGameSession, Agones allocation).
        public static let waiting = GameSessionState(rawValue: "waiting")
        /// The game session runs (always, without a fleet manager).
        public static let active = GameSessionState(rawValue: "active")
        /// The game session is over; the process is ending.
        public static let ended = GameSessionState(rawValue: "ended")

        public var description: String { rawValue }
    }

    public var script: ScriptState = .none
    /// The last `onHealthCheck` answer: nil before the first check, or without a script.
    public var scriptHealthy: Bool?
    /// Both listeners (WebSocket and UDP) are bound.
    public var listening = false
    /// The server is closing its players (a signal, the end of the session, a fleet's termination).
    public var shuttingDown = false
    public var gameSession: GameSessionState = .active

    public init() {}

    /// Healthy: the script, if any, has not failed and its last `onHealthCheck` did not say unhealthy.
    public var isHealthy: Bool { script != .failed && scriptHealthy != false }

    /// Ready for players: healthy, listening and not shutting down.
    public var isReady: Bool { isHealthy && listening && !shuttingDown && script != .starting }

    /// Why the process is not ready (empty when it is), in words for `/readyz` and the logs.
    public var problems: [String] {
        var problems: [String] = []
        if script == .failed { problems.append("the script failed") }
        if script == .starting { problems.append("the script is starting") }
        if scriptHealthy == false { problems.append("the script reports unhealthy (onHealthCheck)") }
        if !listening { problems.append("not listening") }
        if shuttingDown { problems.append("shutting down") }
        return problems
    }
}
