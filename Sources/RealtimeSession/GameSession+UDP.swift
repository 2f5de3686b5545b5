import NIOCore
import RealtimeProtocol

/// What to do with a datagram before it is decoded (``GameSession/screen(datagramFrom:at:)``).
public enum Screening: Equatable, Sendable {
    /// Decode it and hand it to ``GameSession/receive(_:from:at:)``.
    case admit
    /// Drop it and count it; nothing else (no log: a flood must cost as little as possible).
    case drop(DropReason)
    /// Drop it over the player's rate limit, and log once that `dropped` datagrams were dropped since the last report.
    case report(peerId: Int32, dropped: Int)
    /// The player has been far over its rate limit for too long: drop it and disconnect the player
    /// (``GameSession/disconnect(_:reason:)``).
    case kick(peerId: Int32)
}

extension GameSession {
    /// The first, cheap look at a datagram from `endpoint`: a datagram from a peer's associated address passes that
    /// peer's rate limit; any other can only be a `-5`, which is worth decoding only from the IP address of a
    /// logged-in player (any address with `udpAnySource`) and within a small rate per source address (IP and port:
    /// many players may share one IP address behind a NAT).
    public mutating func screen(datagramFrom endpoint: UDPEndpoint, at now: NIODeadline) -> Screening {
        if let peerId = udpBindings[endpoint] {
            switch players[peerId]?.fastLimiter.admit(at: now) {
            case .pass, nil: return .admit
            case .drop: return .drop(.rateLimited)
            case .dropAndReport(let dropped): return .report(peerId: peerId, dropped: dropped)
            case .kick: return .kick(peerId: peerId)
            }
        }
        // Secure mode: the datagram came out of a DTLS association, which cost its source a cookie exchange and a
        // handshake and is capped and timed by the DTLS layer. It binds by its token, not by IP, and the SDK sends
        // its verifyIdentity only once: neither the IP check nor the per-address limit applies.
        if isSecure { return .admit }
        if !configuration.udpAnySource, playerHosts[endpoint.host] == nil {
            return .drop(.unassociatedSource)
        }
        return strangers.admit(endpoint, at: now) ? .admit : .drop(.rateLimited)
    }

    /// A datagram arrived on the fast port from `endpoint` (PROTOCOL.md §6 and §8).
    public mutating func receive(_ packet: Packet, from endpoint: UDPEndpoint, at now: NIODeadline = .now()) -> Effects
    {
        if isSecure, let effects = receiveOverDTLS(packet, from: endpoint, at: now) { return effects }
        if packet.opCode == .udpConnect {
            return associate(packet, from: endpoint, at: now)
        }
        guard let peerId = udpBindings[endpoint], let udp = players[peerId]?.udp else {
            if let peerId = previousBindings[endpoint], reclaim(peerId, with: packet, from: endpoint, at: now) {
                var effects = handle(packet, from: peerId, fast: true)
                effects.notices.append(.udpAssociated(peerId: peerId, endpoint: endpoint))
                return effects
            }
            return .drop(.unassociatedSource, peerId: nil, "datagram from an unassociated address")
        }
        guard packet.sender == peerId else {
            return .drop(.senderMismatch, peerId: peerId, "datagram whose sender is another peer")
        }
        guard packet.sequenceNumber > udp.lastSequenceIn else {
            return .drop(.staleSequence, peerId: peerId, "datagram with a stale sequence number")
        }
        if packet.opCode.isDeveloper, packet.payload.readableBytes > RealtimeConstants.maxFastPayload {
            return .drop(.payloadTooLarge, peerId: peerId, "payload over 1200 bytes over UDP")
        }
        players[peerId]!.udp!.lastSequenceIn = packet.sequenceNumber
        players[peerId]!.udp!.lastHeard = now
        return handle(packet, from: peerId, fast: true)
    }

