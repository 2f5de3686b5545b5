import Foundation
import Logging
import NIOConcurrencyHelpers
import RealtimeServer
import RealtimeSession

/// How `serve --agones` reaches the Agones SDK sidecar.
public struct AgonesConfiguration: Sendable {
    /// The sidecar's REST port: `AGONES_SDK_HTTP_PORT`, else 9358.
    public var sidecarPort: Int
    /// The GameServer port players reach (nil: the first; `<name>-tcp`/`<name>-udp` for a TCPUDP port).
    public var portName: String?
    /// Bind the port the GameServer reports (Passthrough), rather than the configured one (Dynamic, Static: the
    /// container port, with the reported UDP port advertised to players).
    public var bindReportedPort: Bool
    /// Delays between attempts to reach the sidecar at start-up, and between watch reconnections.
    public var retryDelay: Duration = .milliseconds(500)
    /// The longest pause between health pings (Agones: min(2 s, period / 2)).
    public var maxHealthInterval: Duration = .seconds(2)

    public init(sidecarPort: Int, portName: String? = nil, bindReportedPort: Bool) {
        self.sidecarPort = sidecarPort
        self.portName = portName
        self.bindReportedPort = bindReportedPort
    }

    /// The sidecar port from `AGONES_SDK_HTTP_PORT` (default 9358); the flag wins.
    public static func sidecarPort(flag: Int?, environment: [String: String]) throws -> Int {
        if let flag { return flag }
        guard let text = environment["AGONES_SDK_HTTP_PORT"], !text.isEmpty else { return 9358 }
        guard let port = Int(text), (1...65_535).contains(port) else {
            throw FleetError(.misconfigured, "AGONES_SDK_HTTP_PORT \(text) is not a port number")
        }
        return port
    }
}

/// `serve --agones`: the process as an Agones game server, through the SDK sidecar's REST API.
///
/// Start-up: `GET /gameserver` until the sidecar answers, for the health settings and the ports (under Passthrough
/// the port to bind). Once listening: `POST /ready`; `POST /health` every min(2 s, period / 2) while the script's
/// onHealthCheck says healthy; `GET /watch/gameserver` (reconnected at its end) to learn the allocation, which
/// starts the game session with the allocation's annotations. Players are tracked in the `players` List. At the
/// end of the session, or on SIGTERM after draining the players, `POST /shutdown`.
public final class AgonesAgent: FleetAgent {
    private struct State {
        var gameServer = AgonesGameServer()
        var started = false
        var trackingEnabled = true
        var finished = false
    }

    private enum Tracking: Sendable {
        case add(String)
        case remove(String)
    }

    private let configuration: AgonesConfiguration
    private let logger: Logger
    private let sidecar: HTTP1Client
    private let state = NIOLockedValueBox(State())
    private let tracking: (stream: AsyncStream<Tracking>, continuation: AsyncStream<Tracking>.Continuation)
    /// Ends when every tracking change has been sent.
    private let trackingDone: (stream: AsyncStream<Void>, continuation: AsyncStream<Void>.Continuation)

    public init(configuration: AgonesConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.sidecar = HTTP1Client(host: "127.0.0.1", port: configuration.sidecarPort)
        self.tracking = AsyncStream.makeStream(of: Tracking.self)
        self.trackingDone = AsyncStream.makeStream(of: Void.self)
    }

    public func prepare(_ configuration: ServerConfiguration) async throws -> ServerConfiguration {
        let gameServer = try await firstGameServer()
        state.withLockedValue { $0.gameServer = gameServer }
        var configuration = configuration
        guard let ports = gameServer.externalPorts(named: self.configuration.portName) else {
            if self.configuration.bindReportedPort {
                let name = self.configuration.portName.map { "a port named \($0)" } ?? "a port"
                throw FleetError(
                    .misconfigured,
                    "the GameServer has no \(name) in its status; pass --port to choose one"
                )
            }
            return configuration
        }
        if self.configuration.bindReportedPort {
            configuration.port = ports.tcp
            configuration.udpPort = ports.udp
        } else {
            configuration.advertisedUDPPort = ports.udp
        }
        logger.info(
            "Agones GameServer",
            metadata: [
                "name": "\(gameServer.objectMeta.name)", "state": "\(gameServer.state)",
                "address": "\(gameServer.address)", "tcpPort": "\(ports.tcp)", "udpPort": "\(ports.udp)",
            ]
        )
        return configuration
    }

    /// `GET /gameserver`, retried until the sidecar answers.
    private func firstGameServer() async throws -> AgonesGameServer {
        var attempts = 0
        while true {
            do {
                let response = try await sidecar.send(.GET, "/gameserver")
                guard response.status == .ok else {
                    throw FleetError(.refused, "GET /gameserver answered \(response.status.code)")
                }
                return try AgonesGameServer.parse(response.text)
            } catch let error as FleetError where error.code == .badResponse {
                throw error
            } catch {
                attempts += 1
                if attempts == 1 || attempts % 20 == 0 {
                    logger.warning(
                        "waiting for the Agones SDK sidecar on port \(configuration.sidecarPort)",
                        metadata: ["error": "\(error)"]
                    )
                }
                try await Task.sleep(for: configuration.retryDelay)
            }
        }
    }

