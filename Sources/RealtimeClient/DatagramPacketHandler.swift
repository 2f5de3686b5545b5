import NIOCore
import RealtimeProtocol

/// The fast channel's framing: one datagram in, one ``Packet`` out. The socket is connected to the server's fast port,
/// so the kernel already drops datagrams from anywhere else. Malformed datagrams are dropped; socket errors (an ICMP
/// "port unreachable" while the server is not listening yet) are not fatal.
final class DatagramPacketHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let connection: ClientConnection

    init(connection: ClientConnection) {
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var datagram = Self.unwrapInboundIn(data).data
        do {
            let packet = try datagram.readOnlyPacket(maxLength: RealtimeConstants.maxDatagramSize)
            connection.receivedFast(packet)
        } catch {
            connection.droppedDatagram(error)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        connection.udpError(error)
    }
}
