import Foundation
import Logging
import NIOCore
import RealtimeProtocol
import RealtimeSession

/// A script running in the script host, as the session sees it: questions become hook calls, notices become
/// notifications and keep the host's mirror of players and groups up to date (SCRIPTS.md, `ScriptHost/BRIDGE.md`).
/// Everything runs on the session's event loop, which is also the bridge's.
final class ScriptSession: SessionScript {
    let host: ScriptHost
    private let logger: Logger
    private let metrics: ServerMetrics
    /// Called when a call fails in a way that must end the session (it hung, or the host is gone).
    private let onFatal: @Sendable (String) -> Void
    private let isGameSparks: Bool
    /// GameSparks' `onPacket` sees every packet; a GameLift script's `onMessage`, when it defines one.
    let hearsMessagesToServer: Bool

    init(host: ScriptHost, logger: Logger, metrics: ServerMetrics, onFatal: @escaping @Sendable (String) -> Void) {
        self.host = host
        self.logger = logger
        self.metrics = metrics
        self.onFatal = onFatal
        self.isGameSparks = host.description.kind == "gamesparks"
        self.hearsMessagesToServer = isGameSparks || host.description.notify.contains("onMessage")
    }

    /// The session hooks this script needs asked, and for GameSparks the op codes they apply to.
    var hooks: (Hooks, opCodes: Set<Int32>?) {
        let defined = Set(host.description.hooks)
        if isGameSparks {
            return ([.sendToPlayer, .sendToGroup], Set(host.description.opCodes ?? []))
        }
        var hooks: Hooks = []
        if defined.contains("onPlayerConnect") { hooks.insert(.playerConnect) }
        if defined.contains("onPlayerJoinGroup") { hooks.insert(.joinGroup) }
        if defined.contains("onPlayerLeaveGroup") { hooks.insert(.leaveGroup) }
        if defined.contains("onSendToPlayer") { hooks.insert(.sendToPlayer) }
        if defined.contains("onSendToGroup") { hooks.insert(.sendToGroup) }
        return (hooks, nil)
    }