    /// A `-5` from `endpoint`: bind it to the peer it names, if the rules allow, and acknowledge with `-6` to it alone.
    ///
    /// A live association never moves: a `-5` from another source is refused until the bound source has been silent
    /// for `udpRebindAfterSilence` (a NAT rebinding), and it never touches the bound source's sequence window. A `-5`
    /// re-sent from the bound source is acknowledged again.
    private mutating func associate(_ packet: Packet, from endpoint: UDPEndpoint, at now: NIODeadline) -> Effects {
        let peerId = packet.sender
        guard var state = players[peerId], state.lostAt == nil else {
            return .drop(.udpConnectRejected, peerId: nil, "udpConnect for a peer that is not logged in")
        }
        if let bound = udpBindings[endpoint], bound != peerId {
            return .drop(.udpConnectRejected, peerId: peerId, "udpConnect from an address bound to another peer")
        }
        if !configuration.udpAnySource, state.player.host != endpoint.host {
            return .drop(.udpConnectRejected, peerId: peerId, "udpConnect from another IP than the player's")
        }
        var effects = Effects()
        if var current = state.udp, current.endpoint == endpoint {
            guard packet.sequenceNumber > current.lastSequenceIn else {
                return .drop(.staleSequence, peerId: peerId, "udpConnect with a stale sequence number")
            }
            current.lastSequenceIn = packet.sequenceNumber
            current.lastHeard = now
            state.udp = current
        } else if let current = state.udp, now - current.lastHeard < configuration.udpRebindAfterSilence {
            effects.notices.append(.udpRebindRefused(peerId: peerId, from: endpoint, boundTo: current.endpoint))
            effects.notices.append(
                .dropped(.udpConnectRejected, peerId: peerId, detail: "udpConnect from a new address while bound")
            )
            return effects
        } else {
            if let old = state.previousUDP { previousBindings[old.endpoint] = nil }
            if let old = state.udp {
                udpBindings[old.endpoint] = nil
                previousBindings[old.endpoint] = peerId
            }
            state.previousUDP = state.udp
            udpBindings[endpoint] = peerId
            state.udp = UDPAssociation(endpoint: endpoint, lastSequenceIn: packet.sequenceNumber, lastHeard: now)
            effects.notices.append(.udpAssociated(peerId: peerId, endpoint: endpoint))
        }
        let ack = Packet(
            opCode: .udpConnectServerAck,
            targetPlayer: peerId,
            sender: RealtimeConstants.serverPeerId,
            message: .udpConnect
        )
        let sequenceNumber = state.nextSequenceOut
        state.nextSequenceOut &+= 1
        players[peerId] = state
        effects.sends.append(
            Outbound(packet: ack, peerId: peerId, route: .fast(endpoint, sequenceNumber: sequenceNumber))
        )
        return effects
    }

    /// A datagram from the source a peer's association moved away from: if it is that peer's and in that source's
    /// own sequence window, the association moves back (the move was a hijack, or the client is back).
    private mutating func reclaim(
        _ peerId: Int32,
        with packet: Packet,
        from endpoint: UDPEndpoint,
        at now: NIODeadline
    )
        -> Bool
    {
        guard var state = players[peerId], var previous = state.previousUDP, previous.endpoint == endpoint,
            packet.sender == peerId, packet.sequenceNumber > previous.lastSequenceIn
        else { return false }
        previous.lastSequenceIn = packet.sequenceNumber
        previous.lastHeard = now
        if let current = state.udp { udpBindings[current.endpoint] = nil }
        previousBindings[endpoint] = nil
        udpBindings[endpoint] = peerId
        state.udp = previous
        state.previousUDP = nil
        players[peerId] = state
        return true
    }

    /// Forgets a peer's UDP association (its connection is gone, or a new connection took its slot).
    mutating func dissociate(_ peerId: Int32) {
        guard let state = players[peerId] else { return }
        if let udp = state.udp { udpBindings[udp.endpoint] = nil }
        if let previous = state.previousUDP { previousBindings[previous.endpoint] = nil }
        players[peerId]?.udp = nil
        players[peerId]?.previousUDP = nil
        players[peerId]?.fastReady = false
    }
}

/// Token buckets for the datagrams of source addresses no peer is associated with, one per address, in a table of
/// bounded size (an attacker may use many addresses; starting over costs nothing but a fresh bucket each).
struct StrangerLimiter: Sendable {
    static let limit = RateLimit(perSecond: 20, burst: 20, kickAfter: nil)
    static let capacity = 4096

    private var buckets: [UDPEndpoint: RateLimiter] = [:]

    mutating func admit(_ source: UDPEndpoint, at now: NIODeadline) -> Bool {
        if buckets[source] == nil, buckets.count >= Self.capacity {
            buckets.removeAll(keepingCapacity: true)
        }
        return buckets[source, default: RateLimiter(Self.limit)].admit(at: now) == .pass
    }
}
