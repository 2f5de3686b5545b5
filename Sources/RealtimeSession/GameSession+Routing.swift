import NIOCore
import RealtimeProtocol

extension GameSession {
    /// A datagram arrived on the fast port from `endpoint` (PROTOCOL.md §6 and §8).
    public mutating func receive(_ packet: Packet, from endpoint: UDPEndpoint) -> Effects {
        if packet.opCode == .udpConnect {
            return associate(packet, from: endpoint)
        }
        guard let peerId = udpBindings[endpoint] else {
            return .drop(.unassociatedSource, peerId: nil, "datagram from unassociated \(endpoint)")
        }
        guard packet.sender == peerId else {
            return .drop(.senderMismatch, peerId: peerId, "sender \(packet.sender) from \(endpoint)")
        }
        if let last = players[peerId]?.lastSequenceIn, packet.sequenceNumber <= last {
            return .drop(.staleSequence, peerId: peerId, "sequence \(packet.sequenceNumber) after \(last)")
        }
        if packet.opCode.isDeveloper, packet.payload.readableBytes > RealtimeConstants.maxFastPayload {
            return .drop(.payloadTooLarge, peerId: peerId, "\(packet.payload.readableBytes)-byte payload over UDP")
        }
        players[peerId]?.lastSequenceIn = packet.sequenceNumber
        return handle(packet, from: peerId, fast: true)
    }

