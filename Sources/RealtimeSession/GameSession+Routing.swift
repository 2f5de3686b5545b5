import NIOCore
import RealtimeProtocol

extension GameSession {
    /// Carries out a packet from a logged-in peer, on either channel, now. A question it asks is in
    /// `questions`, registered but not yet placed in the peer's backlog (``handle(_:from:fast:)`` does that).
    mutating func carryOut(_ packet: Packet, from peerId: Int32, fast: Bool) -> Effects {
        if packet.opCode.isDeveloper {
            switch classify(packet, from: peerId, fast: fast) {
            case .drop(let effects): return effects
            case .toServer(let packet):
                var effects = Effects()
                effects.notices.append(.messageToServer(packet, peerId: peerId))
                return effects
            case .ask(let decision): return .asking(ask(decision, by: .player(peerId)))
            case .deliver(let packet): return deliver(packet, fast: fast)
            }
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

    /// Where a developer message goes (the routing rules of PROTOCOL.md §7), decided from the packet and the
    /// configuration alone, so that it can be asked ahead of the sender's earlier packets.
    enum Routing {
        case drop(Effects)
        /// To the server (`targetPlayer` -1): the script's `onMessage`.
        case toServer(Packet)
        /// A delivery hook decides.
        case ask(Decision)
        case deliver(Packet)
    }

    func classify(_ packet: Packet, from peerId: Int32, fast: Bool) -> Routing {
        guard packet.payload.readableBytes <= RealtimeConstants.maxPayload else {
            return .drop(.drop(.payloadTooLarge, peerId: peerId, "payload over 4096 bytes"))
        }
        var packet = packet
        packet.sender = peerId
        packet.sequenceNumber = 0
        if packet.targetPlayer == RealtimeConstants.serverPeerId {
            return .toServer(packet)
        }
        let hook: Hooks
        if packet.targetGroup != RealtimeConstants.noTarget {
            hook = .sendToGroup
        } else if packet.targetPlayer > 0 {
            hook = .sendToPlayer
        } else {
            return .drop(.drop(.noRecipient, peerId: peerId, "message with no target"))
        }
        if configuration.hooks.contains(hook), configuration.hookOpCodes?.contains(packet.opCode.rawValue) ?? true {
            return .ask(.deliver(packet, peerId: peerId, fast: fast))
        }
        return .deliver(packet)
    }

    /// Sends a message to its recipients: every member of `targetGroup` (the sender included), or `targetPlayer`.
    /// `fast` messages go over UDP to recipients whose fast channel is ready.
    mutating func deliver(_ packet: Packet, fast: Bool) -> Effects {
        var relay = Relay(packet: packet, isFast: fast)
        if packet.targetGroup != RealtimeConstants.noTarget {
            let members = members(of: packet.targetGroup)
            if fast { relay.fast.reserveCapacity(members.count) } else { relay.reliable.reserveCapacity(members.count) }
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

    /// Works on the player's state where the dictionary keeps it (one lookup, no copy of the state): this runs once
    /// per recipient of every relayed message.
    private mutating func addRecipient(_ peerId: Int32, fast: Bool, to relay: inout Relay) {
        guard let index = players.index(forKey: peerId) else { return }
        Self.addRecipient(&players.values[index], peerId: peerId, fast: fast, to: &relay)
    }

    private static func addRecipient(_ state: inout PlayerState, peerId: Int32, fast: Bool, to relay: inout Relay) {
        guard state.lostAt == nil else { return }
        if fast, state.fastReady, let endpoint = state.udp?.endpoint {
            let sequenceNumber = state.nextSequenceOut
            state.nextSequenceOut = sequenceNumber &+ 1
            relay.fast.append(FastRecipient(peerId: peerId, endpoint: endpoint, sequenceNumber: sequenceNumber))
        } else {
            relay.reliable.append(ReliableRecipient(peerId: peerId, connection: state.player.connection))
        }
    }

    // MARK: - Decisions and the script

    /// Carries out an answered question's decision.
    mutating func apply(_ decision: Decision, allow: Bool) -> Effects {
        switch decision {
        case .login:
            return Effects()
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
