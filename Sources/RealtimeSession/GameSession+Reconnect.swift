import NIOCore
import RealtimeProtocol

extension GameSession {
    /// A login with the player session id of a player already in the session (its connection half-open, or lost
    /// within the reconnect grace): the new connection takes the slot over. The player keeps its peer id and its
    /// groups, other players are told nothing, the script is not asked again, and the old connection (if still
    /// open) is closed with 4000 "replaced by a new connection". The new client learns its groups from a `-13` each.
    mutating func takeOver(
        _ peerId: Int32,
        on connection: ConnectionID,
        host: HostKey?,
        payload: ByteBuffer
    ) -> Effects {
        guard var state = players[peerId] else { return Effects() }
        var effects = Effects()
        let previous = state.player.connection
        if state.lostAt == nil {
            connections[previous] = nil
            effects.closes.append(Close(connection: previous, code: .replaced, reason: "replaced by a new connection"))
            countHost(state.player.host, by: -1)
        }
        dissociate(peerId)
        state = players[peerId]!
        state.player.connection = connection
        state.player.host = host
        state.player.connectPayload = payload
        state.lostAt = nil
        players[peerId] = state
        lostPlayers.remove(peerId)
        countHost(host, by: 1)
        connections[connection] = .loggedIn(peerId: peerId)
        effects.sends.append(loginSuccess(peerId, on: connection))
        for group in state.groups.sorted() {
            effects.sends.append(contentsOf: membershipUpdate(group, to: peerId))
        }
        effects.notices.append(.playerReconnected(state.player, previous: previous))
        return effects
    }

    /// Keeps ``playerHosts`` (the IP addresses of connected players) up to date.
    mutating func countHost(_ host: HostKey?, by delta: Int) {
        guard let host else { return }
        let count = (playerHosts[host] ?? 0) + delta
        playerHosts[host] = count > 0 ? count : nil
    }
}
