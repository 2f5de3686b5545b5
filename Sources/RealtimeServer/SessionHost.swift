import Atomics
import Logging
import NIOConcurrencyHelpers
import NIOCore
import RealtimeProtocol
import RealtimeSecurity
import RealtimeSession

/// The owner of the one ``GameSession`` all connections share, and the only code that carries out its ``Effects``.
///
/// Ownership: the session and everything that reads or changes it (the connection registry, the writes waiting for
/// a flush) live on one event loop, the UDP socket's, rather than behind a lock:
/// * a datagram is handled on the thread that read it, with no hop and no lock, and the fast writes of a whole read
///   batch (recvmmsg) leave with one flush (sendmmsg);
/// * fast sequence numbers are taken and written to the UDP socket in the same order, on the same thread. With a lock,
///   two tasks could take numbers 5 and 6 for one player under the lock and write them outside it in the other order,
///   and the client would drop 5 as stale; holding the lock while writing is I/O under a lock;
/// * a write for a WebSocket on another loop is handed over with `execute`, which keeps the order between them, so a
///   refused login's result is on the wire before the close frame, and a sender's messages stay in order.
/// A WebSocket handler hands its packets to the session's loop in the order they arrived, as the UDP handler does, with
/// no task in between; a connection stops reading while too many of its packets wait (see ``Inbound``). Packets from
/// both channels take the same path into the session, which keeps each sender's order, script questions included
/// (several in flight per sender; their answers come back on the same loop, the script bridge's).
final class SessionHost: Sendable {
    let loop: any EventLoop
    let logger: Logger
    let metrics: ServerMetrics
    private let core: NIOLoopBoundBox<SessionCore>
    private let connectionIds = NIOLockedValueBox<UInt64>(0)

    init(
        session: GameSession,
        loop: any EventLoop,
        logger: Logger,
        metrics: ServerMetrics,
        script: (any SessionScript)?,
        recorder: SessionRecorder? = nil,
        gate: ConnectionGate? = nil,
        loginTimeout: TimeAmount = .seconds(5),
        flushInterval: TimeAmount = .zero
    ) {
        self.loop = loop
        self.logger = logger
        self.metrics = metrics
        let core = SessionCore(
            session: session,
            loop: loop,
            logger: logger,
            metrics: metrics,
            script: script,
            recorder: recorder,
            gate: gate,
            loginTimeout: loginTimeout,
            flushInterval: flushInterval
        )
        self.core = NIOLoopBoundBox.makeBoxSendingValue(core, eventLoop: loop)
    }

    // MARK: - From the UDP socket's handler (on the loop)

    /// Gives the session its UDP socket; every fast packet the server sends leaves from it. With its `descriptor`
    /// (plain mode), datagrams are written to it directly (``DatagramSender``), not through the channel.
    func attachUDP(_ channel: any Channel, descriptor: CInt?) {
        core.value.udpChannel = channel
        core.value.datagramSender = descriptor.map {
            DatagramSender(descriptor: $0, maxDatagramSize: RealtimeConstants.maxDatagramSize)
        }
        core.value.startTicking()
    }

    /// Plain mode: the sockets of the bound players on the fast port (see ``PlayerSockets``).
    func attachPlayerSockets(_ sockets: PlayerSockets) {
        core.value.playerSockets = sockets
    }

    /// Closes the players' own sockets on the fast port before the shared one closes.
    func closePlayerSockets() async {
        let core = self.core
        try? await loop.submit { core.value.playerSockets?.closeAll() }.get()
    }

    /// The first look at a datagram, before it is decoded: false drops it (counted, not logged).
    func screen(_ endpoint: UDPEndpoint) -> Bool {
        core.value.screen(endpoint)
    }

    func datagramReceived(_ packet: Packet, from endpoint: UDPEndpoint, onSharedSocket: Bool) {
        let core = core.value
        core.receive(packet, from: endpoint)
        // A bound player's first game message opens its own socket (the UDP handshake and group requests do not:
        // an idle player costs no socket).
        if onSharedSocket, packet.opCode.isDeveloper, let sockets = core.playerSockets {
            sockets.open(endpoint, isBound: core.isAssociated)
        }
    }