    /// Calls the hook a decision asks. A delivery hook's header is written straight into the bridge's outgoing frames
    /// (this is the relay's hot path with such hooks); the others are rare.
    func ask(_ question: Question, answer: @escaping (Bool) -> Void) {
        let started = ContinuousClock.now
        switch question.decision {
        case .login(let player):
            let json = try? JSONEncoder().encode(
                CallHeader(hook: "onPlayerConnect", body: ConnectArguments(player: PlayerArgument(player)))
            )
            let hook = "onPlayerConnect"
            host.call(hook, header: ByteBuffer(bytes: json ?? Data()), payload: player.connectPayload) {
                self.answered(hook, $0, started: started, answer)
            }
        case .joinGroup(let peerId, let group), .leaveGroup(let peerId, let group):
            let hook = if case .joinGroup = question.decision { "onPlayerJoinGroup" } else { "onPlayerLeaveGroup" }
            var header = ByteBuffer()
            header.writeString(#"{"hook":""# + hook + #"","group":"# + String(group))
            header.writeString(#","peerId":"# + String(peerId) + "}")
            host.call(hook, header: header) { self.answered(hook, $0, started: started, answer) }
        case .deliver(let packet, _, let fast):
            let hook =
                isGameSparks
                ? "onPacket" : packet.targetGroup != RealtimeConstants.noTarget ? "onSendToGroup" : "onSendToPlayer"
            host.call(
                hook,
                header: MessageArguments(key: "hook", name: hook, packet: packet, reliable: !fast),
                payload: packet.payload
            ) {
                self.answered(hook, $0, started: started, answer)
            }
        }
    }

    /// A hook call ended: its duration is recorded and the answer given (false, and the session ended, on a failure).
    private func answered(
        _ hook: String,
        _ result: Result<Bool, ScriptError>,
        started: ContinuousClock.Instant,
        _ answer: (Bool) -> Void
    ) {
        metrics.hookCall(hook, took: .now - started)
        switch result {
        case .success(let allow):
            answer(allow)
        case .failure(let error):
            let timeout = host.options.hookTimeout.nanoseconds / 1_000_000
            onFatal(error.code == .hookTimedOut ? "\(error) (--hook-timeout \(timeout) ms)" : "\(error)")
            answer(false)
        }
    }

    func notify(_ notice: Notice) {
        switch notice {
        case .playerAccepted(let player):
            // The mirror first: during onPlayerAccepted the player is listed and in the all-players group.
            host.notify("playerAdded", header: PlayerNotice(player: PlayerArgument(player)))
            host.notify("playerAccepted", header: PlayerNotice(player: PlayerArgument(player)))
        case .playerDisconnected(let player, _):
            // onPlayerDisconnect still sees the player listed; then the mirror forgets it.
            host.notify("playerDisconnect", header: PeerNotice(peerId: player.peerId))
            host.notify("playerRemoved", header: PeerNotice(peerId: player.peerId))
        case .joinedGroup(let peerId, let group):
            host.notify("groupJoined", header: GroupArguments(group: group, peerId: peerId))
        case .leftGroup(let peerId, let group):
            host.notify("groupLeft", header: GroupArguments(group: group, peerId: peerId))
        case .messageToServer(let packet, _):
            guard hearsMessagesToServer else { return }
            host.notify(
                header: MessageArguments(key: "event", name: "message", packet: packet, reliable: packet.reliable),
                payload: packet.payload
            )
        default:
            break
        }
    }

    func flush() {
        host.flush()
    }

    /// Runs `onHealthCheck` (when the script defines it); false when unhealthy or failing.
    func healthCheck() async -> Bool {
        guard host.description.hooks.contains("onHealthCheck") else { return true }
        let started = ContinuousClock.now
        defer { metrics.hookCall("onHealthCheck", took: .now - started) }
        do {
            return try await host.call("onHealthCheck", header: Empty())
        } catch {
            logger.warning("onHealthCheck failed", metadata: ["source": "script", "error": "\(error)"])
            return false
        }
    }

    /// Runs `onStartGameSession(gameSession)` for a game session a fleet manager started (the host skipped it at
    /// start-up); false when it threw or did not return within the hook timeout.
    func startGameSession(_ gameSession: FleetGameSession) async -> Bool {
        let started = ContinuousClock.now
        defer { metrics.hookCall("onStartGameSession", took: .now - started) }
        do {
            return try await host.call("startGameSession", header: GameSessionArguments(gameSession: gameSession))
        } catch {
            logger.error("onStartGameSession failed", metadata: ["source": "script", "error": "\(error)"])
            return false
        }
    }

    /// Tells the script that the fleet manager changed the game session (`onUpdateGameSession`).
    func updateGameSession(_ update: FleetGameSessionUpdate) {
        host.notify("updateGameSession", header: UpdateArguments(updateGameSession: update))
    }
}

/// `{"hook":…,"opCode":…,"sender":…,"targetPlayer":…,"targetGroup":…,"reliable":…}`: the header of a delivery hook
/// call (`key` "hook") or of the `message` notification (`key` "event"). With such hooks or `onMessage` this is once per
/// message, so each piece is written as it is (no joined string per message).
struct MessageArguments: BridgeHeader {
    var key: StaticString
    var name: String
    var packet: Packet
    var reliable: Bool

    func write(into buffer: inout ByteBuffer) {
        buffer.writeStaticString("{\"")
        buffer.writeStaticString(key)
        buffer.writeStaticString("\":\"")
        buffer.writeString(name)
        buffer.writeStaticString(#"","opCode":"#)
        buffer.writeString(String(packet.opCode.rawValue))
        buffer.writeStaticString(#","sender":"#)
        buffer.writeString(String(packet.sender))
        buffer.writeStaticString(#","targetPlayer":"#)
        buffer.writeString(String(packet.targetPlayer))
        buffer.writeStaticString(#","targetGroup":"#)
        buffer.writeString(String(packet.targetGroup))
        buffer.writeStaticString(reliable ? #","reliable":true}"# : #","reliable":false}"#)
    }
}

struct PlayerArgument: Encodable, Sendable {
    var peerId: Int32
    var playerSessionId: String

    init(_ player: Player) {
        self.peerId = player.peerId
        self.playerSessionId = player.playerSessionId
    }
}

private struct GameSessionArguments: Encodable, Sendable {
    var gameSession: FleetGameSession
}

private struct UpdateArguments: Encodable, Sendable {
    var updateGameSession: FleetGameSessionUpdate
}

private struct ConnectArguments: Encodable, Sendable {
    var player: PlayerArgument
}

private struct PlayerNotice: Encodable, Sendable {
    var player: PlayerArgument
}

private struct PeerNotice: Encodable, Sendable {
    var peerId: Int32
}

private struct GroupArguments: Encodable, Sendable {
    var group: Int32
    var peerId: Int32
}
