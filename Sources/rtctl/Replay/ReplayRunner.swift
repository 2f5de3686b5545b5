import Foundation
import Logging
import NIOCore
import RealtimeClient
import RealtimeProtocol
import Synchronization

/// Plays a ``ReplayPlan`` against a server: one client per recorded player, steps at their times (late steps go at
/// once), and what each client receives collected for verification.
final class ReplayRunner: Sendable {
    struct Options: Sendable {
        var endpoint: Endpoint
        var noUDP: Bool
        /// How a `wss://` endpoint is checked.
        var tls: ClientTLS? = nil
        /// Send every message reliably (verification must not lose fast messages).
        var forceReliable: Bool
        var connectTimeout: TimeAmount
        var loops: Int
        var loopDelay: Double
        /// Stop sending after this many seconds.
        var duration: Double?
        /// How long to wait for messages still on their way (before a player leaves, and at the end).
        var settle: Double
        var logger: Logger
    }

    private struct State {
        /// Recorded peer id → the client playing it.
        var clients: [Int32: RealtimeClient] = [:]
        /// The server's peer id for each recorded one, and back.
        var toServer: [Int32: Int32] = [:]
        var toRecorded: [Int32: Int32] = [:]
        /// What each recorded player's client received, with the server's peer ids.
        var received: [Int32: [Packet]] = [:]
        /// The last membership each recorded player's client was told, per group.
        var memberships: [Int32: [Int32: [Int32]]] = [:]
        var readers: [Task<Void, Never>] = []
    }

    private let plan: ReplayPlan
    private let options: Options
    private let state = Mutex(State())

    init(plan: ReplayPlan, options: Options) {
        self.plan = plan
        self.options = options
    }

    /// Runs every step (every loop), then waits up to `settle` seconds for the expected messages to arrive.
    /// Returns the number of messages sent.
    func run() async throws -> Int {
        let start = ContinuousClock.now
        var sent = 0
        var loop = 0
        // Connects happen in the first loop; disconnects in the last (never, when looping until stopped).
        let repeats = plan.steps.contains { !Self.isOnce($0.step) }
        replaying: while options.loops == 0 || loop < options.loops {
            if let duration = options.duration, ContinuousClock.now - start >= .seconds(duration) { break }
            if loop > 0, !repeats { break }
            let loopStart = ContinuousClock.now
            let last = options.loops != 0 && loop == options.loops - 1
            for step in plan.steps where Self.runs(step.step, loop: loop, last: last) {
                if let duration = options.duration, ContinuousClock.now - start >= .seconds(duration) {
                    break replaying
                }
                let due = loopStart + .seconds(step.at)
                if due > .now { try await Task.sleep(until: due, clock: .continuous) }
                if try await perform(step.step) { sent += 1 }
            }
            loop += 1
            if options.loops == 0 || loop < options.loops, options.loopDelay > 0 {
                try await Task.sleep(for: .seconds(options.loopDelay))
            }
        }
        for client in state.withLock({ Array($0.clients.values) }) { try? await client.flush() }
        await waitForDeliveries(loops: max(loop, 1))
        return sent
    }

    /// Connects and disconnects happen once, not at every loop.
    private static func isOnce(_ step: ReplayPlan.Step) -> Bool {
        switch step {
        case .connect, .disconnect: true
        default: false
        }
    }

    /// Whether a step runs in this loop: connects in the first, disconnects in the last, the rest in every one.
    private static func runs(_ step: ReplayPlan.Step, loop: Int, last: Bool) -> Bool {
        switch step {
        case .connect: loop == 0
        case .disconnect: last
        default: true
        }
    }

