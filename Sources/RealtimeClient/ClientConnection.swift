import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import RealtimeProtocol
import RealtimeSecurity
import RealtimeSession

/// Drives one ``ClientSession`` with real sockets: the WebSocket, the UDP socket and the retry timer all live on one
/// event loop, and so does this object: it is not `Sendable`, and is reached from elsewhere only through a
/// `NIOLoopBound` (``bound``). No thread and no task per client. What the session knows (logged in, refused, closing,
/// how it ended) is asked of the session, never kept twice.
final class ClientConnection {
    typealias EventSource = NIOAsyncSequenceProducer<
        ClientEvent, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, ReadGate
    >.Source

    let eventLoop: any EventLoop
    let endpoint: Endpoint
    private let logger: Logger
    private let connectTimeout: TimeAmount
    private let datagramReadBatch: Int
    private var source: EventSource?
    private let eventHandler: (@Sendable (ClientEvent) -> Void)?
    private let tls: ClientTLS

    // Event-loop state.
    private var session: ClientSession
    private var webSocket: (any Channel)?
    private var packetHandler: WebSocketPacketHandler?
    private var barrier: WriteBarrierHandler?
    private var udp: (any Channel)?
    /// Why the TLS handshake of a `wss://` connection failed, if it did.
    private var tlsFailure: (any Error)?
    private var retryTimer: Scheduled<Void>?
    private var connectPromise: EventLoopPromise<LoggedIn>?
    private var connectDeadline: Scheduled<Void>?
    private var flushScheduled = false
    private var webSocketFlushPending = false
    private var udpFlushPending = false
    /// A `send(…, flush: false)` is under way: its caller flushes.
    private var flushDeferred = false
    private var datagramBuffers: [ByteBuffer] = []
    private var nextDatagramBuffer = 0
    private static let datagramBufferCount = 16
    private var readingPaused = false
    private var consumerGone = false
    private(set) var droppedDatagrams = 0
    /// Masking keys for data frames: unpredictable enough for RFC 6455 §10.3 without a system call per frame.
    private var maskKeys = SplitMix64(seed: UInt64.random(in: .min ... .max))
    private static let frameHeadroom = 14
    /// How long the client waits for the server's close frame after its own before it closes the TCP connection
    /// itself. Generous: a server that slows the client down to its rate limit reads what was sent before the close
    /// frame first, and closing early would reset the connection and lose it.
    static let closeGrace = TimeAmount.seconds(10)

    init(eventLoop: any EventLoop, endpoint: Endpoint, options: ClientOptions) {
        self.eventLoop = eventLoop
        self.endpoint = endpoint
        var logger = options.logger
        logger[metadataKey: "endpoint"] = "\(endpoint)"
        self.logger = logger
        self.connectTimeout = options.connectTimeout
        self.datagramReadBatch = options.datagramReadBatch
        self.eventHandler = options.eventHandler
        self.tls = options.tls ?? ClientTLS()
        self.session = ClientSession(
            configuration: .init(
                playerSessionId: options.playerSessionId,
                connectPayload: options.connectPayload,
                noUDP: options.noUDP,
                secure: endpoint.secure
            )
        )
    }

    func attach(source: EventSource) {
        self.source = source
    }

    /// This connection, for closures that run on its event loop but must be `Sendable`.
    var bound: NIOLoopBound<ClientConnection> { NIOLoopBound(self, eventLoop: eventLoop) }

    // MARK: - Connecting

    struct LoggedIn: Sendable {
        var peerId: Int32
        var fastPort: Int
    }