    /// The end of a read batch on one of the fast port's sockets: what the datagrams produced leaves once every socket
    /// that was ready in this turn of the loop has been read (one `sendmmsg` for all of them).
    func datagramBatchEnded() {
        core.value.flushThisTick()
    }

    func dropped(_ reason: DropReason, _ detail: @autoclosure () -> String) {
        metrics.dropped(reason)
        logger.debug("dropped", metadata: ["reason": "\(reason.rawValue)", "detail": "\(detail())"])
    }

    /// Secure mode: the DTLS layer of the fast port, reporting the associations that end to the session.
    func makeDTLSHandler(_ context: DTLSContext) throws -> DTLSChannelHandler {
        let core = self.core
        return DTLSChannelHandler(server: try DTLSServer(context: context), metrics: metrics, logger: logger) {
            core.value.fastAssociationEnded($0)
        }
    }

    // MARK: - From the WebSocket handlers (on their loops)

    /// A connection's way into the session: its id, and the count of its packets handed over but not yet carried out
    /// (its flow control).
    final class Inbound: Sendable {
        let connection: ConnectionID
        /// Counted on the connection's loop and on the session's: an atomic, not a lock, per packet.
        private let waiting = ManagedAtomic(0)
        /// Packets a connection may have waiting for the session before it stops reading.
        static let limit = 64

        init(_ connection: ConnectionID) {
            self.connection = connection
        }

        /// One more packet handed over; true when the connection must stop reading.
        func handedOver() -> Bool {
            waiting.wrappingIncrementThenLoad(ordering: .relaxed) >= Self.limit
        }

        /// One packet carried out; true when the connection may have stopped reading and may go on.
        func carriedOut() -> Bool {
            waiting.wrappingDecrementThenLoad(ordering: .relaxed) == Self.limit - 1
        }
    }

    /// A new connection's id and flow control.
    func makeInbound() -> Inbound {
        Inbound(
            ConnectionID(
                connectionIds.withLockedValue { id in
                    id += 1
                    return id
                }
            )
        )
    }

    /// An upgraded WebSocket connection, accepted at `acceptedAt`, is ready.
    func opened(
        _ inbound: Inbound,
        channel: any Channel,
        handler: NIOLoopBound<PlayerWebSocketHandler>,
        acceptedAt: NIODeadline
    ) {
        let core = self.core
        onLoop { core.value.open(inbound.connection, channel: channel, handler: handler, acceptedAt: acceptedAt) }
    }

    /// A packet from a connection, handed to the session's loop in the order it came (directly when the connection
    /// lives on that loop). True: the connection must stop reading until the session resumes it.
    func received(_ packet: Packet, on inbound: Inbound) -> Bool {
        let core = self.core
        guard !loop.inEventLoop else {
            core.value.receive(packet, on: inbound.connection)
            return false
        }
        let pause = inbound.handedOver()
        loop.execute {
            core.value.receive(packet, on: inbound.connection)
            if inbound.carriedOut() { core.value.resumeReading(inbound.connection) }
        }
        return pause
    }

    /// The connection ended: the session forgets it (its player may keep its slot when the connection was `lost`).
    func ended(_ inbound: Inbound, reason: String, lost: Bool) {
        let core = self.core
        onLoop { core.value.connectionEnded(inbound.connection, reason: reason, closeCode: .goingAway, lost: lost) }
    }

    private func onLoop(_ work: @escaping @Sendable () -> Void) {
        if loop.inEventLoop { work() } else { loop.execute(work) }
    }

    /// Refuses new logins and closes every connection with 1001 "server shutting down". Callable from anywhere.
    func beginShutdown() {
        let core = self.core
        loop.execute { core.value.shutDown() }
    }

    // MARK: - Script requests

    /// The players and groups now (for the status page and the gauges); nil when the event loop is gone.
    func membership() async -> (players: [StatusSnapshot.PlayerSummary], groups: [StatusSnapshot.GroupSummary])? {
        let core = self.core
        return try? await loop.submit { core.value.membership() }.get()
    }

    /// Carries out a request of the script (on the session's loop, in the order the script made them).
    func perform(_ request: ScriptRequest) {
        let core = self.core
        loop.execute { core.value.perform(request) }
    }

}