    /// Performs one step; true when it sent a message.
    private func perform(_ step: ReplayPlan.Step) async throws -> Bool {
        switch step {
        case .connect(let player):
            let client = try await RealtimeClient.connect(
                to: options.endpoint,
                options: ClientOptions(
                    playerSessionId: player.playerSessionId,
                    noUDP: options.noUDP,
                    logger: options.logger,
                    connectTimeout: options.connectTimeout,
                    tls: options.tls
                )
            )
            let reader = Task { [self] in
                for await event in client.events {
                    switch event {
                    case .message(let packet):
                        state.withLock { $0.received[player.peerId, default: []].append(packet) }
                    case .groupMembership(let group, let players):
                        state.withLock { $0.memberships[player.peerId, default: [:]][group] = players }
                    default:
                        break
                    }
                }
            }
            state.withLock { state in
                state.clients[player.peerId] = client
                state.toServer[player.peerId] = client.peerId
                state.toRecorded[client.peerId] = player.peerId
                state.readers.append(reader)
            }
            options.logger.debug(
                "replaying player",
                metadata: ["recorded": "\(player.peerId)", "peerId": "\(client.peerId)"]
            )
            return false
        case .send(let player, let opCode, let payload, let targetPlayer, let targetGroup, let reliable):
            guard let client = client(player) else { return false }
            try await client.send(
                opCode: OpCode(opCode),
                payload: payload,
                targetPlayer: targetPlayer > 0 ? serverPeerId(targetPlayer) : targetPlayer,
                targetGroup: targetGroup,
                reliable: reliable || options.forceReliable
            )
            return true
        case .joinGroup(let player, let group):
            try await client(player)?.joinGroup(group)
            await confirmMembership(player, group: group, member: true)
            return false
        case .leaveGroup(let player, let group):
            try await client(player)?.leaveGroup(group)
            await confirmMembership(player, group: group, member: false)
            return false
        case .disconnect(let player, let received):
            await waitUntil(player, received: received)
            // Later steps of this player (none in a well-formed recording) do nothing.
            guard let client = state.withLock({ $0.clients.removeValue(forKey: player) }) else { return false }
            try? await client.flush()
            await client.close()
            return false
        }
    }

    /// When verifying, a join or leave must be in effect before anyone sends on: the player asks for the group's
    /// members (on the same channel as its request, so the answer comes after it) and waits, at most `settle`, for
    /// itself to be listed, or not. Without it, another player's message could overtake the join at top speed.
    private func confirmMembership(_ player: Int32, group: Int32, member: Bool) async {
        guard options.forceReliable, let client = client(player) else { return }
        let deadline = ContinuousClock.now + .seconds(options.settle)
        state.withLock { _ = $0.memberships[player]?.removeValue(forKey: group) }
        try? await client.requestGroupMembership(group)
        while ContinuousClock.now < deadline {
            if let members = state.withLock({ $0.memberships[player]?[group] }) {
                if members.contains(client.peerId) == member { return }
                state.withLock { _ = $0.memberships[player]?.removeValue(forKey: group) }
                try? await client.requestGroupMembership(group)
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    private func client(_ recorded: Int32) -> RealtimeClient? {
        state.withLock { $0.clients[recorded] }
    }

    /// The server's peer id for a recorded one (a player not replayed keeps its recorded id).
    private func serverPeerId(_ recorded: Int32) -> Int32 {
        state.withLock { $0.toServer[recorded] } ?? recorded
    }

    /// Waits (at most `settle`) until a player has received `count` messages.
    private func waitUntil(_ player: Int32, received count: Int) async {
        let deadline = ContinuousClock.now + .seconds(options.settle)
        while state.withLock({ $0.received[player]?.count ?? 0 }) < count, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    private func waitForDeliveries(loops: Int) async {
        let settle = options.settle
        let deadline = ContinuousClock.now + .seconds(settle)
        while ContinuousClock.now < deadline {
            let complete = state.withLock { state in
                plan.expected.allSatisfy { receiver, messages in
                    (state.received[receiver]?.count ?? 0) >= messages.count * loops
                }
            }
            if complete { break }
            try? await Task.sleep(for: .milliseconds(20))
        }
        // A little longer: anything unexpected still on its way shows up too.
        try? await Task.sleep(for: .milliseconds(min(200, Int(settle * 1000))))
    }

    /// Closes every client.
    func close() async {
        let (clients, readers) = state.withLock { (Array($0.clients.values), $0.readers) }
        for client in clients { await client.close() }
        for reader in readers { await reader.value }
    }

    /// What each recorded player received, as verification compares it (recorded peer ids).
    func receivedMessages() -> [Int32: [ReplayPlan.Message]] {
        state.withLock { state in
            state.received.mapValues { packets in
                packets.map { packet in
                    ReplayPlan.Message(
                        opCode: packet.opCode.rawValue,
                        sender: packet.sender > 0 ? state.toRecorded[packet.sender] ?? packet.sender : packet.sender,
                        targetPlayer: packet.targetPlayer > 0
                            ? state.toRecorded[packet.targetPlayer] ?? packet.targetPlayer : packet.targetPlayer,
                        targetGroup: packet.targetGroup,
                        payload: packet.payload
                    )
                }
            }
        }
    }
}
