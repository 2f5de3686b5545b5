import Foundation
import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import RealtimeProtocol
import RealtimeSecurity
import RealtimeSession
import ServiceLifecycle

/// Where a running server listens, reported once both listeners are up.
public struct ListeningAddress: Sendable, Codable, Hashable {
    public var host: String
    public var tcpPort: Int
    public var udpPort: Int
    public var gameSessionId: String

    public init(host: String, tcpPort: Int, udpPort: Int, gameSessionId: String) {
        self.host = host
        self.tcpPort = tcpPort
        self.udpPort = udpPort
        self.gameSessionId = gameSessionId
    }
}

/// The Realtime server: a WebSocket listener and a UDP listener serving one game session (PROTOCOL.md).
///
/// A swift-service-lifecycle `Service`. ``run()`` binds both listeners, reports them to `onListening`, and serves
/// until a graceful shutdown or the cancellation of its task; then it stops accepting, closes every player with 1001
/// "server shutting down" (a close frame, answered or timed out), closes the UDP socket and returns. Outside a
/// `ServiceGroup`, run it in a task and cancel the task to stop it.
public final class RealtimeServer: Service, Sendable {
    private let configuration: ServerConfiguration
    let logger: Logger
    private let onListening: @Sendable (ListeningAddress) -> Void
    private let script: (any SessionScript)?
    private let metrics: ServerMetrics
    private let finalStatus = NIOLockedValueBox<Int32>(0)
    /// The fleet manager the process works for (GameLift, Agones), if any.
    private let fleet: (any FleetAgent)?
    /// Health, readiness and snapshots of the running server (the admin listener and fleet managers read it).
    public let status: ServerStatus

    /// The exit status the session ended with, once ``run()`` has returned: 0 after a signal or the script's
    /// `processEnding()`, the script's `process.exit` code, 1 after a script failure.
    public var exitStatus: Int32 { finalStatus.withLockedValue { $0 } }

    /// How long the server waits for the client's close frame after sending its own.
    static let closeTimeout = TimeAmount.seconds(2)
    /// Datagrams read per recvmmsg call, and the room for each (datagrams over the limit are seen as oversized).
    static let datagramsPerRead = 64
    static let datagramSlotSize = 4096
    /// SO_SNDBUF of the UDP socket.
    static let udpSendBufferSize: SocketOptionValue = 4 * 1024 * 1024

    public init(
        configuration: ServerConfiguration,
        logger: Logger,
        onListening: @escaping @Sendable (ListeningAddress) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.logger = logger
        self.onListening = onListening
        self.script = nil
        self.fleet = nil
        self.metrics = ServerMetrics(factory: MetricsSystem.factory)
        self.status = ServerStatus(
            gameSessionId: configuration.session.gameSessionId,
            maxPlayers: configuration.session.maxPlayers,
            metrics: metrics
        )
    }

    /// A server with a script (asked only when `configuration.session.hooks` is not empty), its own metrics
    /// factory (tests; the executable bootstraps the global one) and the fleet manager it works for, if any.
    public init(
        configuration: ServerConfiguration,
        logger: Logger,
        script: (any SessionScript)?,
        metricsFactory: any MetricsFactory = MetricsSystem.factory,
        fleet: (any FleetAgent)? = nil,
        onListening: @escaping @Sendable (ListeningAddress) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.logger = logger
        self.onListening = onListening
        self.script = script
        self.fleet = fleet
        self.metrics = ServerMetrics(factory: metricsFactory)
        self.status = ServerStatus(
            gameSessionId: configuration.session.gameSessionId,
            maxPlayers: configuration.session.maxPlayers,
            metrics: metrics
        )
    }

