import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// Where the admin listener listens and how it reads the metrics.
public struct AdminConfiguration: Sendable {
    /// The address to listen on; loopback by default (the admin endpoints have no authentication).
    public var host = "127.0.0.1"
    /// The TCP port; 0 picks a free port.
    public var port: Int
    /// How often the status page's event stream sends a snapshot.
    public var eventInterval: Duration = .seconds(1)
    /// The metrics in Prometheus's text format, from the backend the executable bootstrapped; nil: `/metrics` is 404.
    public var metricsText: (@Sendable () -> String)?

    public init(port: Int) {
        self.port = port
    }
}

/// The admin HTTP listener (HTTP/1.1 on NIOHTTP1, no framework): `/healthz`, `/readyz`, `/metrics`, the live status
/// page `/` with its event stream `/events` (server-sent events), and `/status` (one snapshot as JSON).
///
/// A swift-service-lifecycle `Service`: it serves until a graceful shutdown or the cancellation of its task.
public final class AdminServer: Service, Sendable {
    private let configuration: AdminConfiguration
    private let status: ServerStatus
    private let logger: Logger
    private let onListening: @Sendable (SocketAddress) -> Void

    public init(
        configuration: AdminConfiguration,
        status: ServerStatus,
        logger: Logger,
        onListening: @escaping @Sendable (SocketAddress) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.status = status
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        let channel: NIOAsyncChannel<any Channel, Never>
        do {
            channel = try await bindHTTPListener(host: configuration.host, port: configuration.port)
        } catch let error as IOError {
            // Named apart from the game port's errors, which the CLI reports with --port.
            let reason = strerror(error.errnoCode).map { String(cString: $0) } ?? "errno \(error.errnoCode)"
            throw AdminListenerError(
                description: "cannot listen on \(configuration.host) (--admin-port \(configuration.port)): \(reason)"
            )
        }
        if let address = channel.channel.localAddress {
            logger.info("admin listener up", metadata: ["address": "\(address)"])
            onListening(address)
        }
        let router = AdminRouter(status: status, metricsText: configuration.metricsText)
        let interval = configuration.eventInterval
        let logger = logger
        await cancelWhenGracefulShutdown {
            await acceptUntilClosed(channel) { accepted in
                do {
                    try await serveHTTP(accepted) { try await Self.serve($0, router: router, interval: interval) }
                } catch {
                    logger.debug("admin connection ended", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    /// One connection: requests in turn (keep-alive); an event stream holds the connection until the client leaves.
    private static func serve(
        _ connection: HTTPConnection,
        router: AdminRouter,
        interval: Duration
    ) async throws {
        try await connection.executeThenClose { inbound, outbound in
            var request: HTTPRequestHead?
            for try await part in inbound {
                switch part {
                case .head(let head):
                    request = head
                case .body:
                    continue
                case .end:
                    guard let head = request else { continue }
                    request = nil
                    let response = await router.respond(to: head)
                    let keepAlive = head.isKeepAlive && response.events == nil
                    try await outbound.write(.head(response.head(version: head.version, keepAlive: keepAlive)))
                    if head.method != .HEAD, !response.body.isEmpty {
                        try await outbound.write(.body(.byteBuffer(ByteBuffer(string: response.body))))
                    }
                    if let events = response.events, head.method != .HEAD {
                        try await streamEvents(events, to: outbound, interval: interval)
                        return
                    }
                    try await outbound.write(.end(nil))
                    if !keepAlive { return }
                }
            }
        }
    }

    /// Writes one server-sent event per interval until the client goes away or the task is cancelled.
    private static func streamEvents(
        _ events: @escaping @Sendable () async -> String,
        to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>,
        interval: Duration
    ) async throws {
        while !Task.isCancelled {
            let event = await events()
            try await outbound.write(.body(.byteBuffer(ByteBuffer(string: event))))
            try await Task.sleep(for: interval)
        }
    }
}

/// The admin listener could not start (its port is taken, say).
public struct AdminListenerError: Error, CustomStringConvertible {
    public var description: String
}
