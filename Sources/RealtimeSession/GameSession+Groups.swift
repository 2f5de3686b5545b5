import RealtimeProtocol

extension GameSession {
    /// The developer groups that have members, ascending, each with its members (ascending).
    public var groupList: [(group: Int32, members: [Int32])] {
        groups.keys.sorted().compactMap { group in
            guard let members = groups[group], !members.isEmpty else { return nil }
            return (group, members)
        }
    }

    /// A join request (`-10`) from a player (PROTOCOL.md §10).
    mutating func requestJoin(group: Int32, peerId: Int32) -> Effects {
        guard group > 0 else {
            return .refusedGroupRequest(peerId: peerId, group: group, join: true, "group \(group) cannot be joined")
        }
        guard players[peerId]?.groups.contains(group) == false else { return Effects() }
        guard !configuration.hooks.contains(.joinGroup) else {
            return .asking(ask(.joinGroup(peerId: peerId, group: group), by: .player(peerId)))
        }
        return addMember(peerId, to: group)
    }

    /// A leave request (`-11`) from a player.
    mutating func requestLeave(group: Int32, peerId: Int32) -> Effects {
        guard group > 0 else {
            return .refusedGroupRequest(peerId: peerId, group: group, join: false, "group \(group) cannot be left")
        }
        guard players[peerId]?.groups.contains(group) == true else { return Effects() }
        guard !configuration.hooks.contains(.leaveGroup) else {
            return .asking(ask(.leaveGroup(peerId: peerId, group: group), by: .player(peerId)))
        }
        return removeMember(peerId, from: group, notifyLeaver: true)
    }

    mutating func addMember(_ peerId: Int32, to group: Int32) -> Effects {
        guard players[peerId]?.groups.insert(group).inserted == true else { return Effects() }
        var members = groups[group] ?? []
        members.insert(peerId, at: members.firstIndex { $0 > peerId } ?? members.endIndex)
        groups[group] = members
        var effects = Effects()
        effects.notices.append(.joinedGroup(peerId: peerId, group: group))
        if configuration.announceMembership {
            for member in members { effects.sends.append(contentsOf: membershipUpdate(group, to: member)) }
        }
        return effects
    }

    /// Removes a member; with `announceMembership` the remaining members (and the leaver, when it is still
    /// connected) get the new list.
    mutating func removeMember(_ peerId: Int32, from group: Int32, notifyLeaver: Bool) -> Effects {
        guard players[peerId]?.groups.remove(group) != nil else { return Effects() }
        var members = groups[group] ?? []
        members.removeAll { $0 == peerId }
        groups[group] = members.isEmpty ? nil : members
        var effects = Effects()
        effects.notices.append(.leftGroup(peerId: peerId, group: group))
        if configuration.announceMembership {
            for member in members + (notifyLeaver ? [peerId] : []) {
                effects.sends.append(contentsOf: membershipUpdate(group, to: member))
            }
        }
        return effects
    }

    /// The answer to a membership request (`-12`): always sent, an empty list for an unknown or reserved group.
    mutating func membershipReply(group: Int32, to peerId: Int32) -> Effects {
        var effects = Effects()
        effects.sends = membershipUpdate(group, to: peerId)
        return effects
    }

    /// `rtSession.broadcastGroupMembershipUpdate(group, targetGroup)`: a `-13` for `group` to every member of
    /// `targetGroup`.
    public mutating func broadcastGroupMembershipUpdate(_ group: Int32, to targetGroup: Int32) -> Effects {
        var effects = Effects()
        for member in members(of: targetGroup) {
            effects.sends.append(contentsOf: membershipUpdate(group, to: member))
        }
        return effects
    }

    /// A `-13` packet for one player, over its WebSocket; empty when the player is gone.
    func membershipUpdate(_ group: Int32, to peerId: Int32) -> [Outbound] {
        guard let connection = players[peerId]?.player.connection else { return [] }
        let update = GroupMembershipUpdate(group: group, players: group > 0 || group == -1 ? members(of: group) : [])
        let packet = Packet(
            opCode: .groupMembershipUpdate,
            targetPlayer: peerId,
            sender: RealtimeConstants.serverPeerId,
            reliable: true,
            message: .groupMembershipUpdate(update)
        )
        return [Outbound(packet: packet, peerId: peerId, route: .reliable(connection))]
    }
}

extension Effects {
    static func refusedGroupRequest(peerId: Int32, group: Int32, join: Bool, _ reason: String) -> Effects {
        var effects = Effects()
        effects.notices.append(.groupRequestRefused(peerId: peerId, group: group, join: join, reason: reason))
        return effects
    }
}