    /// A `-5` from `endpoint`: bind it to the peer it names, if the rules allow, and acknowledge with `-6`.
    private mutating func associate(_ packet: Packet, from endpoint: UDPEndpoint) -> Effects {
        let peerId = packet.sender
        guard var state = players[peerId] else {
            return .drop(.udpConnectRejected, peerId: nil, "udpConnect for peer \(peerId), who is not logged in")
        }
        if let bound = udpBindings[endpoint], bound != peerId {
            return .drop(.udpConnectRejected, peerId: peerId, "\(endpoint) is already associated with peer \(bound)")
        }
        if !configuration.udpAnySource, state.player.host != endpoint.host {
            return .drop(
                .udpConnectRejected,
                peerId: peerId,
                "udpConnect from \(endpoint.host), but peer \(peerId) logged in from \(state.player.host.map { "\($0)" } ?? "?")"
            )
        }
        if let last = state.lastSequenceIn, packet.sequenceNumber <= last {
            return .drop(.staleSequence, peerId: peerId, "sequence \(packet.sequenceNumber) after \(last)")
        }
        var effects = Effects()
        state.lastSequenceIn = packet.sequenceNumber
        if state.udp != endpoint {
            if let old = state.udp { udpBindings[old] = nil }
            udpBindings[endpoint] = peerId
            state.udp = endpoint
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

    /// A packet from a logged-in peer, on either channel.
    mutating func handle(_ packet: Packet, from peerId: Int32, fast: Bool) -> Effects {
        if packet.opCode.isDeveloper {
            return route(packet, from: peerId, fast: fast)
        }
        switch packet.opCode {
        case .ping:
            guard let connection = players[peerId]?.player.connection else { return Effects() }
            var effects = Effects()
            let result = Packet(opCode: .pingResult, targetPlayer: peerId, reliable: true, message: .pingResult)
            effects.sends.append(Outbound(packet: result, peerId: peerId, route: .reliable(connection)))
            return effects
        case .udpConnectClientAck:
            guard fast || players[peerId]?.udp != nil else {
                return .drop(.unexpectedOpCode, peerId: peerId, "udpConnect ack before any UDP association")
            }
            guard players[peerId]?.fastReady == false else { return Effects() }
            players[peerId]?.fastReady = true
            var effects = Effects()
            effects.notices.append(.fastReady(peerId: peerId))
            return effects
        case .udpConnect:
            return .drop(.unexpectedOpCode, peerId: peerId, "udpConnect on the reliable channel cannot bind UDP")
        case .joinGroup:
            return requestJoin(group: packet.groupField, peerId: peerId)
        case .leaveGroup:
            return requestLeave(group: packet.groupField, peerId: peerId)
        case .requestGroupMembership:
            return membershipReply(group: packet.groupField, to: peerId)
        default:
            return .drop(.unexpectedOpCode, peerId: peerId, "op code \(packet.opCode) from a client")
        }
    }

    /// A developer message: the routing rules of PROTOCOL.md §7.
    private mutating func route(_ packet: Packet, from peerId: Int32, fast: Bool) -> Effects {
        guard packet.payload.readableBytes <= RealtimeConstants.maxPayload else {
            return .drop(.payloadTooLarge, peerId: peerId, "\(packet.payload.readableBytes)-byte payload")
        }
        var packet = packet
        packet.sender = peerId
        packet.sequenceNumber = 0
        if packet.targetPlayer == RealtimeConstants.serverPeerId {
            var effects = Effects()
            effects.notices.append(.messageToServer(packet, peerId: peerId))
            return effects
        }
        let hook: Hooks
        if packet.targetGroup != RealtimeConstants.noTarget {
            hook = .sendToGroup
        } else if packet.targetPlayer > 0 {
            hook = .sendToPlayer
        } else {
            return .drop(.noRecipient, peerId: peerId, "op code \(packet.opCode) with no target")
        }
        if configuration.hooks.contains(hook), configuration.hookOpCodes?.contains(packet.opCode.rawValue) ?? true {
            var effects = Effects()
            effects.decision = .deliver(packet, peerId: peerId, fast: fast)
            return effects
        }
        return deliver(packet, fast: fast)
    }

    /// Sends a message to its recipients: every member of `targetGroup` (the sender included), or `targetPlayer`.
    /// `fast` messages go over UDP to recipients whose fast channel is ready.
    mutating func deliver(_ packet: Packet, fast: Bool) -> Effects {
        var relay = Relay(packet: packet, isFast: fast)
        if packet.targetGroup != RealtimeConstants.noTarget {
            let members = members(of: packet.targetGroup)
            relay.reliable.reserveCapacity(fast ? 0 : members.count)
            for member in members { addRecipient(member, fast: fast, to: &relay) }
        } else if packet.targetPlayer > 0 {
            addRecipient(packet.targetPlayer, fast: fast, to: &relay)
        }
        guard relay.recipientCount > 0 else {
            let target =
                packet.targetGroup != 0 ? "empty group \(packet.targetGroup)" : "unknown player \(packet.targetPlayer)"
            var effects = Effects.drop(.noRecipient, peerId: packet.sender, "op code \(packet.opCode) to \(target)")
            if configuration.reportDeliveries { effects.notices.append(.delivered(packet, recipients: [])) }
            return effects
        }
        var effects = Effects()
        if configuration.reportDeliveries {
            effects.notices.append(
                .delivered(packet, recipients: relay.reliable.map(\.peerId) + relay.fast.map(\.peerId))
            )
        }
        effects.relay = relay
        return effects
    }

    private mutating func addRecipient(_ peerId: Int32, fast: Bool, to relay: inout Relay) {
        guard let state = players[peerId] else { return }
        if fast, state.fastReady, let endpoint = state.udp {
            let sequenceNumber = state.nextSequenceOut
            players[peerId]!.nextSequenceOut = sequenceNumber &+ 1
            relay.fast.append(FastRecipient(peerId: peerId, endpoint: endpoint, sequenceNumber: sequenceNumber))
        } else {
            relay.reliable.append(ReliableRecipient(peerId: peerId, connection: state.player.connection))
        }
    }

    // MARK: - Decisions and the script

    /// The script answered a ``Decision``.
    public mutating func decide(_ decision: Decision, allow: Bool) -> Effects {
        decide(decision, verdict: allow ? .allow : .refuse())
    }

    /// The script (or a validator in front of it) answered a ``Decision``; a refused login is closed with the
    /// verdict's reason.
    public mutating func decide(_ decision: Decision, verdict: Verdict) -> Effects {
        let allow = verdict.allowed
        switch decision {
        case .login(let player):
            guard case .loggingIn(let pending, let queued) = connectionState(player.connection),
                pending.peerId == player.peerId
            else { return Effects() }
            pendingLogins -= 1
            guard allow, !shuttingDown else {
                releaseLogin(player)
                return refuseDecided(
                    player,
                    reason: shuttingDown ? "server shutting down" : verdict.reason ?? "rejected by script"
                )
            }
            return accept(pending, queued: queued)
        case .joinGroup(let peerId, let group):
            guard players[peerId] != nil else { return Effects() }
            guard allow else {
                return .refusedGroupRequest(peerId: peerId, group: group, join: true, "refused by script")
            }
            return addMember(peerId, to: group)
        case .leaveGroup(let peerId, let group):
            guard players[peerId] != nil else { return Effects() }
            guard allow else {
                return .refusedGroupRequest(peerId: peerId, group: group, join: false, "refused by script")
            }
            return removeMember(peerId, from: group, notifyLeaver: true)
        case .deliver(let packet, let peerId, let fast):
            guard allow else {
                var effects = Effects.drop(.noRecipient, peerId: peerId, "delivery refused by script")
                if configuration.reportDeliveries { effects.notices.append(.delivered(packet, recipients: [])) }
                return effects
            }
            return deliver(packet, fast: fast)
        }
    }

    /// A message from the server script. `sender` is -1 unless the script names another; `reliable` false sends it
    /// over UDP where the recipient's fast channel is ready. A message for a player whose login the script is still
    /// deciding waits until the login result is out.
    public mutating func sendFromServer(
        opCode: OpCode,
        payload: ByteBuffer,
        sender: Int32 = RealtimeConstants.serverPeerId,
        targetPlayer: Int32 = RealtimeConstants.noTarget,
        targetGroup: Int32 = RealtimeConstants.noTarget,
        reliable: Bool
    ) -> Effects {
        let packet = Packet(
            opCode: opCode,
            targetPlayer: targetPlayer,
            targetGroup: targetGroup,
            sender: sender,
            reliable: true,
            payload: payload
        )
        if targetGroup == RealtimeConstants.noTarget, targetPlayer > 0, players[targetPlayer] == nil,
            queueForPendingLogin(packet, peerId: targetPlayer)
        {
            return Effects()
        }
        return deliver(packet, fast: !reliable)
    }
}

extension Packet {
    /// The group a join, leave or membership request names (0 when the message is missing).
    var groupField: Int32 {
        switch message {
        case .joinGroup(let group), .leaveGroup(let group), .requestGroupMembership(let group): return group
        default: return 0
        }
    }
}
