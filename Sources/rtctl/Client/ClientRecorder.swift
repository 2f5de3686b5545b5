import Foundation
import RealtimeClient
import RealtimeServer

/// `listen --record`: what one client receives, in the recording format of `serve --record` (source `listen`).
struct ClientRecorder: Sendable {
    private let writer: RecordingWriter
    private let peerId: Int32

    init(path: String, client: RealtimeClient, flags: ClientFlags) throws {
        let header = RecordingHeader(gameSessionId: "", started: Date(), server: client.endpoint.url, source: "listen")
        do {
            writer = try RecordingWriter(path: path, header: header)
        } catch {
            throw RtctlError.runtime("--record: \(error)")
        }
        peerId = client.peerId
        // A generated player session id is not worth replaying: only a given one is recorded.
        let given = flags.playerSessionId ?? ProcessInfo.processInfo.environment["RTCTL_PLAYER_SESSION_ID"]
        writer.append(RecordedEvent(t: writer.elapsed, event: "connected", peerId: peerId, playerSessionId: given))
    }

    /// The groups the client asks to join before it listens.
    func joining(_ groups: [Int32]) {
        for group in groups {
            var event = RecordedEvent(t: writer.elapsed, event: "joinGroup", peerId: peerId)
            event.group = group
            writer.append(event)
        }
    }

    func record(_ event: ClientEvent) {
        let t = writer.elapsed
        switch event {
        case .message(let packet):
            writer.append(.message(packet, t: t, peerId: peerId, recipients: nil))
        case .groupMembership(let group, let players):
            var line = RecordedEvent(t: t, event: "groupMembership", peerId: peerId)
            line.group = group
            line.players = players
            writer.append(line)
        case .disconnected(let reason, _):
            var line = RecordedEvent(t: t, event: "disconnected", peerId: peerId)
            line.reason = reason
            writer.append(line)
        case .connected, .fastReady:
            break
        }
    }

    func close() {
        writer.close()
    }
}
