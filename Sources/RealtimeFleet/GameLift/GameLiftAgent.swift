import Foundation
import Logging
import NIOConcurrencyHelpers
import RealtimeServer
import RealtimeSession

/// `serve --gamelift`: the process as a GameLift custom game server, speaking the server SDK 5 protocol itself.
///
/// Once the server listens: ActivateServerProcess (ProcessReady) with the port and log paths, then a heartbeat
/// every 60 s ± 10 s with the script's onHealthCheck. CreateGameSession starts the game session (the script's
/// onStartGameSession gets GameLift's fields), then ActivateGameSession. Every login is checked with
/// AcceptPlayerSession; a player who leaves is removed with RemovePlayerSession. TerminateProcess runs
/// onProcessTerminate and drains the players; at the end of the session TerminateServerProcess (ProcessEnding).
public final class GameLiftAgent: FleetAgent {
    private struct State {
        var gameSessionId: String?
        /// Player sessions GameLift accepted, by the connection that logged in with them.
        var accepted: [ConnectionID: String] = [:]
        var finished = false
    }

    private let configuration: GameLiftConfiguration
    private let logger: Logger
    private let client: GameLiftClient
    private let state = NIOLockedValueBox(State())

    public init(configuration: GameLiftConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.client = GameLiftClient(configuration: configuration, logger: logger)
    }

    public func prepare(_ configuration: ServerConfiguration) async throws -> ServerConfiguration {
        configuration
    }

    private enum Part: Sendable {
        case connection, registration, pushes
    }

    public func run(_ control: FleetControl) async throws {
        try await withThrowingTaskGroup(of: Part.self) { group in
            group.addTask {
                try await self.client.run()
                return .connection
            }
            group.addTask {
                try await self.activate(port: control.address.tcpPort)
                await self.heartbeats(control.status)
                return .registration
            }
            group.addTask {
                await self.handlePushes(control)
                return .pushes
            }
            defer { group.cancelAll() }
            // A failure of any part (the connection refused for good, the activation refused) is the agent's; the
            // connection's normal end (after TerminateServerProcess) ends the others. The end of the pushes alone
            // (they end with the connection) decides nothing: the connection's outcome comes next.
            for try await part in group where part == .connection {
                return
            }
        }
    }

    /// ActivateServerProcess: the process is ready to host a game session on `port`.
    private func activate(port: Int) async throws {
        let fields = GameLiftFields.ActivateServerProcess(
            SdkVersion: configuration.sdkVersion,
            SdkLanguage: configuration.sdkLanguage,
            Port: port,
            LogPaths: configuration.logPaths
        )
        do {
            try await client.request("ActivateServerProcess", fields, timeout: configuration.activateTimeout)
        } catch {
            throw FleetError(.refused, "GameLift did not activate the server process: \(error)")
        }
        logger.info("the server process is active on GameLift", metadata: ["port": "\(port)"])
    }

    /// HeartbeatServerProcess every interval ± jitter, with the script's health (unhealthy when it does not
    /// answer within the health check timeout), until cancelled.
    private func heartbeats(_ status: ServerStatus) async {
        while !Task.isCancelled {
            let jitter = configuration.heartbeatJitter * Double.random(in: -1...1)
            guard (try? await Task.sleep(for: configuration.heartbeatInterval + jitter)) != nil else { return }
            let healthy =
                (try? await withTimeout(configuration.healthCheckTimeout, "onHealthCheck") {
                    await status.checkHealth()
                }) ?? false
            do {
                try await client.request("HeartbeatServerProcess", GameLiftFields.Heartbeat(HealthStatus: healthy))
            } catch {
                logger.warning("GameLift heartbeat failed", metadata: ["error": "\(error)"])
            }
        }
    }

    private func handlePushes(_ control: FleetControl) async {
        for await push in client.pushes {
            switch push {
            case .createGameSession(let message):
                await startGameSession(message.gameSession, control)
            case .updateGameSession(let message):
                control.updateGameSession(message.update)
            case .terminateProcess(let time):
                let when = time.map { " (termination time \(Date(timeIntervalSince1970: Double($0) / 1000)))" } ?? ""
                control.terminate("GameLift TerminateProcess\(when)")
            case .refreshConnection:
                break  // the client follows it
            case .unknown(let action):
                logger.debug("ignored a GameLift push", metadata: ["action": "\(action)"])
            }
        }
    }