    public func run() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: configuration.connectionThreads)
        // The session (and with it the UDP socket and the script host's pipe) on a loop of its own, by default when
        // there is a script (see ``ServerConfiguration/sessionHasOwnLoop``).
        let sessionGroup = configuration.sessionHasOwnLoop ? MultiThreadedEventLoopGroup(numberOfThreads: 1) : nil
        // Both groups are shut down whatever happens; the first error is thrown.
        var failure: (any Error)?
        do {
            try await runSession(on: group, sessionLoop: sessionGroup?.next() ?? group.next())
        } catch {
            failure = error
        }
        for owned in [group, sessionGroup].compactMap({ $0 }) {
            do { try await owned.shutdownGracefully() } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
    }

    /// Starts the script (if any) before the listeners, serves, then stops the script. The script host's channel
    /// lives on the session's event loop; the connections live on `group`'s.
    private func runSession(on group: MultiThreadedEventLoopGroup, sessionLoop: any EventLoop) async throws {
        let status = self.status
        let ending = SessionEnding(logger: logger, status: status)
        var configuration = self.configuration
        if let fleet {
            do {
                // The fleet manager may not answer yet (a sidecar starting): a signal stops the wait cleanly.
                let initial = configuration
                configuration = try await cancelWhenGracefulShutdown { try await fleet.prepare(initial) }
            } catch is CancellationError where Task.isShuttingDownGracefully {
                logger.info("stopped before the fleet manager answered")
                return
            }
            status.update { $0.gameSession = .waiting }
        }
        var scriptSession: ScriptSession?
        if let options = configuration.script {
            status.update { $0.script = .starting }
            let host: ScriptHost
            do {
                host = try await ScriptHost.start(
                    options: options,
                    gameSessionId: configuration.session.gameSessionId,
                    deferGameSession: fleet != nil,
                    loop: sessionLoop,
                    logger: logger,
                    onRequest: { ending.handle($0) }
                )
            } catch {
                status.update { $0.script = .failed }
                throw error
            }
            ending.attach(script: host)
            let session = ScriptSession(host: host, logger: logger, metrics: metrics) { reason in
                status.update { $0.script = .failed }
                ending.fail(reason)
            }
            configuration.adopt(session, logger: logger)
            status.setHealthCheck { await session.healthCheck() }
            status.update { $0.script = .running }
            scriptSession = session
        }
        logEffectiveConfiguration(
            configuration,
            script: scriptSession,
            sessionLoopOfItsOwn: !group.makeIterator().contains { $0 === sessionLoop }
        )
        var script = scriptSession ?? self.script
        if let fleet {
            // The fleet's check of each login goes in front of the script's onPlayerConnect.
            let scriptDecidesLogins = configuration.session.hooks.contains(.playerConnect)
            configuration.session.hooks.insert(.playerConnect)
            script = FleetGate(
                fleet: fleet,
                script: script,
                scriptDecidesLogins: scriptDecidesLogins,
                status: status,
                loop: sessionLoop
            )
        }
        do {
            try await serve(
                on: group,
                sessionLoop: sessionLoop,
                configuration: configuration,
                script: script,
                scriptSession: scriptSession,
                ending: ending
            )
        } catch {
            ending.finish()
            ending.expectHostExit()
            await scriptSession?.host.stop()
            throw error
        }
        ending.finish()
        ending.expectHostExit()
        await scriptSession?.host.stop()
        finalStatus.withLockedValue { $0 = ending.status }
    }

    // MARK: - Serving

    enum Accepted: Sendable {
        /// An upgraded WebSocket, its handler talking to the session.
        case player(any Channel)
        /// A plain HTTP request, answered and closed by its `PlainHTTPResponder`.
        case http
        /// Over the connection limit: closed at once.
        case refused
    }

    private func serve(
        on group: MultiThreadedEventLoopGroup,
        sessionLoop: any EventLoop,
        configuration: ServerConfiguration,
        script: (any SessionScript)?,
        scriptSession: ScriptSession?,
        ending: SessionEnding
    ) async throws {
        let logger = {
            var logger = self.logger
            logger[metadataKey: "gameSessionId"] = "\(configuration.session.gameSessionId)"
            return logger
        }()
        if !configuration.session.hooks.isEmpty, script == nil {
            logger.warning("script hooks configured without a script: every decision is allowed")
        }
        let secure = try configuration.tls.map(SecureListeners.init(identity:))
        let gate = ConnectionGate(
            limits: .init(maxConnections: configuration.effectiveMaxConnections, maxPending: configuration.maxPending),
            logger: logger,
            metrics: metrics
        )
        let hostPromise = sessionLoop.makePromise(of: SessionHost.self)
        // Connections that upgraded before the session was ready fail with the start-up's error.
        defer { hostPromise.fail(CancellationError()) }
        let (serverChannel, fastPort) = try await bindListeners(
            group: group,
            loop: sessionLoop,
            configuration: configuration,
            gate: gate,
            host: hostPromise.futureResult,
            tls: secure?.webSocket
        )
        let udpChannel = fastPort.channel
        let tcpPort = serverChannel.channel.localAddress?.port ?? configuration.port
        let udpPort = udpChannel.localAddress?.port ?? tcpPort

        var sessionConfiguration = configuration.session
        sessionConfiguration.fastPort = configuration.advertisedUDPPort ?? udpPort
        if let identity = configuration.tls {
            sessionConfiguration.caCert = ByteBuffer(string: identity.caCertificatePEM)
        }
        let recorder: SessionRecorder?
        if let path = configuration.recordPath {
            let header = RecordingHeader(
                gameSessionId: configuration.session.gameSessionId,
                started: Date(),
                server: "rtctl serve \(configuration.host):\(tcpPort)",
                source: "serve"
            )
            do {
                recorder = SessionRecorder(writer: try RecordingWriter(path: path, header: header))
            } catch {
                try? await serverChannel.channel.close()
                try? await udpChannel.close()
                throw error
            }
            sessionConfiguration.reportDeliveries = true
        } else {
            recorder = nil
        }
        defer { recorder?.writer.close() }
        let host = SessionHost(
            session: GameSession(configuration: sessionConfiguration),
            loop: sessionLoop,
            logger: logger,
            metrics: metrics,
            script: script,
            recorder: recorder,
            gate: gate,
            loginTimeout: configuration.loginTimeout,
            flushInterval: configuration.flushInterval
        )
        hostPromise.succeed(host)
        try await sessionLoop.submit {
            host.attachUDP(udpChannel, descriptor: fastPort.descriptor)
            if let secure {
                try udpChannel.pipeline.syncOperations.addHandler(host.makeDTLSHandler(secure.dtls))
            }
            try udpChannel.pipeline.syncOperations.addHandler(FastChannelHandler(host: host, shared: true))
            if secure == nil, let localAddress = udpChannel.localAddress {
                host.attachPlayerSockets(
                    PlayerSockets(
                        loop: sessionLoop,
                        localAddress: localAddress,
                        receiveBuffer: configuration.udpReceiveBuffer,
                        capacity: configuration.playerSocketCapacity,
                        logger: logger
                    ) { FastChannelHandler(host: host, shared: false) }
                )
            }
            udpChannel.setOption(.autoRead, value: true).whenFailure { _ in }
        }.get()

        logger.info(
            "listening",
            metadata: [
                "host": "\(configuration.host)", "tcpPort": "\(tcpPort)", "udpPort": "\(udpPort)",
                "secure": "\(secure != nil)",
            ]
        )
        onListening(
            ListeningAddress(
                host: configuration.host,
                tcpPort: tcpPort,
                udpPort: udpPort,
                gameSessionId: configuration.session.gameSessionId
            )
        )

        let status = self.status
        status.serving(host, maxPlayers: sessionConfiguration.maxPlayers)
        status.update { $0.listening = true }
        let listener = serverChannel.channel
        // Stop accepting first, then close every player with 1001.
        let stopServing: @Sendable () -> Void = {
            status.update { $0.shuttingDown = true }
            listener.close(promise: nil)
            host.beginShutdown()
        }
        ending.attach(session: host, trigger: stopServing)
        let terminating = NIOLockedValueBox(false)
        // A signal or the fleet manager ends the process: onProcessTerminate first (bounded by --shutdown-grace),
        // then the players are closed. Once only.
        let terminate: @Sendable () -> Void = {
            ending.stopping()
            let already = terminating.withLockedValue { terminating in
                defer { terminating = true }
                return terminating
            }
            guard !already else { return }
            guard let scriptSession else { return stopServing() }
            Task {
                ending.expectHostExit()
                await scriptSession.host.terminate()
                stopServing()
            }
        }
        let healthChecks = scriptSession.map { script in
            Task {
                let interval = script.host.options.healthInterval
                while (try? await Task.sleep(nanoseconds: UInt64(max(1, interval.nanoseconds)))) != nil {
                    if await !status.checkHealth() {
                        logger.warning("the process is unhealthy: \(status.health.problems.joined(separator: ", "))")
                    }
                }
            }
        }
        defer { healthChecks?.cancel() }
        let address = ListeningAddress(
            host: configuration.host,
            tcpPort: tcpPort,
            udpPort: udpPort,
            gameSessionId: configuration.session.gameSessionId
        )
        let fleetTask = fleet.map { fleet in
            startFleet(fleet, address: address, script: scriptSession, ending: ending, terminate: terminate)
        }
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await self.acceptConnections(serverChannel, host: host, logger: logger)
            } onCancel: {
                ending.stopping()
                stopServing()
            }
        } onGracefulShutdown: {
            terminate()
        }
        await host.closePlayerSockets()
        try? await udpChannel.close()
        status.update { $0.gameSession = .ended }
        if let fleet, let fleetTask {
            await fleet.finish(status: ending.status)
            fleetTask.cancel()
            await fleetTask.value
        }
        logger.info("stopped")
    }

    private func acceptConnections(
        _ serverChannel: NIOAsyncChannel<EventLoopFuture<Accepted>, Never>,
        host: SessionHost,
        logger: Logger
    ) async {
        await withDiscardingTaskGroup { connections in
            do {
                try await serverChannel.executeThenClose { inbound in
                    for try await accepted in inbound {
                        connections.addTask { await Self.serveConnection(accepted, logger: logger) }
                    }
                }
            } catch {
                logger.error("WebSocket listener failed", metadata: ["error": "\(error)"])
                host.beginShutdown()
            }
            // The discarding group now waits for every connection to finish its close handshake.
        }
    }

    func bindWebSocket(
        group: MultiThreadedEventLoopGroup,
        address: SocketAddress,
        configuration: ServerConfiguration,
        gate: ConnectionGate,
        host: EventLoopFuture<SessionHost>,
        tls: NIOSSLContext?
    ) async throws -> NIOAsyncChannel<EventLoopFuture<Accepted>, Never> {
        let limits = PlayerWebSocketHandler.Limits(
            pingInterval: configuration.pingInterval,
            closeTimeout: Self.closeTimeout,
            maxFastBacklog: configuration.maxFastBacklog,
            maxReliableBacklog: configuration.maxReliableBacklog,
            maxLag: configuration.maxLag,
            rateLimit: configuration.reliableRateLimit
        )
        let metrics = self.metrics
        let logger = self.logger
        let loginTimeout = configuration.loginTimeout
        var bootstrap = ServerBootstrap(group: group)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AcceptGuard(logger: logger, metrics: metrics))
                }
            }
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // Room for a login storm (thousands of players at once): connections past the backlog lose their SYN
            // and retry after 1, 3, 7 s. The kernel caps it at net.core.somaxconn.
            .serverChannelOption(.backlog, value: 4096)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
        if address.protocol == .inet6 {
            // `--host ::` accepts IPv4 too (as IPv4-mapped addresses) where the OS allows dual-stack sockets.
            bootstrap = bootstrap.serverChannelOption(Self.ipv6Only, value: 0)
        }
        return try await bootstrap.bind(to: address) { channel in
            channel.eventLoop.makeCompletedFuture {
                guard gate.admit(channel) else {
                    channel.close(promise: nil)
                    return channel.eventLoop.makeSucceededFuture(.refused)
                }
                if let tls {
                    // wss: TLS first; a client speaking plain ws:// fails the TLS handshake and is closed.
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                }
                return try Self.configureConnection(
                    channel,
                    host: host,
                    limits: limits,
                    loginTimeout: loginTimeout,
                    metrics: metrics,
                    logger: logger
                )
            }
        }
    }

    /// The pipeline of an accepted TCP connection: HTTP/1.1 until the WebSocket upgrade (on any path, no
    /// subprotocol); then NIO's frame encoder for the server's frames, the encoded-frame writer before it, and the
    /// player handler, which reads the client's bytes itself (64 KiB frames and messages, every RFC 6455 rule: it
    /// closes with the right code).
    private static func configureConnection(
        _ channel: any Channel,
        host: EventLoopFuture<SessionHost>,
        limits: PlayerWebSocketHandler.Limits,
        loginTimeout: TimeAmount,
        metrics: ServerMetrics,
        logger: Logger
    ) throws -> EventLoopFuture<Accepted> {
        let acceptedAt = NIODeadline.now()
        let upgrader = PlayerWebSocketUpgrader<Accepted> { channel in
            // The session exists by the time a client can have upgraded, except in the instant after the listener
            // opened: the upgrade then completes when it does.
            host.hop(to: channel.eventLoop).flatMapThrowing { host in
                let frameWriter = EncodedFrameWriter()
                let encoder = try channel.pipeline.syncOperations.handler(type: WebSocketFrameEncoder.self)
                try channel.pipeline.syncOperations.addHandler(frameWriter, position: .before(encoder))
                let handler = PlayerWebSocketHandler(
                    host: host,
                    frameWriter: frameWriter,
                    acceptedAt: acceptedAt,
                    limits: limits,
                    metrics: metrics,
                    logger: logger
                )
                try channel.pipeline.syncOperations.addHandler(handler)
                return Accepted.player(channel)
            }
        }
        let configuration = NIOTypedHTTPServerUpgradeConfiguration<Accepted>(
            upgraders: [upgrader],
            notUpgradingCompletionHandler: { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(PlainHTTPResponder())
                    return .http
                }
            }
        )
        let accepted = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(
            configuration: .init(upgradeConfiguration: configuration)
        )
        // A connection that does not even complete its upgrade before the login deadline is closed (which fails
        // `accepted`); after the upgrade the session enforces the same deadline on the login.
        let timeout = channel.eventLoop.scheduleTask(in: loginTimeout) { channel.close(promise: nil) }
        accepted.whenComplete { _ in timeout.cancel() }
        return accepted
    }

    /// The UDP port: `udpPort` when set (0: any free port); otherwise the TCP port's number, and when the TCP port was
    /// picked by the OS (`port: 0`) and that number is taken for UDP, any free port (the login result tells clients).
    func bindUDP(
        loop: any EventLoop,
        tcpAddress: SocketAddress,
        tcpChannel: any Channel,
        configuration: ServerConfiguration
    ) async throws
        -> FastPort
    {
        let tcpPort = tcpChannel.localAddress?.port ?? configuration.port
        var address = tcpAddress
        if let udpPort = configuration.udpPort {
            address.port = udpPort
            return try await bindUDP(loop: loop, address: address, configuration: configuration)
        }
        address.port = tcpPort
        do {
            return try await bindUDP(loop: loop, address: address, configuration: configuration)
        } catch  where configuration.port == 0 {
            logger.debug("UDP port \(tcpPort) is taken; binding another", metadata: ["error": "\(error)"])
            address.port = 0
            return try await bindUDP(loop: loop, address: address, configuration: configuration)
        }
    }

    private func bindUDP(
        loop: any EventLoop,
        address: SocketAddress,
        configuration: ServerConfiguration
    ) async throws
        -> FastPort
    {
        let bootstrap = DatagramBootstrap(group: loop)
            // Reads start once the session's handler is in place.
            .channelOption(.autoRead, value: false)
            .channelOption(.datagramVectorReadMessageCount, value: Self.datagramsPerRead)
            // One recvmmsg per readiness event (level-triggered: what is left is read on the next turn), not a
            // second call that only returns EAGAIN.
            .channelOption(.maxMessagesPerRead, value: 1)
            .channelOption(
                .recvAllocator,
                value: FixedSizeRecvByteBufferAllocator(capacity: Self.datagramsPerRead * Self.datagramSlotSize)
            )
            // The socket is shared by every player: past this backlog, fast datagrams are dropped (slow consumer).
            .channelOption(.writeBufferWaterMark, value: .init(low: 512 * 1024, high: 1024 * 1024))
            // One socket takes every player's datagrams: the default receive buffer (about 280 small datagrams) overflows
            // whenever the loop is off the CPU for a few milliseconds. The kernel caps this at net.core.rmem_max.
            .channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(configuration.udpReceiveBuffer))
            .channelOption(.socketOption(.so_sndbuf), value: Self.udpSendBufferSize)
        var address = address
        if configuration.tls == nil {
            // Plain mode gives each bound player a socket of its own on this port (``PlayerSockets``), which needs
            // SO_REUSEPORT on every socket of the port. Another process's server could then share a port it holds
            // (the kernel may even pick such a port for port 0), so a socket without it picks or checks the port.
            var probe = DatagramBootstrap(group: loop)
            if address.protocol == .inet6 { probe = probe.channelOption(Self.ipv6Only, value: 0) }
            let channel = try await probe.bind(to: address).get()
            address.port = channel.localAddress?.port ?? address.port
            try await channel.close()
            // The socket is made here, not by the bootstrap, so that the fan-out can write to it directly.
            let descriptor = try DatagramSender.reusePortSocket(boundTo: address)
            return FastPort(channel: try await bootstrap.withBoundSocket(descriptor).get(), descriptor: descriptor)
        }
        let dualStack = address.protocol == .inet6 ? bootstrap.channelOption(Self.ipv6Only, value: 0) : bootstrap
        return FastPort(channel: try await dualStack.bind(to: address).get(), descriptor: nil)
    }

    static let ipv6Only = ChannelOptions.Types.SocketOption(level: .ipv6, name: .ipv6_v6only)

    // MARK: - Connections

    /// One accepted connection. A WebSocket's handler talks to the session; the task only waits for the connection to
    /// end (at shutdown, for its close handshake).
    private static func serveConnection(_ accepted: EventLoopFuture<Accepted>, logger: Logger) async {
        do {
            switch try await accepted.get() {
            case .player(let channel):
                try? await channel.closeFuture.get()
            case .http, .refused:
                break
            }
        } catch {
            logger.debug("connection ended before the WebSocket upgrade", metadata: ["error": "\(error)"])
        }
    }
}