/// The state ``SessionHost`` keeps on its event loop.
final class SessionCore {
    private struct Entry {
        var channel: any Channel
        var handler: NIOLoopBound<PlayerWebSocketHandler>
        var remote: SocketAddress?
    }

    private var session: GameSession
    private var connections: [ConnectionID: Entry] = [:]
    var udpChannel: (any Channel)?
    var datagramSender: DatagramSender?
    /// Datagrams written through the channel in plain mode and not sent yet (see ``writeThroughChannel(_:to:)``).
    private var datagramsOnChannel = 0
    var playerSockets: PlayerSockets?
    private var udpNeedsFlush = false
    /// Writes per connection since the last flush, and the connections in the order they got their first write.
    private var pendingWrites: [ConnectionID: [ConnectionWrite]] = [:]
    private var pendingOrder: [ConnectionID] = []
    private var shuttingDown = false
    /// A flush is scheduled for when the flush interval has passed (see ``flushSoon()``).
    private var flushQueued = false
    /// A flush is queued on the loop behind the work already there (see ``flushThisTick()``).
    private var tickFlushQueued = false
    /// The script's flush is queued on the loop behind the work already there (see ``flushScriptThisTick()``).
    private var scriptFlushQueued = false
    private var lastFlush = NIODeadline.uptimeNanoseconds(0)
    /// A ``flush()`` is running; another was asked for while it ran.
    private var flushing = false
    private var flushAgain = false
    /// Reliable writes caused by WebSocket packets and script answers leave at most this often.
    private let flushInterval: TimeAmount
    private let loop: any EventLoop
    private let allocator = ByteBufferAllocator()
    private let logger: Logger
    private let metrics: ServerMetrics
    private let script: (any SessionScript)?
    private let recorder: SessionRecorder?
    private let gate: ConnectionGate?
    private let loginTimeout: TimeAmount
    /// Lines that an attacker could repeat (refused logins, refused UDP rebindings) are logged at most once per
    /// interval per key.
    private var refusalLog = LogLimiter<String>(interval: .seconds(1))
    private var rebindLog = LogLimiter<Int32>(interval: .seconds(10))
    private var ticker: RepeatedTask?

    init(
        session: GameSession,
        loop: any EventLoop,
        logger: Logger,
        metrics: ServerMetrics,
        script: (any SessionScript)?,
        recorder: SessionRecorder?,
        gate: ConnectionGate?,
        loginTimeout: TimeAmount,
        flushInterval: TimeAmount
    ) {
        self.flushInterval = flushInterval
        self.session = session
        self.loop = loop
        self.logger = logger
        self.metrics = metrics
        self.script = script
        self.recorder = recorder
        self.gate = gate
        self.loginTimeout = loginTimeout
    }

    // MARK: Events

    func open(
        _ connection: ConnectionID,
        channel: any Channel,
        handler: NIOLoopBound<PlayerWebSocketHandler>,
        acceptedAt: NIODeadline
    ) {
        let remote = channel.remoteAddress
        connections[connection] = Entry(channel: channel, handler: handler, remote: remote)
        session.connectionOpened(connection, remote: remote)
        metrics.connections.increment()
        logger.debug(
            "connection opened",
            metadata: ["connection": "\(connection)", "address": "\(remote.map { "\($0)" } ?? "?")"]
        )
        if shuttingDown {
            enqueue(connection, .close(.goingAway, reason: "server shutting down"))
            flush()
        } else {
            let core = NIOLoopBound(self, eventLoop: loop)
            loop.scheduleTask(deadline: acceptedAt + loginTimeout) { core.value.loginDeadline(connection) }
        }
    }

    /// The connection stopped reading while its packets waited; they are carried out now.
    func resumeReading(_ connection: ConnectionID) {
        guard let entry = connections[connection] else { return }
        let handler = entry.handler
        entry.channel.eventLoop.execute { handler.value.resume() }
    }

