import DequeModule
import Logging
import NIOCore
import NIOWebSocket
import RealtimeProtocol
import RealtimeSession

/// A write the session makes on a player's WebSocket.
enum ConnectionWrite: Sendable {
    /// One packet as a whole binary frame (``ByteBuffer/webSocketBinaryFrame(_:allocator:)``), written as it is. A
    /// droppable packet (a fast message that falls back to the WebSocket) is dropped when the player's backlog is over
    /// the fast limit.
    case packet(ByteBuffer, droppable: Bool)
    /// Send a close frame and close the connection once the client answers (or after a grace period).
    case close(CloseCode, reason: String)
}

/// The framing of a player's WebSocket, read from the connection's bytes with a ``WebSocketMessageReader`` (every RFC
/// 6455 framing rule, fragments joined; close frames' codes and reasons checked here): binary messages become packets,
/// handed to the session in order (the same path datagrams take); pings are answered; the server pings and closes a
/// silent connection; the close handshake; the rate limit; and the outbound side with its slow-consumer policy. It
/// decides nothing about the game: the session does.
///
/// Flow control: the connection stops reading while ``SessionHost/Inbound/limit`` of its packets wait for the
/// session, so a fast client cannot queue unbounded work on the session's loop.
final class PlayerWebSocketHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    struct Limits: Sendable {
        var pingInterval: TimeAmount
        /// How long the server waits for the client's close frame after sending its own.
        var closeTimeout: TimeAmount
        var maxFastBacklog: Int
        var maxReliableBacklog: Int
        /// A player whose oldest unsent message is older than this is closed ("too slow"); nil: no such limit.
        var maxLag: TimeAmount?
        /// The limit on the messages a client sends on this connection.
        var rateLimit: RateLimit
    }

    private enum State {
        case open
        /// The server sent a close frame; the timer closes the connection if the client does not answer.
        case closing(Scheduled<Void>?)
        case closed
    }

    private let limits: Limits
    private let metrics: ServerMetrics
    private let logger: Logger
    private let host: SessionHost
    /// Where the session's encoded frames go, past the frame encoder.
    private let frameWriter: EncodedFrameWriter
    private let inbound: SessionHost.Inbound
    private let acceptedAt: NIODeadline
    private var state = State.open
    /// The session was told that the connection ended.
    private var reportedEnd = false
    /// Reading is paused until the session has caught up; a read was asked for meanwhile.
    private var paused = false
    private var readPending = false
    /// Packets over the rate limit, waiting for tokens in the order they came (a close frame read behind them waits
    /// too, as nil); reading stops meanwhile.
    private var throttled: Deque<Packet?> = []
    private var throttleTimer: Scheduled<Void>?
    /// Since when the connection has been throttled without a break (a second with no wait is a break), when a
    /// packet last waited, and how many packets waited since the last report.
    private var throttledSince: NIODeadline?
    private var lastThrottledAt: NIODeadline?
    /// A close frame that came behind throttled packets.
    private var pendingClose: ByteBuffer?
    private var delayedSinceReport = 0
    private var reportedThrottleAt: NIODeadline?
    private var context: ChannelHandlerContext?
    private var lastHeard = NIODeadline.now()
    private var keepAlive: RepeatedTask?
    private var limiter: RateLimiter
    private var reader = WebSocketMessageReader(
        sender: .client,
        maxMessageSize: RealtimeConstants.maxFrameSize,
        maxFragments: 1024
    )
    /// When each batch of writes not yet written to the socket was written to the channel, oldest first: the first is
    /// the age of the oldest unsent message.
    private var unsentBatches: Deque<NIODeadline> = []
    private var lagCheck: Scheduled<Void>?

    init(
        host: SessionHost,
        frameWriter: EncodedFrameWriter,
        acceptedAt: NIODeadline,
        limits: Limits,
        metrics: ServerMetrics,
        logger: Logger
    ) {
        self.host = host
        self.frameWriter = frameWriter
        self.inbound = host.makeInbound()
        self.acceptedAt = acceptedAt
        self.limits = limits
        self.metrics = metrics
        self.logger = logger
        self.limiter = RateLimiter(limits.rateLimit)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.lastHeard = .now()
        host.opened(
            inbound,
            channel: context.channel,
            handler: NIOLoopBound(self, eventLoop: context.eventLoop),
            acceptedAt: acceptedAt
        )
        let interval = limits.pingInterval
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        self.keepAlive = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            loopBound.value.keepAliveTick()
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.stopTimers()
        self.state = .closed
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.stopTimers()
        self.state = .closed
        // Gone without a close frame: the network (or the client's process), not the player, ended it.
        self.reportEnd("connection lost", lost: true)
        context.fireChannelInactive()
    }

    // MARK: - Flow control

    func read(context: ChannelHandlerContext) {
        guard !paused, throttled.isEmpty else {
            readPending = true
            return
        }
        context.read()
    }

    /// The session caught up with this connection's packets: reading goes on.
    func resume() {
        paused = false
        readIfPending()
    }

    private func readIfPending() {
        guard !paused, throttled.isEmpty, readPending, let context else { return }
        readPending = false
        context.read()
    }

    // MARK: - Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Once the client broke the framing, later reads change nothing.
        guard !reader.isBroken else { return }
        let now = NIODeadline.now()
        reader.append(Self.unwrapInboundIn(data))
        while true {
            let message: WebSocketMessageReader.Message?
            do {
                message = try reader.next()
            } catch {
                // The framing is broken, so nothing after it can be read (the client's answer to our close frame
                // included): the connection closes once our close frame is written, or at once when it was closing
                // already (RFC 6455 §7.1.7).
                guard case .open = self.state else { return self.closeNow(context: context) }
                return self.fail(CloseCode(rawValue: error.code), error.reason, closing: true, context: context)
            }
            // Only a whole message is a sign of life: a client that trickles one frame still times out.
            guard let message else { return }
            self.lastHeard = now
            self.received(message, at: now, context: context)
        }
    }

    private func received(
        _ message: WebSocketMessageReader.Message,
        at now: NIODeadline,
        context: ChannelHandlerContext
    ) {
        guard case .open = self.state else {
            // After our close frame only the client's close frame matters.
            if case .close = message, case .closing = self.state { self.closeNow(context: context) }
            return
        }
        switch message {
        case .binary(var data):
            metrics.bytesReceivedReliable.increment(by: Int64(data.readableBytes))
            do {
                let packet = try data.readOnlyPacket(maxLength: RealtimeConstants.maxFrameSize)
                guard throttled.isEmpty, limiter.take(at: now) else { return throttle(packet, at: now) }
                if let last = lastThrottledAt, now - last > .seconds(1) { throttledSince = nil }
                if host.received(packet, on: inbound) { paused = true }
            } catch {
                self.fail(.protocolError, "malformed packet (\(error))", context: context)
            }
        case .text:
            self.fail(.unacceptableData, "text frames are not accepted", context: context)
        case .ping(let data):
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: data)
            context.writeAndFlush(Self.wrapOutboundOut(pong), promise: nil)
        case .pong:
            break
        case .close(let body):
            if let violation = Self.violation(inCloseBody: body) {
                return self.fail(CloseCode(rawValue: violation.code), violation.reason, context: context)
            }
            guard throttled.isEmpty else {
                // Behind packets waiting for the rate limit: they are the client's last words.
                pendingClose = body
                throttled.append(nil)
                return
            }
            self.answerClose(body, context: context)
        }
    }

    /// What is wrong with a close frame's body, if anything (RFC 6455 §5.5.1, §7.4): none, or a code a close frame may
    /// carry with an optional UTF-8 reason. 1002, or 1007 for a reason that is not UTF-8.
    static func violation(inCloseBody body: ByteBuffer) -> WebSocketMessageReader.Violation? {
        var body = body
        switch body.readableBytes {
        case 0:
            return nil
        case 1:
            return WebSocketMessageReader.Violation(1002, "close frame with a 1-byte body")
        default:
            let code = body.readInteger(as: UInt16.self)!
            guard isValidCloseCode(code) else {
                return WebSocketMessageReader.Violation(1002, "close code \(code) is not allowed")
            }
            let reason = body.readBytes(length: body.readableBytes) ?? []
            guard String(validating: reason, as: UTF8.self) != nil else {
                return WebSocketMessageReader.Violation(1007, "close reason is not UTF-8")
            }
            return nil
        }
    }

    /// Codes a close frame may carry (RFC 6455 §7.4.1 and the IANA registry): 1000–1003, 1007–1014, and the
    /// registered and private ranges 3000–4999. 1004–1006 and 1015 must never be sent; 1016–2999 are unassigned.
    static func isValidCloseCode(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1014, 3000...4999: return true
        default: return false
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard case .open = self.state else { return }
        // An I/O error: the connection is gone (the session hears of it when the channel goes inactive).
        logger.debug("connection error", metadata: ["error": "\(error)"])
        self.state = .closed
        context.close(promise: nil)
    }

    // MARK: - Outbound (called on the channel's event loop)

    /// Writes what the session produced for this connection, in order, and flushes once.
    func deliver(_ writes: [ConnectionWrite]) {
        guard let context else { return }
        var batch = FrameBatch(capacity: writes.count == 1 ? 0 : Self.gatheredBytes(of: writes))
        // What waited before this delivery, read once when a droppable frame first needs it, and then what it wrote
        // (with TLS, frames written and not yet flushed wait in the TLS handler, where the channel's count does not
        // see them).
        var waiting: Int?
        var sent = 0
        var bytes = 0
        defer {
            metrics.sentReliable.increment(by: Int64(sent))
            metrics.bytesSentReliable.increment(by: Int64(bytes))
        }
        for write in writes {
            guard case .open = self.state else { return }
            switch write {
            case .packet(let frame, let droppable):
                if droppable {
                    let waited = waiting ?? self.backlog(context)
                    waiting = waited
                    if waited + bytes > limits.maxFastBacklog {
                        metrics.dropped(.slowConsumer)
                        logger.debug(
                            "dropped",
                            metadata: [
                                "reason": "\(DropReason.slowConsumer.rawValue)", "detail": "fast message, backlog full",
                            ]
                        )
                        continue
                    }
                }
                sent += 1
                bytes += frame.readableBytes
                batch.append(frame, allocator: context.channel.allocator) { frameWriter.write($0, promise: nil) }
            case .close(let code, let reason):
                if let frames = batch.take() { _ = self.writeBatchEnd(frames, context: context) }
                self.sendClose(code, reason, context: context)
                return
            }
        }
        guard let frames = batch.take() else { return }
        // Slow-consumer policy for the reliable channel: a reliable message cannot be dropped, so a player whose
        // backlog grows past the limit, or whose oldest unsent message is older than the lag limit, is closed with
        // 1008 (policy violation: the server's resource policy, not the server going away) and the reason is logged
        // by the session when it forgets the connection.
        let backlog = self.writeBatchEnd(frames, context: context)
        if backlog > limits.maxReliableBacklog {
            metrics.slowConsumerBacklogKicks.increment()
            self.fail(.policyViolation, "slow consumer (\(backlog) bytes waiting)", context: context)
        } else {
            self.checkLag(context: context)
        }
    }

    /// The bytes of the frames in `writes` that a ``FrameBatch`` may gather.
    private static func gatheredBytes(of writes: [ConnectionWrite]) -> Int {
        writes.reduce(0) { total, write in
            guard case .packet(let frame, _) = write, frame.readableBytes < FrameBatch.maxGathered else { return total }
            return total + frame.readableBytes
        }
    }

    /// Writes a batch's frames and flushes; returns the bytes still waiting for the socket. Usually the kernel takes
    /// the whole batch at once and nothing is left to watch. When part of it waits, the batch joins ``unsentBatches``
    /// (for the lag limit), and an empty write behind it, whose promise completes once everything before it has been
    /// written to the socket, drops it from there.
    private func writeBatchEnd(_ frames: ByteBuffer, context: ChannelHandlerContext) -> Int {
        frameWriter.write(frames, promise: nil)
        context.flush()
        let backlog = self.backlog(context)
        guard limits.maxLag != nil, backlog > 0 else { return backlog }
        unsentBatches.append(.now())
        let promise = context.eventLoop.makePromise(of: Void.self)
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        promise.futureResult.whenSuccess { loopBound.value.unsentBatches.removeFirst() }
        frameWriter.write(ByteBuffer(), promise: promise)
        context.flush()
        return backlog
    }

    /// Closes the connection ("too slow") when its oldest unsent message is older than the lag limit; otherwise looks
    /// again when it would be.
    private func checkLag(context: ChannelHandlerContext) {
        guard let maxLag = limits.maxLag, lagCheck == nil, case .open = self.state,
            let oldest = unsentBatches.first
        else { return }
        let now = NIODeadline.now()
        if now - oldest >= maxLag {
            metrics.slowConsumerLagKicks.increment()
            self.fail(.policyViolation, "too slow", context: context)
            return
        }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        lagCheck = context.eventLoop.scheduleTask(deadline: oldest + maxLag) {
            let handler = loopBound.value
            handler.lagCheck = nil
            if let context = handler.context { handler.checkLag(context: context) }
        }
    }

    // MARK: - Rate limit

    /// A packet over the rate limit waits for a token, and the connection stops reading: a reliable message is never
    /// dropped, the sender is slowed to the limit instead (its excess waits in its own socket buffers). A connection
    /// throttled without a break for the kick time is closed (1008 "rate limit exceeded").
    private func throttle(_ packet: Packet, at now: NIODeadline) {
        throttled.append(packet)
        metrics.rateLimitedReliable.increment()
        delayedSinceReport += 1
        if throttledSince == nil { throttledSince = now }
        lastThrottledAt = now
        if reportedThrottleAt.map({ now - $0 >= RateLimit.reportInterval }) ?? true {
            reportedThrottleAt = now
            logger.warning(
                "rate limit: slowing a connection down",
                metadata: [
                    "address": "\(context?.channel.remoteAddress.map { "\($0)" } ?? "?")",
                    "delayed": "\(delayedSinceReport)", "limit": "\(limits.rateLimit.perSecond)/s",
                ]
            )
            delayedSinceReport = 0
        }
        scheduleRelease(at: now)
    }

    private func scheduleRelease(at now: NIODeadline) {
        guard throttleTimer == nil, let context else { return }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        throttleTimer = context.eventLoop.scheduleTask(in: limiter.nextToken(at: now)) {
            loopBound.value.throttleTimer = nil
            loopBound.value.release()
        }
    }

    /// Hands over the waiting packets the tokens allow; reading goes on once none is left.
    private func release() {
        guard case .open = self.state, let context else { return }
        let now = NIODeadline.now()
        if let kickAfter = limits.rateLimit.kickAfter, let since = throttledSince, now - since >= kickAfter {
            metrics.rateLimitKicks.increment()
            logger.warning(
                "rate limit: disconnecting a client that stays over it",
                metadata: ["address": "\(context.channel.remoteAddress.map { "\($0)" } ?? "?")"]
            )
            throttled.removeAll()
            return self.fail(.policyViolation, "rate limit exceeded", context: context)
        }
        while let next = throttled.first {
            guard let packet = next else {
                throttled.removeAll()
                if let body = pendingClose { self.answerClose(body, context: context) }
                return
            }
            guard limiter.take(at: now) else { break }
            throttled.removeFirst()
            if host.received(packet, on: inbound) { paused = true }
        }
        if throttled.isEmpty {
            readIfPending()
        } else {
            scheduleRelease(at: now)
        }
    }

    // MARK: - Private

    private func backlog(_ context: ChannelHandlerContext) -> Int {
        (try? context.channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
    }

    private func keepAliveTick() {
        guard let context, case .open = self.state else { return }
        // While the server itself holds reading back (rate limit, a busy session), the client's frames wait unread:
        // that is no silence.
        if paused || !throttled.isEmpty { self.lastHeard = .now() }
        let silence = NIODeadline.now() - self.lastHeard
        if silence >= limits.pingInterval * 3 {
            self.fail(.goingAway, "keep-alive timeout", lost: true, context: context)
        } else {
            let ping = WebSocketFrame(fin: true, opcode: .ping, data: context.channel.allocator.buffer(capacity: 0))
            context.writeAndFlush(Self.wrapOutboundOut(ping), promise: nil)
        }
    }

    /// The transport ends the connection: close frame to the client, and the session is told. The connection then
    /// closes when the client answers, or after the close timeout; with `closing`, as soon as the frame is written
    /// (nothing more can be read from the client). `lost`: the client went silent (keep-alive timeout) rather than
    /// broke a rule; its player may reconnect.
    private func fail(
        _ code: CloseCode,
        _ reason: String,
        lost: Bool = false,
        closing: Bool = false,
        context: ChannelHandlerContext
    ) {
        guard case .open = self.state else { return }
        self.sendClose(code, reason, closing: closing, context: context)
        self.reportEnd("\(reason) (\(code))", lost: lost)
    }

    /// Tells the session, once, that the connection ended and why.
    private func reportEnd(_ reason: String, lost: Bool) {
        guard !reportedEnd else { return }
        reportedEnd = true
        host.ended(inbound, reason: reason, lost: lost)
    }

    private func sendClose(_ code: CloseCode, _ reason: String, closing: Bool = false, context: ChannelHandlerContext) {
        var data = context.channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        data.writeInteger(code.rawValue)
        data.writeString(Self.truncated(reason))
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, data: data)
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let timer = context.eventLoop.scheduleTask(in: limits.closeTimeout) {
            loopBound.value.closeNow()
        }
        self.state = .closing(timer)
        self.keepAlive?.cancel()
        self.keepAlive = nil
        self.lagCheck?.cancel()
        self.lagCheck = nil
        let written = context.writeAndFlush(Self.wrapOutboundOut(frame))
        guard closing else { return }
        written.whenComplete { _ in loopBound.value.closeNow() }
    }

    /// The client's close frame: answer with its status code, then close once the answer is written.
    private func answerClose(_ body: ByteBuffer, context: ChannelHandlerContext) {
        var data = body
        let code = data.readInteger(as: UInt16.self)
        var reply = context.channel.allocator.buffer(capacity: 2)
        if let code { reply.writeInteger(code) }
        self.stopTimers()
        self.state = .closed
        self.reportEnd("closed by client (\(code.map { "\($0)" } ?? "no code"))", lost: false)
        let channel = context.channel
        context.writeAndFlush(Self.wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: reply)))
            .whenComplete { _ in channel.close(promise: nil) }
    }

    private func closeNow(context: ChannelHandlerContext? = nil) {
        guard let context = context ?? self.context else { return }
        self.stopTimers()
        self.state = .closed
        context.close(promise: nil)
    }

    private func stopTimers() {
        self.keepAlive?.cancel()
        self.keepAlive = nil
        self.lagCheck?.cancel()
        self.lagCheck = nil
        self.throttleTimer?.cancel()
        self.throttleTimer = nil
        if case .closing(let timer) = self.state { timer?.cancel() }
    }

    /// A close reason fits in a control frame (125 bytes with the code): at most 123 bytes, cut on a character.
    private static func truncated(_ reason: String) -> String {
        guard reason.utf8.count > 123 else { return reason }
        var result = ""
        for character in reason {
            guard result.utf8.count + String(character).utf8.count <= 123 else { break }
            result.append(character)
        }
        return result
    }
}
