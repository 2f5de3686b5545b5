import Foundation
import Logging
import NIOCore
import Prometheus
import RealtimeClient
import RealtimeFleet
import RealtimeProtocol
import RealtimeServer
import RealtimeSession
import RealtimeTestSupport
import Testing

/// A Realtime server on 127.0.0.1 port 0 with a Prometheus registry of its own, optionally a script (run on Node.js)
/// and a fleet agent, and optionally the admin listener.
struct FleetServer {
    let server: RealtimeServer
    let task: Task<Void, any Error>
    let address: ListeningAddress
    let registry: PrometheusCollectorRegistry
    var admin: HTTP1Client?
    private var adminTask: Task<Void, any Error>?

    var endpoint: Endpoint { Endpoint(host: "127.0.0.1", port: address.tcpPort) }

    static func start(
        script: String? = nil,
        fleet: (any FleetAgent)? = nil,
        admin: Bool = false,
        logger: Logger = testLogger("server"),
        _ configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws -> FleetServer {
        var configuration = ServerConfiguration(session: GameSession.Configuration(gameSessionId: "fleet-test"))
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.threads = 2
        if let script {
            var options = ScriptOptions(scriptPath: script)
            options.healthInterval = .milliseconds(100)
            configuration.script = options
        }
        configure(&configuration)
        let registry = PrometheusCollectorRegistry()
        let (addresses, continuation) = AsyncStream<ListeningAddress>.makeStream()
        let server = RealtimeServer(
            configuration: configuration,
            logger: logger,
            script: nil,
            metricsFactory: PrometheusMetricsFactory(registry: registry),
            fleet: fleet
        ) { address in
            continuation.yield(address)
            continuation.finish()
        }
        let task = Task {
            defer { continuation.finish() }
            try await server.run()
        }
        guard let address = await addresses.first(where: { _ in true }) else {
            try await task.value
            throw TestFailure("the server stopped before it listened")
        }
        var running = FleetServer(server: server, task: task, address: address, registry: registry)
        if admin { try await running.startAdmin() }
        return running
    }

    private mutating func startAdmin() async throws {
        var configuration = AdminConfiguration(port: 0)
        configuration.eventInterval = .milliseconds(200)
        let registry = self.registry
        configuration.metricsText = {
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            return String(decoding: buffer, as: UTF8.self)
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let adminServer = AdminServer(configuration: configuration, status: server.status, logger: testLogger("admin"))
        {
            continuation.yield($0.port ?? 0)
            continuation.finish()
        }
        adminTask = Task { try await adminServer.run() }
        guard let port = await ports.first(where: { _ in true }) else { throw TestFailure("no admin listener") }
        admin = HTTP1Client(host: "127.0.0.1", port: port)
    }

    /// A player logging in with this player session id (reliable channel only).
    func connect(_ playerSessionId: String) async throws -> RealtimeClient {
        try await RealtimeClient.connect(
            to: endpoint,
            options: ClientOptions(playerSessionId: playerSessionId, noUDP: true, connectTimeout: .seconds(30))
        )
    }

    /// Waits for the session to end by itself; the server's exit status.
    func ended() async throws -> Int32 {
        try await task.value
        adminTask?.cancel()
        return server.exitStatus
    }

    func stop() async {
        task.cancel()
        _ = await task.result
        adminTask?.cancel()
        _ = await adminTask?.result
    }
}

func testLogger(_ label: String) -> Logger {
    var logger = Logger(label: "test.\(label)")
    logger.logLevel = ProcessInfo.processInfo.environment["RTCTL_TEST_LOG"] != nil ? .debug : .critical
    return logger
}

/// Writes a script to a temporary folder; its path.
func scriptFile(_ source: String) throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rtctl-fleet-\(UUID())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let path = directory.appendingPathComponent("game.js").path
    try source.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}