    private func startGameSession(_ gameSession: FleetGameSession, _ control: FleetControl) async {
        let already = state.withLockedValue { state -> String? in
            if let current = state.gameSessionId { return current }
            state.gameSessionId = gameSession.gameSessionId
            return nil
        }
        if let already {
            logger.warning(
                "GameLift created a second game session in this process: ignored",
                metadata: ["gameSessionId": "\(gameSession.gameSessionId)", "current": "\(already)"]
            )
            return
        }
        guard await control.startGameSession(gameSession) else {
            control.fail("the script's onStartGameSession failed for game session \(gameSession.gameSessionId)")
            return
        }
        do {
            try await client.request(
                "ActivateGameSession",
                GameLiftFields.GameSession(GameSessionId: gameSession.gameSessionId)
            )
            logger.info("the game session is active", metadata: ["gameSessionId": "\(gameSession.gameSessionId)"])
        } catch {
            control.fail("GameLift did not activate game session \(gameSession.gameSessionId): \(error)")
        }
    }

    public func admit(_ player: Player) async -> Verdict {
        guard let gameSessionId = state.withLockedValue({ $0.gameSessionId }) else {
            return .refuse("no game session yet")
        }
        do {
            try await client.request(
                "AcceptPlayerSession",
                GameLiftFields.PlayerSession(GameSessionId: gameSessionId, PlayerSessionId: player.playerSessionId)
            )
        } catch let error as FleetError where error.code == .refused {
            return .refuse("\(error)")
        } catch {
            logger.warning("AcceptPlayerSession failed", metadata: ["error": "\(error)"])
            return .refuse("player session not validated: \(error)")
        }
        state.withLockedValue { $0.accepted[player.connection] = player.playerSessionId }
        return .allow
    }

    public func notify(_ notice: Notice) {
        let connection: ConnectionID
        switch notice {
        case .playerDisconnected(let player, _): connection = player.connection
        case .loginRefused(let refused, _, _): connection = refused
        default: return
        }
        let removal = state.withLockedValue { state -> (String, String)? in
            guard let playerSessionId = state.accepted.removeValue(forKey: connection),
                let gameSessionId = state.gameSessionId
            else { return nil }
            return (gameSessionId, playerSessionId)
        }
        guard let (gameSessionId, playerSessionId) = removal else { return }
        Task {
            do {
                try await client.request(
                    "RemovePlayerSession",
                    GameLiftFields.PlayerSession(GameSessionId: gameSessionId, PlayerSessionId: playerSessionId)
                )
            } catch {
                logger.warning(
                    "RemovePlayerSession failed",
                    metadata: ["playerSessionId": "\(playerSessionId)", "error": "\(error)"]
                )
            }
        }
    }

    public func finish(status: Int32) async {
        guard !state.withLockedValue({ exchange(&$0.finished, with: true) }) else { return }
        do {
            try await client.request("TerminateServerProcess", GameLiftFields.None())
            logger.info("the server process ended on GameLift")
        } catch {
            logger.warning("TerminateServerProcess failed", metadata: ["error": "\(error)"])
        }
        await client.close()
    }

    // MARK: - Player session APIs

    /// UpdatePlayerSessionCreationPolicy for the current game session: `ACCEPT_ALL` or `DENY_ALL`.
    public func updatePlayerSessionCreationPolicy(_ policy: String) async throws {
        guard let gameSessionId = state.withLockedValue({ $0.gameSessionId }) else {
            throw FleetError(.misconfigured, "no game session yet")
        }
        try await client.request(
            "UpdatePlayerSessionCreationPolicy",
            GameLiftFields.CreationPolicy(GameSessionId: gameSessionId, PlayerSessionPolicy: policy)
        )
    }

    /// DescribePlayerSessions: the service's whole response (`PlayerSessions`, `NextToken`).
    public func describePlayerSessions(
        playerId: String? = nil,
        playerSessionId: String? = nil,
        statusFilter: String? = nil,
        nextToken: String? = nil,
        limit: Int? = nil
    ) async throws -> GameLiftResponse {
        let gameSessionId = playerSessionId == nil ? state.withLockedValue({ $0.gameSessionId }) : nil
        return try await client.request(
            "DescribePlayerSessions",
            GameLiftFields.DescribePlayerSessions(
                GameSessionId: gameSessionId,
                PlayerId: playerId,
                PlayerSessionId: playerSessionId,
                PlayerSessionStatusFilter: statusFilter,
                NextToken: nextToken,
                Limit: limit
            )
        )
    }
}

/// Sets `value` to `new` and returns what it was.
func exchange<Value>(_ value: inout Value, with new: Value) -> Value {
    defer { value = new }
    return value
}