    /// Connects, upgrades and logs in; the future succeeds with the peer id and fast port once the login succeeded.
    func start() -> EventLoopFuture<LoggedIn> {
        eventLoop.preconditionInEventLoop()
        guard session.isConnecting else {
            return eventLoop.makeFailedFuture(RealtimeClientError(.closed, "closed before the login completed"))
        }
        let tlsContext: NIOSSLContext?
        do {
            tlsContext = endpoint.secure ? try tls.context() : nil
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        let promise = eventLoop.makePromise(of: LoggedIn.self)
        connectPromise = promise
        let this = bound
        connectDeadline = eventLoop.scheduleTask(in: connectTimeout) {
            let connection = this.value
            let seconds = Double(connection.connectTimeout.nanoseconds) / 1e9
            connection.failConnect(
                RealtimeClientError(
                    .connectTimeout,
                    "no successful login from \(connection.endpoint) within \(seconds) s"
                )
            )
            connection.webSocket?.close(promise: nil)
        }
        let endpoint = self.endpoint
        ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tlsContext {
                        // SNI carries a host name, never an IP address; either is checked against the certificate.
                        let name = HostName.isIPAddress(endpoint.host) ? nil : endpoint.host
                        let operations = channel.pipeline.syncOperations
                        try operations.addHandler(NIOSSLClientHandler(context: tlsContext, serverHostname: name))
                        try operations.addHandler(
                            TLSFailureRecorder { this.value.tlsFailure = this.value.tlsFailure ?? $0 }
                        )
                    }
                    try this.value.configureUpgrade(channel)
                }
            }
            .connect(host: endpoint.host, port: endpoint.port)
            .whenComplete { result in
                let connection = this.value
                switch result {
                case .success(let channel):
                    if connection.connectPromise == nil || !connection.session.isConnecting {
                        channel.close(promise: nil)
                    } else {
                        connection.webSocket = channel
                    }
                case .failure(let error):
                    connection.failConnect(
                        RealtimeClientError(.connectionFailed, "cannot connect to \(endpoint): \(error)")
                    )
                    connection.finishEvents(.disconnected(reason: "\(error)", code: nil))
                }
            }
        return promise.futureResult
    }

    private enum Upgrade: Sendable {
        case upgraded
        case refused
    }

    private func configureUpgrade(_ channel: any Channel) throws {
        let this = bound
        let upgrader = WebSocketUpgrader<Upgrade> { channel in
            channel.eventLoop.makeCompletedFuture {
                let connection = this.value
                let operations = channel.pipeline.syncOperations
                let barrier = WriteBarrierHandler()
                try operations.addHandler(barrier, position: .first)
                let handler = WebSocketPacketHandler(connection: connection)
                try operations.addHandler(handler)
                connection.barrier = barrier
                connection.packetHandler = handler
                return Upgrade.upgraded
            }
        }
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: endpoint.authority)
        headers.add(name: "Origin", value: "ws://\(endpoint.authority)")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: endpoint.path, headers: headers)
        let configuration = NIOTypedHTTPClientUpgradeConfiguration<Upgrade>(
            upgradeRequestHead: head,
            upgraders: [upgrader],
            notUpgradingCompletionHandler: { channel in
                channel.eventLoop.makeSucceededFuture(Upgrade.refused)
            }
        )
        let result = try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
            configuration: .init(upgradeConfiguration: configuration)
        )
        let endpoint = self.endpoint
        result.whenComplete { result in
            let connection = this.value
            switch result {
            case .success(.upgraded):
                connection.webSocket = channel
                connection.perform(connection.session.webSocketOpened())
            case .success(.refused):
                connection.failConnect(
                    RealtimeClientError(.upgradeRefused, "\(endpoint) refused the WebSocket upgrade")
                )
                channel.close(promise: nil)
            case .failure(let error):
                if let tlsFailure = connection.tlsFailure {
                    connection.failConnect(ClientTLS.failure(tlsFailure, endpoint: endpoint))
                } else {
                    connection.failConnect(
                        RealtimeClientError(.upgradeRefused, "WebSocket upgrade with \(endpoint) failed: \(error)")
                    )
                }
                channel.close(promise: nil)
            }
        }
        channel.closeFuture.whenComplete { _ in
            // After the upgrade the packet handler has reported the close already (nothing happens here); before
            // it, the session hears of it now.
            let connection = this.value
            connection.perform(
                connection.session.webSocketClosed(code: nil, reason: "closed during the WebSocket upgrade")
            )
        }
    }

    private func failConnect(_ error: RealtimeClientError) {
        guard let promise = connectPromise else { return }
        connectPromise = nil
        connectDeadline?.cancel()
        connectDeadline = nil
        promise.fail(error)
    }

    // MARK: - Reports from the handlers

    func receivedReliable(_ packet: Packet) {
        perform(session.receivedReliable(packet))
    }

    func receivedFast(_ packet: Packet) {
        perform(session.receivedFast(packet))
    }

    func droppedDatagram(_ error: any Error) {
        droppedDatagrams += 1
        logger.debug("dropped a malformed datagram", metadata: ["error": "\(error)"])
    }

    func udpError(_ error: any Error) {
        logger.trace("UDP socket error", metadata: ["error": "\(error)"])
    }

    func webSocketClosed(code: UInt16?, reason: String) {
        perform(session.webSocketClosed(code: code, reason: reason))
        packetHandler = nil
        barrier = nil
    }

    // MARK: - User requests (on the event loop)

    func send(opCode: OpCode, payload: ByteBuffer, targetPlayer: Int32, targetGroup: Int32, reliable: Bool) throws {
        try send(
            opCode: opCode,
            payload: payload,
            targetPlayer: targetPlayer,
            targetGroup: targetGroup,
            reliable: reliable,
            flush: true
        )
    }

    /// `flush: false` leaves the write for the caller's ``flushNow()`` (a sender that writes a burst on this loop).
    func send(
        opCode: OpCode,
        payload: ByteBuffer,
        targetPlayer: Int32,
        targetGroup: Int32,
        reliable: Bool,
        flush: Bool
    ) throws {
        flushDeferred = !flush
        defer { flushDeferred = false }
        let action = session.send(
            opCode: opCode,
            payload: payload,
            targetPlayer: targetPlayer,
            targetGroup: targetGroup,
            reliable: reliable
        )
        try perform(request: action)
    }

    enum GroupRequest {
        case join
        case leave
        case membership
    }

    func group(_ request: GroupRequest, _ group: Int32) throws {
        let action =
            switch request {
            case .join: session.joinGroup(group)
            case .leave: session.leaveGroup(group)
            case .membership: session.requestGroupMembership(group)
            }
        try perform(request: action)
    }

    private func perform(request action: ClientSession.Action) throws {
        if let rejection = action.reject {
            switch rejection {
            case .payloadTooLarge(let size):
                throw RealtimeClientError(
                    .payloadTooLarge,
                    "payload of \(size) bytes exceeds the limit of \(RealtimeConstants.maxPayload) bytes"
                )
            case .notConnected:
                throw RealtimeClientError(.notConnected, "not logged in")
            case .closed:
                throw RealtimeClientError(.closed, "the connection is closed")
            }
        }
        perform(action)
    }

    /// Flushes the writes left pending by `send(…, flush: false)`.
    func flushNow() {
        flushPendingWrites()
    }

    /// Completes once every reliable packet handed over so far was written to the socket.
    func flush() -> EventLoopFuture<Void> {
        flushPendingWrites()
        let promise = eventLoop.makePromise(of: Void.self)
        if let barrier {
            barrier.barrier(promise: promise)
        } else if session.isClosed {
            promise.fail(RealtimeClientError(.closed, "the connection closed before everything was written"))
        } else {
            promise.succeed()
        }
        return promise.futureResult
    }

    /// Sends the close frame (1000) and closes UDP; completes when the WebSocket is closed.
    func close() -> EventLoopFuture<Void> {
        failConnect(RealtimeClientError(.closed, "closed before the login completed"))
        perform(session.closeRequested())
        guard let webSocket else { return eventLoop.makeSucceededVoidFuture() }
        if packetHandler == nil { webSocket.close(promise: nil) }
        return webSocket.closeFuture
    }

    // MARK: - Carrying out actions

    private func perform(_ action: ClientSession.Action) {
        switch action.send {
        case .reliable(let packet)?: writeReliable(packet)
        case .fast(let packet)?: writeFast(packet)
        case nil: break
        }
        switch action.udp {
        case .open(let port)?: openUDP(port: port)
        case .close?: closeUDP()
        case nil: break
        }
        switch action.timer {
        case .schedule(let timer, let delay)?:
            retryTimer?.cancel()
            let this = bound
            retryTimer = eventLoop.scheduleTask(in: delay) {
                let connection = this.value
                connection.retryTimer = nil
                connection.perform(connection.session.timerFired(timer))
            }
        case .cancel?:
            retryTimer?.cancel()
            retryTimer = nil
        case nil: break
        }
        if let event = action.emit { deliver(event) }
        if case .close(let code, let reason)? = action.webSocket {
            if let packetHandler {
                flushPendingWrites()
                packetHandler.close(code: code, reason: reason, grace: Self.closeGrace)
            } else {
                webSocket?.close(promise: nil)
            }
        }
        if let drop = action.drop {
            logger.trace("ignored a packet", metadata: ["why": "\(drop)"])
        }
    }

    private func deliver(_ event: ClientSession.Event) {
        switch event {
        case .connected(let peerId, let fastPort):
            logger.debug("logged in", metadata: ["peerId": "\(peerId)", "fastPort": "\(fastPort)"])
            connectDeadline?.cancel()
            connectDeadline = nil
            let promise = connectPromise
            connectPromise = nil
            yield(.connected(peerId: peerId, fastPort: fastPort))
            promise?.succeed(LoggedIn(peerId: peerId, fastPort: fastPort))
        case .fastReady:
            logger.debug("UDP association ready")
            yield(.fastReady)
        case .message(let packet):
            yield(.message(packet))
        case .groupMembership(let group, let players):
            yield(.groupMembership(group: group, players: players))
        case .loginRefused:
            // The server closes next (PROTOCOL.md §5); do not wait for ever if it does not.
            let channel = webSocket
            eventLoop.scheduleTask(in: .seconds(2)) { channel?.close(promise: nil) }
        case .disconnected(let code, let reason):
            logger.debug(
                "disconnected",
                metadata: ["code": "\(code.map(String.init) ?? "none")", "reason": "\(reason)"]
            )
            let detail = code.map { "\(reason.isEmpty ? "closed" : reason) (close code \($0))" } ?? reason
            switch session.ending {
            case .refused:
                failConnect(RealtimeClientError(.loginRefused, "login refused: \(detail)", closeCode: code))
            case .beforeUpgrade:
                failConnect(
                    tlsFailure.map { ClientTLS.failure($0, endpoint: endpoint) }
                        ?? RealtimeClientError(
                            .connectionFailed,
                            "\(endpoint) closed the connection during the upgrade"
                        )
                )
            default:
                failConnect(
                    RealtimeClientError(.disconnected, "connection closed before login: \(detail)", closeCode: code)
                )
            }
            retryTimer?.cancel()
            retryTimer = nil
            finishEvents(.disconnected(reason: reason, code: code))
        }
    }

    private func yield(_ event: ClientEvent) {
        if let eventHandler {
            eventHandler(event)
            return
        }
        guard let source, !consumerGone else { return }
        switch source.yield(event) {
        case .produceMore, .dropped: break
        case .stopProducing: pauseReading()
        }
    }

    private func finishEvents(_ event: ClientEvent) {
        yield(event)
        source?.finish()
        source = nil
    }

    // MARK: - Writing

    private func writeReliable(_ packet: Packet) {
        guard let webSocket else { return }
        // Room in front for the frame header (at most 14 bytes), which the encoder then writes in place.
        var buffer = webSocket.allocator.buffer(capacity: Self.frameHeadroom + packet.encodedSize + 5)
        buffer.moveWriterIndex(forwardBy: Self.frameHeadroom)
        buffer.moveReaderIndex(forwardBy: Self.frameHeadroom)
        buffer.writePacket(packet)
        let frame = WebSocketFrame(fin: true, opcode: .binary, maskKey: .random(using: &maskKeys), data: buffer)
        webSocket.write(frame, promise: nil)
        webSocketFlushPending = true
        scheduleFlush()
    }

    private func writeFast(_ packet: Packet) {
        guard let udp else { return }
        // A ring of datagram buffers: once the socket has sent one, its storage is ours alone again and `clear()`
        // reuses it; one still queued in the channel makes `clear()` allocate a fresh one instead.
        if datagramBuffers.count < Self.datagramBufferCount {
            datagramBuffers.append(udp.allocator.buffer(capacity: packet.encodedSize + 5))
            nextDatagramBuffer = datagramBuffers.count - 1
        } else {
            nextDatagramBuffer = (nextDatagramBuffer + 1) % Self.datagramBufferCount
        }
        datagramBuffers[nextDatagramBuffer].clear(minimumCapacity: packet.encodedSize + 5)
        datagramBuffers[nextDatagramBuffer].writePacket(packet)
        udp.write(datagramBuffers[nextDatagramBuffer], promise: nil)
        udpFlushPending = true
        scheduleFlush()
    }

    /// Writes made in one event-loop tick leave with one flush (one system call per channel), unless the caller
    /// flushes them itself (``RealtimeClient/sendOnEventLoop(opCode:payload:targetPlayer:targetGroup:reliable:flush:)``).
    private func scheduleFlush() {
        guard !flushScheduled, !flushDeferred else { return }
        flushScheduled = true
        let this = bound
        eventLoop.execute {
            this.value.flushScheduled = false
            this.value.flushPendingWrites()
        }
    }

    private func flushPendingWrites() {
        if webSocketFlushPending {
            webSocketFlushPending = false
            webSocket?.flush()
        }
        if udpFlushPending {
            udpFlushPending = false
            udp?.flush()
        }
    }

    // MARK: - UDP

    private func openUDP(port: Int) {
        guard var address = webSocket?.remoteAddress else {
            perform(session.udpFailed())
            return
        }
        address.port = port
        let dtls: NIOLoopBound<DTLSClientHandler>?
        do {
            dtls = try session.caCert.map { NIOLoopBound(try makeDTLSHandler(caCert: $0), eventLoop: eventLoop) }
        } catch {
            logger.warning("cannot secure the fast channel; staying on the WebSocket", metadata: ["error": "\(error)"])
            perform(session.udpFailed())
            return
        }
        let this = bound
        var bootstrap = DatagramBootstrap(group: eventLoop)
            // One read per readiness event: the loop is level-triggered, so a datagram left behind is read on the
            // next turn, and the usual case (one datagram waiting) costs one recvmsg instead of a second one that
            // only returns EAGAIN.
            .channelOption(.maxMessagesPerRead, value: 1)
        if datagramReadBatch > 1 {
            // Up to this many datagrams per recvmmsg, each in its own slot of one receive buffer.
            bootstrap = bootstrap.channelOption(.datagramVectorReadMessageCount, value: datagramReadBatch)
                .channelOption(
                    .recvAllocator,
                    value: FixedSizeRecvByteBufferAllocator(
                        capacity: datagramReadBatch * RealtimeConstants.maxDatagramSize
                    )
                )
        }
        bootstrap
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let dtls { try channel.pipeline.syncOperations.addHandler(dtls.value) }
                    try channel.pipeline.syncOperations.addHandler(DatagramPacketHandler(connection: this.value))
                }
            }
            .connect(to: address)
            .whenComplete { result in
                let connection = this.value
                switch result {
                case .success(let channel):
                    guard connection.session.isConnected else {
                        channel.close(promise: nil)
                        return
                    }
                    connection.udp = channel
                    if connection.readingPaused { channel.setOption(.autoRead, value: false).whenFailure { _ in } }
                    if let dtls {
                        // verifyIdentity goes out once the DTLS handshake is done.
                        dtls.value.start()
                    } else {
                        connection.perform(connection.session.udpOpened())
                    }
                case .failure(let error):
                    connection.logger.info(
                        "cannot open the UDP socket; staying on the WebSocket",
                        metadata: ["error": "\(error)"]
                    )
                    connection.perform(connection.session.udpFailed())
                }
            }
    }

    /// Secure mode: DTLS on the fast channel, trusting only the login result's `caCert` (unless `--tls-insecure`) and
    /// checking the certificate against the endpoint's host exactly as given, as the SDK does.
    private func makeDTLSHandler(caCert: ByteBuffer) throws -> DTLSClientHandler {
        let context = try tls.dtlsContext(trusting: String(buffer: caCert))
        let dtls = try DTLSSession(client: context, expectedHost: endpoint.host, allocator: ByteBufferAllocator())
        return DTLSClientHandler(
            session: dtls,
            onEstablished: { [self] in
                logger.debug("DTLS handshake done")
                perform(session.udpOpened())
            },
            onEnded: { [self] error in
                logger.info(
                    "the DTLS fast channel ended; staying on the WebSocket",
                    metadata: ["error": "\(error.map { "\($0)" } ?? "closed by the server")"]
                )
                perform(session.udpFailed())
            }
        )
    }

    private func closeUDP() {
        udp?.close(promise: nil)
        udp = nil
    }

    // MARK: - Back-pressure

    private func pauseReading() {
        guard !readingPaused else { return }
        readingPaused = true
        for channel in [webSocket, udp].compactMap({ $0 }) {
            channel.setOption(.autoRead, value: false).whenFailure { _ in }
        }
    }

    /// The consumer caught up (or went away): read again.
    func resumeReading(consumerGone: Bool) {
        if consumerGone { self.consumerGone = true }
        guard readingPaused else { return }
        readingPaused = false
        for channel in [webSocket, udp].compactMap({ $0 }) {
            channel.setOption(.autoRead, value: true).whenFailure { _ in }
        }
    }
}

/// Resumes a connection's reads when its event consumer caught up. It holds the connection until the events finish
/// (the connection then lets go of the event source).
struct ReadGate: NIOAsyncSequenceProducerDelegate {
    let connection: NIOLoopBound<ClientConnection>

    func produceMore() {
        let connection = self.connection
        connection.eventLoop.execute { connection.value.resumeReading(consumerGone: false) }
    }

    func didTerminate() {
        let connection = self.connection
        connection.eventLoop.execute { connection.value.resumeReading(consumerGone: true) }
    }
}

/// A small, fast pseudo-random generator (Steele, Lea and Flood's SplitMix64), seeded from the system's generator.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
