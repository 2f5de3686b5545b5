import Logging
import NIOCore
import RealtimeProtocol
import RealtimeSecurity
import RealtimeSession

/// What the session tells the fast port's DTLS layer (as outbound user events on the UDP channel).
enum FastAssociationEvent: Sendable {
    /// `verifyIdentity` bound the association with `endpoint` to a player: it no longer times out, and the player's
    /// previous association, if any, is closed.
    case bound(peerId: Int32, endpoint: UDPEndpoint)
    /// The player left: its association is closed.
    case playerLeft(peerId: Int32)
}

/// Secure mode's fast port: DTLS 1.2 between the UDP socket and ``FastChannelHandler``. Datagrams from the socket are
/// handshakes (answered here, each flight in one datagram) or records, whose plaintext goes on up as if it had arrived
/// in the clear; what the session writes to an endpoint is sealed for that endpoint's association (and dropped when
/// there is none). A plain datagram is no DTLS and is dropped, so plain UDP is refused.
final class DTLSChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias InboundOut = AddressedEnvelope<ByteBuffer>
    typealias OutboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    /// How often retransmission timers and deadlines are checked.
    static let tickInterval = TimeAmount.milliseconds(100)

    private let server: DTLSServer<UDPEndpoint>
    private let metrics: ServerMetrics
    private let logger: Logger
    private let onEnded: (UDPEndpoint) -> Void
    /// The association each player's fast channel uses.
    private var boundEndpoints: [Int32: UDPEndpoint] = [:]
    private var ticker: RepeatedTask?
    private var needsFlush = false

    /// `onEnded` runs on the channel's loop when an association ends on its own (closed by the client, failed, timed
    /// out before it was bound).
    init(
        server: DTLSServer<UDPEndpoint>,
        metrics: ServerMetrics,
        logger: Logger,
        onEnded: @escaping (UDPEndpoint) -> Void
    ) {
        self.server = server
        self.metrics = metrics
        self.logger = logger
        self.onEnded = onEnded
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let context = NIOLoopBound(context, eventLoop: context.eventLoop)
        ticker = context.value.eventLoop.scheduleRepeatedTask(initialDelay: Self.tickInterval, delay: Self.tickInterval)
        {
            _ in
            handler.value.tick(context: context.value)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        ticker?.cancel()
        ticker = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = Self.unwrapInboundIn(data)
        guard let endpoint = UDPEndpoint(envelope.remoteAddress) else { return }
        guard envelope.data.readableBytes <= RealtimeConstants.maxDatagramSize else {
            drop(.payloadTooLarge, "datagram of \(envelope.data.readableBytes)+ bytes from \(endpoint)")
            return
        }
        let output = server.receive(envelope.data, from: endpoint, peer: Self.cookieInput(endpoint), now: .now())
        if output.dropped {
            drop(.identityRejected, "not DTLS, no valid cookie, or too many handshakes (from \(endpoint))")
        }
        carryOut(output, endpoint: endpoint, remote: envelope.remoteAddress, context: context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushIfNeeded(context: context)
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let envelope = Self.unwrapOutboundIn(data)
        guard let endpoint = UDPEndpoint(envelope.remoteAddress),
            let sealed = server.seal(envelope.data, to: endpoint)
        else {
            drop(.unassociatedSource, "no DTLS association with \(envelope.remoteAddress)")
            promise?.succeed()
            return
        }
        context.write(
            Self.wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: sealed)),
            promise: promise
        )
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let event = event as? FastAssociationEvent else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        switch event {
        case .bound(let peerId, let endpoint):
            server.bind(endpoint)
            if let previous = boundEndpoints.updateValue(endpoint, forKey: peerId), previous != endpoint {
                release(previous, context: context)
            }
        case .playerLeft(let peerId):
            if let endpoint = boundEndpoints.removeValue(forKey: peerId) { release(endpoint, context: context) }
        }
        flushIfNeeded(context: context)
        promise?.succeed()
    }

    // MARK: - Private

    private func carryOut(
        _ output: DTLSServer<UDPEndpoint>.Output,
        endpoint: UDPEndpoint,
        remote: SocketAddress,
        context: ChannelHandlerContext
    ) {
        if let datagram = output.datagram {
            context.write(Self.wrapOutboundOut(AddressedEnvelope(remoteAddress: remote, data: datagram)), promise: nil)
            needsFlush = true
        }
        for plaintext in output.plaintexts {
            context.fireChannelRead(Self.wrapInboundOut(AddressedEnvelope(remoteAddress: remote, data: plaintext)))
        }
        if output.ended {
            logger.debug("DTLS association ended", metadata: ["address": "\(endpoint)"])
            // Usually a handshake that never bound: no copy of the map unless a player's association ended.
            if let peerId = boundEndpoints.first(where: { $0.value == endpoint })?.key {
                boundEndpoints[peerId] = nil
            }
            onEnded(endpoint)
        }
    }

    private func release(_ endpoint: UDPEndpoint, context: ChannelHandlerContext) {
        guard let closeNotify = server.release(endpoint) else { return }
        context.write(
            Self.wrapOutboundOut(AddressedEnvelope(remoteAddress: endpoint.address, data: closeNotify)),
            promise: nil
        )
        needsFlush = true
    }

    private func tick(context: ChannelHandlerContext) {
        guard server.pendingCount > 0 else { return }
        for (endpoint, output) in server.tick(now: .now()) {
            carryOut(output, endpoint: endpoint, remote: endpoint.address, context: context)
        }
        flushIfNeeded(context: context)
    }

    private func flushIfNeeded(context: ChannelHandlerContext) {
        guard needsFlush else { return }
        needsFlush = false
        context.flush()
    }

    /// Counts a dropped datagram; its detail is only built when debug logging is on.
    private func drop(_ reason: DropReason, _ detail: @autoclosure () -> String) {
        metrics.dropped(reason)
        logger.debug("dropped", metadata: ["reason": "\(reason.rawValue)", "detail": "\(detail())"])
    }

    /// What a source's cookie is made of: its address and port.
    private static func cookieInput(_ endpoint: UDPEndpoint) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(18)
        for word in [endpoint.host.high, endpoint.host.low] {
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: word >> shift)) }
        }
        bytes.append(UInt8(truncatingIfNeeded: endpoint.port >> 8))
        bytes.append(UInt8(truncatingIfNeeded: endpoint.port))
        return bytes
    }
}
