import RealtimeProtocol
import RealtimeSession

/// Writes the session's events to a recording, as the server saw them (`rtctl serve --record`).
struct SessionRecorder: Sendable {
    let writer: RecordingWriter

    /// Records what a notice says; called on the session's event loop. `sessionId` names a connected player.
    func record(_ notice: Notice, sessionId: (Int32) -> String?) {
        let t = writer.elapsed
        switch notice {
        case .playerAccepted(let player):
            writer.append(
                RecordedEvent(t: t, event: "connected", peerId: player.peerId, playerSessionId: player.playerSessionId)
            )
        case .loginRefused(_, let playerSessionId, let reason):
            var event = RecordedEvent(t: t, event: "refused", playerSessionId: playerSessionId)
            event.reason = reason
            writer.append(event)
        case .playerDisconnected(let player, let reason):
            var event = RecordedEvent(
                t: t,
                event: "disconnected",
                peerId: player.peerId,
                playerSessionId: player.playerSessionId
            )
            event.reason = reason
            writer.append(event)
        case .delivered(let packet, let recipients):
            var event = RecordedEvent.message(packet, t: t, peerId: packet.sender, recipients: recipients.sorted())
            event.playerSessionId = sessionId(packet.sender)
            writer.append(event)
        case .messageToServer(let packet, let peerId):
            var event = RecordedEvent.message(packet, t: t, peerId: peerId, recipients: [])
            event.playerSessionId = sessionId(peerId)
            writer.append(event)
        case .joinedGroup(let peerId, let group):
            writer.append(
                groupRequest(join: true, peerId: peerId, group: group, refused: nil, t: t, sessionId: sessionId)
            )
        case .leftGroup(let peerId, let group):
            writer.append(
                groupRequest(join: false, peerId: peerId, group: group, refused: nil, t: t, sessionId: sessionId)
            )
        case .groupRequestRefused(let peerId, let group, let join, let reason):
            writer.append(
                groupRequest(join: join, peerId: peerId, group: group, refused: reason, t: t, sessionId: sessionId)
            )
        case .udpAssociated, .fastReady, .dropped, .playerLost, .playerReconnected, .udpRebindRefused:
            break
        }
    }

    /// A `joinGroup` or `leaveGroup` line; `refused` says why a request changed nothing.
    private func groupRequest(
        join: Bool,
        peerId: Int32,
        group: Int32,
        refused: String?,
        t: Double,
        sessionId: (Int32) -> String?
    ) -> RecordedEvent {
        var event = RecordedEvent(t: t, event: join ? "joinGroup" : "leaveGroup", peerId: peerId)
        event.playerSessionId = sessionId(peerId)
        event.group = group
        event.refused = refused
        return event
    }
}
