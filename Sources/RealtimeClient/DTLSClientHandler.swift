import NIOCore
import RealtimeSecurity

/// The client's fast channel in secure mode: DTLS between the connected UDP socket and ``DatagramPacketHandler``. It
/// runs the handshake when ``start()`` is called (retransmitting on DTLS's timer), then seals every packet written and
/// opens every record that arrives. Writes before the handshake is done are dropped (the session sends none).
final class DTLSClientHandler: ChannelDuplexHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias InboundOut = AddressedEnvelope<ByteBuffer>
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let session: DTLSSession
    private let onEstablished: () -> Void
    private let onEnded: (SecurityError?) -> Void
    private var context: ChannelHandlerContext?
    private var timer: Scheduled<Void>?
    private var reported = false

    /// `onEstablished` runs once the handshake is done; `onEnded` when the association fails (with the reason) or the
    /// server closes it.
    init(session: DTLSSession, onEstablished: @escaping () -> Void, onEnded: @escaping (SecurityError?) -> Void) {
        self.session = session
        self.onEstablished = onEstablished
        self.onEnded = onEnded
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        self.context = nil
    }

    /// Sends the ClientHello (the socket is connected to the fast port).
    func start() {
        guard let context else { return }
        carryOut(session.start(), context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = Self.unwrapInboundIn(data)
        let output = session.receive(envelope.data)
        for plaintext in output.plaintexts {
            context.fireChannelRead(
                Self.wrapInboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: plaintext))
            )
        }
        carryOut(output, context: context)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard let sealed = session.seal(Self.unwrapOutboundIn(data)) else {
            promise?.succeed()
            return
        }
        context.write(Self.wrapOutboundOut(sealed), promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    private func carryOut(_ output: DTLSSession.Output, context: ChannelHandlerContext) {
        if let datagram = output.datagram {
            context.writeAndFlush(Self.wrapOutboundOut(datagram), promise: nil)
        }
        if output.established { onEstablished() }
        if output.closed, !reported {
            reported = true
            timer?.cancel()
            timer = nil
            onEnded(session.failure)
            return
        }
        scheduleRetransmission(context: context)
    }

    private func scheduleRetransmission(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        guard !session.isEstablished, !session.isClosed, let delay = session.retransmitDelay else { return }
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: delay + .milliseconds(1)) {
            guard let context = handler.value.context else { return }
            handler.value.carryOut(handler.value.session.retransmit(), context: context)
        }
    }
}
