import NIOCore
import RealtimeProtocol

/// Secure mode on the client side, as the official SDK does it: once the DTLS handshake with the fast port is done,
/// `-14 verifyIdentity {peerId, connectToken}` goes out once (never retried) with sequence number 0, and the fast
/// channel is up when `-15 {success:true}` arrives. There is no `-5`/`-6`/`-7` in secure mode.
extension ClientSession {
    /// Secure mode, once logged in: the PEM certificates the DTLS server must chain to (the login result's `caCert`).
    public var caCert: ByteBuffer? {
        guard configuration.secure, case .connected(let connected) = state else { return nil }
        return connected.caCert
    }

    /// The DTLS handshake is done: send `verifyIdentity`.
    mutating func verifyIdentity(_ connected: inout Connected) -> Action {
        connected.fast = .verifying
        state = .connected(connected)
        let packet = Packet(
            opCode: .verifyIdentity,
            targetPlayer: RealtimeConstants.serverPeerId,
            sender: connected.peerId,
            message: .verifyIdentity(
                VerifyIdentityCommand(peerId: connected.peerId, connectToken: connected.connectToken)
            )
        )
        return Action(send: fastPacket(packet))
    }

    /// `-15`: the fast channel is up, or (refused) everything stays on the WebSocket and the DTLS socket closes.
    mutating func verifyIdentityResult(_ packet: Packet, _ connected: inout Connected) -> Action {
        guard connected.fast == .verifying else { return Action() }
        guard case .verifyIdentityResult(let result) = packet.message, result.success else {
            connected.fast = .disabled
            state = .connected(connected)
            return Action(udp: .close, drop: .identityRefused)
        }
        connected.fast = .ready
        state = .connected(connected)
        return Action(emit: .fastReady)
    }
}
