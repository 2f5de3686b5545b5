import NIOCore
import RealtimeProtocol

/// Secure mode (docs/SECURE.md): the fast port speaks DTLS 1.2, and the server hands the session each decrypted packet
/// with the association's source address. An association becomes a player's fast channel when it presents the
/// player's `connectToken` (`-14 verifyIdentity`), not by `-5` and not by source IP: the DTLS identity replaces both.
extension GameSession {
    /// True in secure mode.
    public var isSecure: Bool { configuration.caCert != nil }

    /// The secure mode's own packets: `-14` binds, `-5` is refused. nil: any other packet, which then follows the rules
    /// of a bound datagram (association, sender, sequence number; PROTOCOL.md §6, §8).
    mutating func receiveOverDTLS(_ packet: Packet, from endpoint: UDPEndpoint, at now: NIODeadline) -> Effects? {
        switch packet.opCode {
        case .verifyIdentity:
            return verifyIdentity(packet, from: endpoint, at: now)
        case .udpConnect:
            return .drop(
                .identityRejected,
                peerId: nil,
                "udpConnect from \(endpoint) in secure mode (use verifyIdentity)"
            )
        default:
            return nil
        }
    }

    /// `-14 verifyIdentity {peerId, connectToken}`: with the token of a logged-in peer the association becomes that
    /// peer's fast channel at once (fast ready, no `-5`/`-6`/`-7`) and is answered `-15 {success:true}` over it, with
    /// the peer's next sequence number. Otherwise `-15 {success:false}` and nothing is bound. A new association with
    /// the right token replaces the peer's previous one at once: the token, not the source address, is the proof, so
    /// the unsecured mode's wait for a silent source does not apply (and the previous source cannot take it back).
    private mutating func verifyIdentity(_ packet: Packet, from endpoint: UDPEndpoint, at now: NIODeadline) -> Effects {
        guard case .verifyIdentity(let command) = packet.message else {
            return refuseIdentity(peerId: packet.sender, to: endpoint, "verifyIdentity without its message")
        }
        let peerId = command.peerId != 0 ? command.peerId : packet.sender
        guard var state = players[peerId], state.lostAt == nil, !state.connectToken.isEmpty,
            Self.sameToken(state.connectToken, command.connectToken)
        else {
            return refuseIdentity(peerId: peerId, to: endpoint, "verifyIdentity with a wrong connect token")
        }
        if let bound = udpBindings[endpoint], bound != peerId {
            return refuseIdentity(peerId: peerId, to: endpoint, "verifyIdentity from an association of another peer")
        }
        var effects = Effects()
        if state.udp?.endpoint != endpoint {
            if let old = state.udp { udpBindings[old.endpoint] = nil }
            if let previous = state.previousUDP { previousBindings[previous.endpoint] = nil }
            state.previousUDP = nil
            udpBindings[endpoint] = peerId
            effects.notices.append(.udpAssociated(peerId: peerId, endpoint: endpoint))
        }
        state.udp = UDPAssociation(endpoint: endpoint, lastSequenceIn: packet.sequenceNumber, lastHeard: now)
        if !state.fastReady {
            state.fastReady = true
            effects.notices.append(.fastReady(peerId: peerId))
        }
        let sequenceNumber = state.nextSequenceOut
        state.nextSequenceOut &+= 1
        players[peerId] = state
        effects.sends.append(
            Outbound(
                packet: Self.verifyIdentityResult(success: true, peerId: peerId),
                peerId: peerId,
                route: .fast(endpoint, sequenceNumber: sequenceNumber)
            )
        )
        return effects
    }

    /// `-15 {success:false}` to an association that stays unbound. Its sequence number is 0: the client's counter
    /// starts at -1, and nothing else is ever sent to an unbound association.
    private func refuseIdentity(peerId: Int32, to endpoint: UDPEndpoint, _ detail: String) -> Effects {
        var effects = Effects.drop(.identityRejected, peerId: nil, detail)
        effects.sends.append(
            Outbound(
                packet: Self.verifyIdentityResult(success: false, peerId: peerId),
                peerId: peerId,
                route: .fast(endpoint, sequenceNumber: 0)
            )
        )
        return effects
    }

    /// The DTLS association with `endpoint` ended (closed by the client, failed): its player's fast messages go over the
    /// WebSocket again until a new association presents the token.
    public mutating func fastAssociationEnded(_ endpoint: UDPEndpoint) -> Effects {
        guard let peerId = udpBindings[endpoint] else { return Effects() }
        dissociate(peerId)
        return Effects()
    }

    private static func verifyIdentityResult(success: Bool, peerId: Int32) -> Packet {
        Packet(
            opCode: .verifyIdentityResponse,
            targetPlayer: peerId,
            sender: RealtimeConstants.serverPeerId,
            message: .verifyIdentityResult(VerifyIdentityResult(success: success, peerId: peerId))
        )
    }

    /// Compares tokens in time independent of where they differ.
    private static func sameToken(_ expected: String, _ given: String) -> Bool {
        let a = Array(expected.utf8)
        let b = Array(given.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