    /// A connection that has not logged in by its deadline is closed, even if it answers pings.
    private func loginDeadline(_ connection: ConnectionID) {
        guard session.awaitsLogin(connection) else { return }
        metrics.loginTimeouts.increment()
        logger.debug(
            "login timeout",
            metadata: ["connection": "\(connection)", "address": "\(address(of: connection))"]
        )
        perform(.close(connection, .policyViolation, "login timeout"))
        flush()
    }

    /// Every second: players whose reconnect grace has ended leave.
    func startTicking() {
        let core = NIOLoopBound(self, eventLoop: loop)
        ticker = loop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
            core.value.tick()
        }
    }

    private func tick() {
        perform(session.expireLostPlayers(at: .now()))
        flush()
        playerSockets?.closeUnbound { session.isAssociated($0) }
    }

    func isAssociated(_ endpoint: UDPEndpoint) -> Bool { session.isAssociated(endpoint) }

    /// The first look at a datagram (see ``GameSession/screen(datagramFrom:at:)``): true to decode it.
    func screen(_ endpoint: UDPEndpoint) -> Bool {
        switch session.screen(datagramFrom: endpoint, at: .now()) {
        case .admit:
            return true
        case .drop(let reason):
            metrics.dropped(reason)
        case .report(let peerId, let dropped):
            metrics.dropped(.rateLimited)
            logger.warning(
                "rate limit: dropping datagrams",
                metadata: [
                    "peerId": "\(peerId)", "dropped": "\(dropped)",
                    "limit": "\(session.configuration.fastRateLimit.perSecond)/s",
                ]
            )
        case .kick(let peerId):
            metrics.dropped(.rateLimited)
            metrics.rateLimitKicks.increment()
            logger.warning("rate limit: disconnecting a player far over it", metadata: ["peerId": "\(peerId)"])
            perform(session.disconnect(peerId, reason: "rate limit exceeded"))
            flushSoon()
        }
        return false
    }

    func receive(_ packet: Packet, on connection: ConnectionID) {
        metrics.receivedReliable.increment()
        perform(session.receive(packet, on: connection))
        flushSoon()
    }

    /// A datagram: its effects are flushed at the end of the read batch.
    func receive(_ packet: Packet, from endpoint: UDPEndpoint) {
        metrics.receivedFast.increment()
        perform(session.receive(packet, from: endpoint, at: .now()))
    }

    /// The script answered a question.
    private func decide(_ id: DecisionID, verdict: Verdict) {
        perform(session.decide(id, verdict: verdict))
        // The relays answers release leave with the other relays, at most once per flush interval: under load many
        // reads from the script host fall in one interval, and their relays then leave in one write per recipient.
        flushSoon()
    }

    func perform(_ request: ScriptRequest) {
        switch request {
        case .send(let opCode, let sender, let targetPlayer, let targetGroup, let reliable, let payload):
            guard payload.readableBytes <= RealtimeConstants.maxPayload else {
                logger.warning(
                    "script message dropped: payload over \(RealtimeConstants.maxPayload) bytes",
                    metadata: ["source": "script", "opCode": "\(opCode)", "bytes": "\(payload.readableBytes)"]
                )
                return
            }
            perform(
                session.sendFromServer(
                    opCode: OpCode(opCode),
                    payload: payload,
                    sender: sender,
                    targetPlayer: targetPlayer,
                    targetGroup: targetGroup,
                    reliable: reliable
                )
            )
        case .broadcastMembership(let group, let targetGroup):
            perform(session.broadcastGroupMembershipUpdate(group, to: targetGroup))
        case .opCodes(let opCodes):
            session.setHookOpCodes(Set(opCodes))
        case .end, .hung, .exited:
            return
        }
        // Requests come together (one read from the script host), and a send made in a callback already waited for
        // a round trip to the script: they leave when this read is handled (and the relays waiting for the flush
        // interval with them, ahead of them).
        flushThisTick()
    }

    /// Secure mode: a DTLS association ended; its player, if any, falls back to the WebSocket.
    func fastAssociationEnded(_ endpoint: UDPEndpoint) {
        perform(session.fastAssociationEnded(endpoint))
    }

    func connectionEnded(_ connection: ConnectionID, reason: String, closeCode: CloseCode, lost: Bool) {
        perform(session.connectionClosed(connection, reason: reason, lost: lost, at: .now()))
        enqueue(connection, .close(closeCode, reason: shuttingDown ? "server shutting down" : reason))
        flush()
        connections[connection] = nil
    }

    func membership() -> (players: [StatusSnapshot.PlayerSummary], groups: [StatusSnapshot.GroupSummary]) {
        (
            session.playerList.map {
                StatusSnapshot.PlayerSummary(peerId: $0.peerId, playerSessionId: $0.playerSessionId)
            },
            session.groupList.map { StatusSnapshot.GroupSummary(group: $0.group, members: $0.members) }
        )
    }

    func shutDown() {
        guard !shuttingDown else { return }
        shuttingDown = true
        ticker?.cancel()
        playerSockets?.closeAll()
        logger.info("shutting down", metadata: ["connections": "\(connections.count)"])
        perform(session.shutDown())
        flush()
    }

    // MARK: Effects

    /// Carries out one event's effects: `sends`, then `relay`, then `closes`, then `later` (each close also makes the session forget
    /// the connection at once, so nothing more is routed to it). The WebSocket copies of a fast message may be
    /// dropped for a slow consumer. Writes wait for ``flush()``.
    private func perform(_ effects: Effects) {
        for send in effects.sends {
            switch send.route {
            case .reliable(let connection):
                enqueue(connection, .packet(webSocketFrame(send.packet.onReliableChannel), droppable: false))
            case .fast(let endpoint, let sequenceNumber):
                let encoded = EncodedPacket(send.packet.onFastChannel, allocator: allocator)
                writeDatagram(
                    encoded.lengthDelimited(sequenceNumber: sequenceNumber, allocator: allocator),
                    to: endpoint
                )
            }
        }
        if let relay = effects.relay {
            metrics.relayed.increment()
            if !relay.reliable.isEmpty {
                // One frame, encoded once and shared by every WebSocket recipient.
                let frame = webSocketFrame(relay.packet.onReliableChannel)
                for recipient in relay.reliable {
                    enqueue(recipient.connection, .packet(frame, droppable: relay.isFast))
                }
            }
            if !relay.fast.isEmpty {
                // Encoded once; each datagram is a copy stamped with its recipient's sequence number, and the copies
                // share one buffer (one allocation per message, not per recipient).
                let encoded = EncodedPacket(relay.packet.onFastChannel, allocator: allocator)
                var size = 0
                for recipient in relay.fast {
                    size += encoded.lengthDelimitedSize(sequenceNumber: recipient.sequenceNumber)
                }
                var datagrams = allocator.buffer(capacity: size)
                for recipient in relay.fast {
                    let length = encoded.write(sequenceNumber: recipient.sequenceNumber, into: &datagrams)
                    writeDatagram(datagrams.readSlice(length: length)!, to: recipient.endpoint)
                }
            }
        }
        for notice in effects.notices { report(notice) }
        for question in effects.questions { ask(question) }
        for close in effects.closes {
            enqueue(close.connection, .close(close.code, reason: close.reason))
            perform(session.connectionClosed(close.connection, reason: close.reason))
        }
        for next in effects.later { perform(next) }
    }

    /// Asks the script (every question is allowed when there is none: hooks configured without a script).
    private func ask(_ question: Question) {
        guard let script else { return decide(question.id, verdict: .allow) }
        let core = NIOLoopBound(self, eventLoop: loop)
        script.ask(question) { (verdict: Verdict) in core.value.decide(question.id, verdict: verdict) }
        flushScriptThisTick()
    }

    /// A packet as the whole WebSocket frame a connection writes (see ``EncodedFrameWriter``).
    private func webSocketFrame(_ packet: Packet) -> ByteBuffer {
        .webSocketBinaryFrame(packet, allocator: allocator)
    }

    /// One lookup per write (this runs once per recipient of every relay): a connection is new to this flush when
    /// the append added its entry.
    private func enqueue(_ connection: ConnectionID, _ write: ConnectionWrite) {
        let connectionsBefore = pendingWrites.count
        pendingWrites[connection, default: []].append(write)
        if pendingWrites.count != connectionsBefore { pendingOrder.append(connection) }
    }

    private func writeDatagram(_ datagram: ByteBuffer, to endpoint: UDPEndpoint) {
        guard let datagramSender, datagramsOnChannel == 0 else {
            return writeThroughChannel(datagram, to: endpoint.address)
        }
        if !datagramSender.enqueue(datagram, to: endpoint.address) {
            // Full: what it holds leaves first. Past a refusal, this one follows it through the channel.
            sendDatagrams()
            guard datagramsOnChannel == 0, datagramSender.enqueue(datagram, to: endpoint.address) else {
                return writeThroughChannel(datagram, to: endpoint.address)
            }
        }
        udpNeedsFlush = true
    }

    /// Writes through the UDP channel: in secure mode always (DTLS seals each datagram in the pipeline); in plain
    /// mode for what the kernel refused for want of buffer space, and after it until that has left, so that the
    /// datagrams keep their order.
    private func writeThroughChannel(_ datagram: ByteBuffer, to address: SocketAddress) {
        guard let udpChannel else { return }
        if !udpChannel.isWritable, udpNeedsFlush {
            // Writes of a whole pass of the loop wait for one flush (``flushThisTick()``); past the socket's
            // high-water mark they go now, and only a backlog the kernel did not take counts as full.
            udpNeedsFlush = false
            udpChannel.flush()
        }
        guard udpChannel.isWritable else {
            report(.dropped(.slowConsumer, peerId: nil, detail: "UDP socket backlog full, datagram to \(address)"))
            return
        }
        metrics.sentFast.increment()
        metrics.bytesSentFast.increment(by: Int64(datagram.readableBytes))
        let envelope = AddressedEnvelope(remoteAddress: address, data: datagram)
        guard datagramSender != nil else {
            udpChannel.write(envelope, promise: nil)
            udpNeedsFlush = true
            return
        }
        datagramsOnChannel += 1
        let promise = loop.makePromise(of: Void.self)
        let core = NIOLoopBound(self, eventLoop: loop)
        promise.futureResult.whenComplete { _ in core.value.datagramsOnChannel -= 1 }
        udpChannel.write(envelope, promise: promise)
        udpNeedsFlush = true
    }

    /// Sends the datagrams the sender holds, on the fast port's socket while its channel is open (the channel closes
    /// the socket, on this loop).
    private func sendDatagrams() {
        guard let datagramSender, !datagramSender.isEmpty else { return }
        guard udpChannel?.isActive == true else {
            metrics.dropped(.slowConsumer, count: datagramSender.discard())
            return
        }
        let outcome = datagramSender.flush { bytes, address in writeThroughChannel(bytes, to: address) }
        metrics.sentFast.increment(by: Int64(outcome.sent))
        metrics.bytesSentFast.increment(by: Int64(outcome.sentBytes))
        if outcome.refused > 0 { udpChannel?.flush() }
        if outcome.failed > 0 {
            metrics.dropped(.sendFailed, count: outcome.failed)
            logger.debug(
                "UDP send failed",
                metadata: [
                    "datagrams": "\(outcome.failed)",
                    "error": "\(IOError(errnoCode: outcome.lastError, reason: "sendmmsg"))",
                ]
            )
        }
    }

    /// Flushes once the packets already queued on the loop are handled, and at most once per ``flushInterval``:
    /// under load many packets wait on the loop together, and their relays then leave with one `execute` per event
    /// loop and one `writev` per recipient connection instead of one per packet. A quiet session flushes at once. The
    /// writes keep their order: any ``flush()`` in between sends them first.
    private func flushSoon() {
        let due = lastFlush + flushInterval
        guard NIODeadline.now() < due else { return flushThisTick() }
        guard !flushQueued else { return }
        flushQueued = true
        let core = NIOLoopBound(self, eventLoop: loop)
        loop.scheduleTask(deadline: due) {
            core.value.flushQueued = false
            core.value.flush()
        }
    }

    /// Flushes once the work already queued on the loop is handled, without waiting for ``flushInterval``: what a read
    /// batch of the fast port produced, and the script's own sends, are batched by the loop's pass, not by time (a
    /// script's send already waited for a round trip to the script).
    func flushThisTick() {
        once(\.tickFlushQueued) { $0.flush() }
    }

    /// Sends what the script was asked and told once the work already queued on the loop is handled: a question
    /// waits for no flush interval (its answer already costs a round trip to the script), and the relays that do wait
    /// for it stay where they are.
    private func flushScriptThisTick() {
        guard script != nil else { return }
        once(\.scriptFlushQueued) { $0.script?.flush() }
    }

    /// Runs `work` once the work already queued on the loop is handled, unless it is queued already (`queued` tells).
    private func once(
        _ queued: ReferenceWritableKeyPath<SessionCore, Bool> & Sendable,
        _ work: @escaping @Sendable (SessionCore) -> Void
    ) {
        guard !self[keyPath: queued] else { return }
        self[keyPath: queued] = true
        let core = NIOLoopBound(self, eventLoop: loop)
        loop.execute {
            core.value[keyPath: queued] = false
            work(core.value)
        }
    }

    /// Hands each connection its writes (one `execute` per other event loop, one flush per connection) and flushes
    /// the UDP socket. A flush caused while one runs (a connection closed for being slow as it got its writes)
    /// runs after it, so that the writes it hands over cannot overtake the ones this flush hands over.
    func flush() {
        guard !flushing else {
            flushAgain = true
            return
        }
        flushing = true
        defer { flushing = false }
        repeat {
            flushAgain = false
            flushOnce()
        } while flushAgain
    }

    private func flushOnce() {
        // The interval runs from the last flush that wrote something: a flush that only asked the script must not
        // hold back the relays its answers release.
        if udpNeedsFlush || !pendingOrder.isEmpty { lastFlush = .now() }
        if udpNeedsFlush {
            udpNeedsFlush = false
            sendDatagrams()
            if datagramSender == nil || datagramsOnChannel > 0 { udpChannel?.flush() }
        }
        script?.flush()
        guard !pendingOrder.isEmpty else { return }
        let order = pendingOrder
        let writes = pendingWrites
        pendingOrder.removeAll(keepingCapacity: true)
        pendingWrites.removeAll(keepingCapacity: true)
        // Connections on other loops get their writes with one `execute` per loop, in order.
        var elsewhere: [(loop: any EventLoop, deliveries: [Delivery])] = []
        for connection in order {
            guard let entry = connections[connection], let batch = writes[connection] else { continue }
            let loop = entry.channel.eventLoop
            if loop.inEventLoop {
                entry.handler.value.deliver(batch)
            } else if let index = elsewhere.firstIndex(where: { $0.loop === loop }) {
                elsewhere[index].deliveries.append(Delivery(handler: entry.handler, writes: batch))
            } else {
                elsewhere.append((loop, [Delivery(handler: entry.handler, writes: batch)]))
            }
        }
        for (loop, deliveries) in elsewhere {
            loop.execute {
                for delivery in deliveries { delivery.handler.value.deliver(delivery.writes) }
            }
        }
    }

    /// A connection's writes of one flush, handed to the connection's loop.
    private struct Delivery: Sendable {
        var handler: NIOLoopBound<PlayerWebSocketHandler>
        var writes: [ConnectionWrite]
    }

    // MARK: Notices

    func report(_ notice: Notice) {
        switch notice {
        case .playerAccepted(let player):
            metrics.loginsAccepted.increment()
            if let channel = connections[player.connection]?.channel { gate?.loggedIn(channel) }
            logger.info(
                "player logged in",
                metadata: [
                    "peerId": "\(player.peerId)",
                    "playerSessionId": "\(player.playerSessionId.loggable())",
                    "address": "\(address(of: player.connection))",
                    "connection": "\(player.connection)",
                ]
            )
        case .playerReconnected(let player, let previous):
            metrics.loginsAccepted.increment()
            if let channel = connections[player.connection]?.channel { gate?.loggedIn(channel) }
            logger.info(
                "player reconnected",
                metadata: [
                    "peerId": "\(player.peerId)",
                    "playerSessionId": "\(player.playerSessionId.loggable())",
                    "address": "\(address(of: player.connection))",
                    "connection": "\(player.connection)",
                    "previousConnection": "\(previous)",
                ]
            )
        case .loginRefused(let connection, let playerSessionId, let reason):
            metrics.loginsRefused.increment()
            // A client in a loop of refused logins must not fill the log: one line per reason per second.
            if let heldBack = refusalLog.admit(reason, at: .now()) {
                logger.info(
                    "login refused",
                    metadata: [
                        "reason": "\(reason)",
                        "playerSessionId": "\(playerSessionId.loggable())",
                        "address": "\(address(of: connection))",
                        "connection": "\(connection)",
                        "heldBack": "\(heldBack)",
                    ]
                )
            }
        case .playerLost(let player, let reason):
            logger.info(
                "player connection lost; keeping the slot for a reconnect",
                metadata: [
                    "peerId": "\(player.peerId)",
                    "playerSessionId": "\(player.playerSessionId.loggable())",
                    "reason": "\(reason)",
                ]
            )
        case .udpRebindRefused(let peerId, let from, let boundTo):
            if let heldBack = rebindLog.admit(peerId, at: .now()) {
                logger.warning(
                    "refused to move a live UDP association",
                    metadata: [
                        "peerId": "\(peerId)", "from": "\(from)", "boundTo": "\(boundTo)", "heldBack": "\(heldBack)",
                    ]
                )
            }
        case .playerDisconnected(let player, let reason):
            if session.isSecure {
                udpChannel?.triggerUserOutboundEvent(
                    FastAssociationEvent.playerLeft(peerId: player.peerId),
                    promise: nil
                )
            }
            logger.info(
                "player disconnected",
                metadata: [
                    "peerId": "\(player.peerId)",
                    "playerSessionId": "\(player.playerSessionId.loggable())",
                    "reason": "\(reason)",
                ]
            )
        case .dropped(let reason, let peerId, let detail):
            metrics.dropped(reason)
            logger.debug(
                "dropped",
                metadata: [
                    "reason": "\(reason.rawValue)", "peerId": "\(peerId.map { "\($0)" } ?? "-")", "detail": "\(detail)",
                ]
            )
        case .udpAssociated(let peerId, let endpoint):
            if session.isSecure {
                udpChannel?.triggerUserOutboundEvent(
                    FastAssociationEvent.bound(peerId: peerId, endpoint: endpoint),
                    promise: nil
                )
            }
            logger.debug("UDP associated", metadata: ["peerId": "\(peerId)", "address": "\(endpoint)"])
        case .fastReady(let peerId):
            logger.debug("fast channel ready", metadata: ["peerId": "\(peerId)"])
        case .joinedGroup(let peerId, let group):
            logger.debug("joined group", metadata: ["peerId": "\(peerId)", "group": "\(group)"])
        case .leftGroup(let peerId, let group):
            logger.debug("left group", metadata: ["peerId": "\(peerId)", "group": "\(group)"])
        case .groupRequestRefused(let peerId, let group, let join, let reason):
            logger.debug(
                join ? "join refused" : "leave refused",
                metadata: ["peerId": "\(peerId)", "group": "\(group)", "reason": "\(reason)"]
            )
        case .messageToServer(let packet, let peerId):
            if script == nil {
                logger.debug(
                    "message to the server, no script",
                    metadata: ["peerId": "\(peerId)", "opCode": "\(packet.opCode)"]
                )
            } else if script?.hearsMessagesToServer == true {
                // To the script with the questions of this pass of the loop (`onMessage` answers with sends).
                flushScriptThisTick()
            }
        case .delivered:
            break
        }
        script?.notify(notice)
        recorder?.record(notice) { session.player($0)?.playerSessionId }
    }

    private func address(of connection: ConnectionID) -> String {
        connections[connection]?.remote.map { "\($0)" } ?? "?"
    }
}

extension Packet {
    /// The packet as it leaves on a WebSocket: `reliable:true`, no sequence number.
    var onReliableChannel: Packet {
        var packet = self
        packet.reliable = true
        packet.sequenceNumber = 0
        return packet
    }

    /// The packet as it leaves over UDP: `reliable:false` (its sequence number is stamped per recipient).
    var onFastChannel: Packet {
        var packet = self
        packet.reliable = false
        packet.sequenceNumber = 0
        return packet
    }
}
