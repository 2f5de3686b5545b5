import Logging
import RealtimeBench
import RealtimeClient
import RealtimeSecurity
import RealtimeServer
import RealtimeSession
import ServiceLifecycle

/// `bench --serve`: a ``RealtimeServer`` in this process on a free port of 127.0.0.1, for a self-contained run. The
/// executable composes the two: the bench library knows nothing of the server.
final class InProcessServer: Sendable {
    /// Where the clients connect.
    let endpoint: Endpoint
    /// Secure mode: what the clients trust (the CA of the certificate made for the run).
    let clientTLS: ClientTLS?
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    private init(endpoint: Endpoint, clientTLS: ClientTLS?, group: ServiceGroup, task: Task<Void, any Error>) {
        self.endpoint = endpoint
        self.clientTLS = clientTLS
        self.group = group
        self.task = task
    }

    /// Starts the server and returns once it listens. `maxPlayers` should be at least the number of clients. `secure`
    /// serves wss and DTLS with a certificate for 127.0.0.1 made for the run.
    static func start(maxPlayers: Int, secure: Bool = false, logger: Logger) async throws -> InProcessServer {
        var configuration = ServerConfiguration(
            session: GameSession.Configuration(gameSessionId: "bench", maxPlayers: max(1, maxPlayers))
        )
        configuration.host = "127.0.0.1"
        configuration.port = 0
        var clientTLS: ClientTLS?
        if secure {
            let issued = try CertificateIssuer.issue(hosts: ["127.0.0.1"], days: 1)
            configuration.tls = try ServerIdentity(
                certificatesPEM: issued.serverChainPEM,
                privateKeyPEM: issued.serverKeyPEM
            )
            clientTLS = ClientTLS(trustedPEM: issued.caCertificatePEM)
        }
        let (addresses, listening) = AsyncStream.makeStream(of: ListeningAddress.self)
        let server = RealtimeServer(configuration: configuration, logger: logger) { address in
            listening.yield(address)
            listening.finish()
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [.init(service: server)], logger: logger)
        )
        let task = Task<Void, any Error> {
            defer { listening.finish() }
            try await group.run()
        }
        var iterator = addresses.makeAsyncIterator()
        guard let address = await iterator.next() else {
            let reason: String
            switch await task.result {
            case .failure(let error): reason = "\(error)"
            case .success: reason = "it stopped at once"
            }
            throw BenchError(.serverFailed, "the in-process server did not start: \(reason)")
        }
        return InProcessServer(
            endpoint: Endpoint(host: address.host, port: address.tcpPort, secure: secure),
            clientTLS: clientTLS,
            group: group,
            task: task
        )
    }

    /// Stops the server (every connection closed with 1001) and waits until it has.
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}
