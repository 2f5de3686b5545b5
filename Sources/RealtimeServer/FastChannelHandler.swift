import NIOCore
import RealtimeProtocol
import RealtimeSession

/// The UDP socket's framing: one datagram, one packet (PROTOCOL.md §2). Oversized datagrams, datagrams the session's
/// first look refuses (unassociated sources, senders over their rate limit) and malformed ones are dropped and counted
/// here, before they are decoded where possible; well-formed ones go to the session.
///
/// The session lives on this socket's event loop (see ``SessionHost``), so a datagram is handed over synchronously,
/// without a hop, and the writes of a whole read batch are flushed once, when the batch ends.
final class FastChannelHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let host: SessionHost
    /// The port's shared socket (not a player's own, see ``PlayerSockets``).
    private let shared: Bool

    init(host: SessionHost, shared: Bool) {
        self.host = host
        self.shared = shared
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = Self.unwrapInboundIn(data)
        var bytes = envelope.data
        host.metrics.bytesReceivedFast.increment(by: Int64(bytes.readableBytes))
        guard bytes.readableBytes <= RealtimeConstants.maxDatagramSize else {
            host.dropped(
                .payloadTooLarge,
                "datagram of \(bytes.readableBytes)+ bytes from \(envelope.remoteAddress), over the "
                    + "\(RealtimeConstants.maxDatagramSize)-byte limit"
            )
            return
        }
        guard let endpoint = UDPEndpoint(envelope.remoteAddress), host.screen(endpoint) else { return }
        let packet: Packet
        do {
            packet = try bytes.readOnlyPacket(maxLength: RealtimeConstants.maxDatagramSize)
        } catch {
            host.dropped(.malformedDatagram, "from \(envelope.remoteAddress): \(error)")
            return
        }
        host.datagramReceived(packet, from: endpoint, onSharedSocket: shared)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        host.datagramBatchEnded()
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A failed send or an ICMP error for one peer: the socket serves everyone else, so it stays open.
        host.logger.debug("UDP socket error", metadata: ["error": "\(error)"])
    }
}