    public func run(_ control: FleetControl) async throws {
        try await post("/ready")
        logger.info("ready on Agones")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.pingHealth(control.status) }
            group.addTask { await self.watch(control) }
            group.addTask { await self.track() }
            try await group.next()
            group.cancelAll()
        }
    }

    /// `POST /health` every min(2 s, period / 2) while healthy; nothing while unhealthy, so that Agones marks the
    /// GameServer Unhealthy.
    private func pingHealth(_ status: ServerStatus) async {
        let health = state.withLockedValue { $0.gameServer.health }
        guard !health.disabled else { return await waitForCancellation() }
        let interval = min(configuration.maxHealthInterval, .seconds(max(health.periodSeconds, 1)) / 2)
        var wasHealthy = true
        while !Task.isCancelled {
            let healthy = await status.checkHealth()
            if healthy {
                do {
                    try await post("/health", body: "{}")
                } catch {
                    logger.warning("Agones health ping failed", metadata: ["error": "\(error)"])
                }
            } else if wasHealthy {
                logger.warning(
                    "unhealthy: health pings to Agones stop (\(status.health.problems.joined(separator: ", ")))"
                )
            }
            wasHealthy = healthy
            guard (try? await Task.sleep(for: interval)) != nil else { return }
        }
    }

    /// Follows `GET /watch/gameserver`, reconnecting when the stream ends; the allocation starts the game session.
    private func watch(_ control: FleetControl) async {
        while !Task.isCancelled {
            do {
                try await sidecar.streamLines("/watch/gameserver") { line in
                    let gameServer = try AgonesGameServer.parse(line)
                    self.logger.debug("GameServer changed", metadata: ["state": "\(gameServer.state)"])
                    await self.changed(gameServer, control)
                }
            } catch {
                logger.debug("the Agones watch ended", metadata: ["error": "\(error)"])
            }
            guard (try? await Task.sleep(for: configuration.retryDelay)) != nil else { return }
        }
    }

    private func changed(_ gameServer: AgonesGameServer, _ control: FleetControl) async {
        let start = state.withLockedValue { state -> Bool in
            state.gameServer = gameServer
            guard gameServer.state == "Allocated", !state.started else { return false }
            state.started = true
            return true
        }
        if start {
            let port = gameServer.externalPorts(named: configuration.portName)?.tcp
            let gameSession = gameServer.gameSession(port: port)
            logger.info("allocated by Agones", metadata: ["gameSessionId": "\(gameSession.gameSessionId)"])
            guard await control.startGameSession(gameSession) else {
                control.fail("the script's onStartGameSession failed for game session \(gameSession.gameSessionId)")
                return
            }
        }
        if gameServer.state == "Shutdown", !state.withLockedValue({ $0.finished }) {
            control.terminate("the Agones GameServer is shutting down")
        }
    }

    /// Adds and removes players in the `players` List, in the order they came and went.
    private func track() async {
        defer { trackingDone.continuation.finish() }
        for await change in tracking.stream {
            guard state.withLockedValue({ $0.trackingEnabled }) else { continue }
            let (action, value) =
                switch change {
                case .add(let id): ("addValue", id)
                case .remove(let id): ("removeValue", id)
                }
            do {
                let body = try JSONEncoder().encode(["value": value])
                let response = try await sidecar.send(
                    .POST,
                    "/v1beta1/lists/players:\(action)",
                    json: String(decoding: body, as: UTF8.self)
                )
                if response.status == .notFound {
                    state.withLockedValue { $0.trackingEnabled = false }
                    logger.warning("the GameServer has no players List: player tracking is off")
                } else if response.status != .ok {
                    logger.warning(
                        "Agones players List \(action) failed",
                        metadata: ["status": "\(response.status.code)", "body": "\(response.text)"]
                    )
                }
            } catch {
                logger.warning("Agones players List \(action) failed", metadata: ["error": "\(error)"])
            }
        }
    }

    public func admit(_ player: Player) async -> Verdict {
        .allow
    }

    public func notify(_ notice: Notice) {
        switch notice {
        case .playerAccepted(let player): tracking.continuation.yield(.add(player.playerSessionId))
        case .playerDisconnected(let player, _): tracking.continuation.yield(.remove(player.playerSessionId))
        default: break
        }
    }

    public func finish(status: Int32) async {
        guard !state.withLockedValue({ exchange(&$0.finished, with: true) }) else { return }
        tracking.continuation.finish()
        // The players who left while draining are removed from the List first.
        _ = try? await withTimeout(.seconds(5), "player tracking") {
            for await _ in self.trackingDone.stream {}
        }
        do {
            try await post("/shutdown")
            logger.info("asked Agones to shut the GameServer down")
        } catch {
            logger.warning("Agones shutdown failed", metadata: ["error": "\(error)"])
        }
    }

    private func post(_ path: String, body: String = "{}") async throws {
        let response = try await sidecar.send(.POST, path, json: body)
        guard response.status == .ok else {
            throw FleetError(.refused, "POST \(path) answered \(response.status.code): \(response.text)")
        }
    }

    private func waitForCancellation() async {
        while (try? await Task.sleep(for: .seconds(3600))) != nil {}
    }
}
