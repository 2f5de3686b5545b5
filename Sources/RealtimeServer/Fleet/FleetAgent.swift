import RealtimeSession

/// A fleet manager the server works for (GameLift through its server SDK protocol, Agones through its SDK sidecar):
/// it registers the process, starts the game session, checks each login, hears about players, and deregisters the
/// process at the end. One process hosts one game session.
///
/// The server calls, in order: ``prepare(_:)`` before it binds its listeners; ``run(_:)`` in a task of its own once
/// it listens (the script, if any, has run `init` and `onProcessStarted`, not yet `onStartGameSession`: the agent
/// starts the game session through ``FleetControl/startGameSession``); ``admit(_:)`` for every login, before the
/// script's `onPlayerConnect`; ``notify(_:)`` for the session's notices; and ``finish(status:)`` once every player is
/// closed, before cancelling the task of ``run(_:)``.
public protocol FleetAgent: Sendable {
    /// Adjusts the configuration before the listeners bind (the port to take, the UDP port to advertise).
    func prepare(_ configuration: ServerConfiguration) async throws -> ServerConfiguration
    /// Registers the process and serves the fleet manager until the task is cancelled. Throwing ends the session with
    /// a failure (status 1) and the error's description in the log.
    func run(_ control: FleetControl) async throws
    /// May this player join? Refusing closes the login with the verdict's reason.
    func admit(_ player: Player) async -> Verdict
    /// Something happened in the session. Called on the session's event loop: return at once.
    func notify(_ notice: Notice)
    /// The session is over and every player is closed: deregister the process.
    func finish(status: Int32) async
}

/// What a ``FleetAgent`` can ask of the server.
public struct FleetControl: Sendable {
    /// Where the server listens.
    public var address: ListeningAddress
    /// The server's status: health, players and the game session's state.
    public var status: ServerStatus
    /// Starts the game session: the script's `onStartGameSession(gameSession)`, then logins are admitted. False when
    /// the script's callback failed (the agent should then end the process).
    public var startGameSession: @Sendable (FleetGameSession) async -> Bool
    /// The fleet manager changed the game session (matchmaker backfill): the script's `onUpdateGameSession`.
    public var updateGameSession: @Sendable (FleetGameSessionUpdate) -> Void
    /// The fleet manager ends the process: `onProcessTerminate` (at most the shutdown grace), then every player is
    /// closed and the session ends with status 0.
    public var terminate: @Sendable (_ reason: String) -> Void
    /// The fleet connection failed for good: the session ends with status 1.
    public var fail: @Sendable (_ reason: String) -> Void

    public init(
        address: ListeningAddress,
        status: ServerStatus,
        startGameSession: @escaping @Sendable (FleetGameSession) async -> Bool,
        updateGameSession: @escaping @Sendable (FleetGameSessionUpdate) -> Void,
        terminate: @escaping @Sendable (String) -> Void,
        fail: @escaping @Sendable (String) -> Void
    ) {
        self.address = address
        self.status = status
        self.startGameSession = startGameSession
        self.updateGameSession = updateGameSession
        self.terminate = terminate
        self.fail = fail
    }
}
