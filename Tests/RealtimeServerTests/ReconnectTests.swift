import NIOCore
import RealtimeProtocol
import RealtimeServer
import RealtimeSession
import Testing

/// A player that connects again with its player session id takes its slot back: same peer id, same groups, the old
/// connection closed with 4000, nobody else told.
@Suite("Reconnects")
struct ReconnectTests {
    /// Logs in and returns the player, reading the `-13` updates a takeover sends after the login result.
    static func rejoin(_ server: RunningServer, _ id: String, groups: Int) async throws -> (TestPlayer, [Packet]) {
        let player = try await server.login(id)
        var updates: [Packet] = []
        for _ in 0..<groups { updates.append(try await player.nextReliable()) }
        return (player, updates)
    }

    @Test("a half-open connection is replaced: 4000 to the old one, same peer id and groups, others not told")
    func halfOpenTakeover() async throws {
        let server = try await RunningServer.start {
            $0.session.reservedPlayerSessionIds = ["alice", "bob"]
            $0.session.announcePlayers = true
        }
        defer { server.task.cancel() }
        let alice = try await server.login("alice")
        let bob = try await server.login("bob")
        _ = try await alice.nextReliable()  // -101: bob arrived
        _ = try await bob.nextReliable()  // -101: alice is here
        for player in [alice, bob] {
            try await player.sendReliable(Packet(opCode: .joinGroup, targetPlayer: -1, message: .joinGroup(group: 5)))
        }
        #expect(try await bob.members(of: 5) == [alice.peerId, bob.peerId])

        let (again, updates) = try await Self.rejoin(server, "alice", groups: 1)
        #expect(again.peerId == alice.peerId)
        #expect(
            updates.map(\.message) == [.groupMembershipUpdate(.init(group: 5, players: [alice.peerId, bob.peerId]))]
        )
        let replaced = try await alice.ws.expectClose()
        #expect(replaced.code == 4000 && replaced.reason == "replaced by a new connection")

        try await bob.sendReliable(message(30, group: 5, "still here?"))
        #expect(String(buffer: try await again.nextReliable().payload) == "still here?")
        // Bob's own copy comes first and nothing else: no -103, no -101.
        let echo = try await bob.nextReliable()
        #expect(echo.opCode == OpCode(30))
        try await bob.roundTrip()
        try await again.roundTrip()
        try await server.stop()
    }

    @Test("a lost connection keeps the slot for --reconnect-grace; a reconnect in time takes it back silently")
    func lostThenBack() async throws {
        let server = try await RunningServer.start { $0.session.announcePlayers = true }
        defer { server.task.cancel() }
        let alice = try await server.login("alice")
        let bob = try await server.login("bob")
        _ = try await alice.nextReliable()  // -101: bob arrived
        _ = try await bob.nextReliable()  // -101: alice is here
        try await alice.sendReliable(Packet(opCode: .joinGroup, targetPlayer: -1, message: .joinGroup(group: 7)))
        #expect(try await alice.members(of: 7) == [alice.peerId])
        // The TCP connection goes away without a close frame (the network, not the player).
        await alice.ws.disconnect()
        #expect(try await bob.members(of: -1) == [alice.peerId, bob.peerId])
        let (again, updates) = try await Self.rejoin(server, "alice", groups: 1)
        #expect(again.peerId == alice.peerId)
        #expect(updates.map(\.message) == [.groupMembershipUpdate(.init(group: 7, players: [alice.peerId]))])
        try await again.associateUDP()
        try await bob.sendReliable(message(31, to: alice.peerId, "welcome back"))
        #expect(String(buffer: try await again.nextReliable().payload) == "welcome back")
        try await bob.roundTrip()  // no -103 / -101 came first
        try await server.stop()
    }

    @Test("a lost player that does not come back leaves when its grace ends; a client's own close leaves at once")
    func graceEnds() async throws {
        let server = try await RunningServer.start {
            $0.session.announcePlayers = true
            $0.session.reconnectGrace = .milliseconds(300)
        }
        defer { server.task.cancel() }
        let alice = try await server.login("alice")
        let bob = try await server.login("bob")
        let carol = try await server.login("carol")
        for (player, arrivals) in [(alice, 2), (bob, 2), (carol, 2)] {
            for _ in 0..<arrivals { #expect(try await player.nextReliable().opCode == .playerConnect) }
        }
        await alice.ws.disconnect()
        let left = try await bob.nextReliable()
        #expect(left.opCode == .playerDisconnect && left.message == .playerDisconnect(peerId: alice.peerId))
        _ = try await carol.nextReliable()  // -103: alice left
        try await carol.ws.close()
        let carolLeft = try await bob.nextReliable()
        #expect(carolLeft.message == .playerDisconnect(peerId: carol.peerId))
        let newAlice = try await server.login("alice")
        #expect(newAlice.peerId > carol.peerId)
        try await server.stop()
    }
}
