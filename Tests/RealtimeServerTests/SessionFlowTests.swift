import NIOCore
import NIOPosix
import RealtimeProtocol
import RealtimeServer
import RealtimeTestSupport
import Testing

@Suite("A game session over real sockets")
struct SessionFlowTests {
    @Test("three players log in, associate UDP, message players and groups, and leave")
    func threePlayers() async throws {
        let server = try await RunningServer.start()
        defer { server.task.cancel() }
        #expect(server.address.gameSessionId == "test-session")

        let p1 = try await server.login("ps-1")
        let p2 = try await server.login("ps-2")
        let p3 = try await server.login("ps-3")
        #expect([p1.peerId, p2.peerId, p3.peerId] == [1, 2, 3])
        for player in [p1, p2, p3] { try await player.associateUDP() }

        // Reliable to a player: over the WebSocket, sender stamped (the claimed sender is ignored).
        try await p1.ws.send(Packet(opCode: OpCode(10), targetPlayer: 2, sender: 3, payload: ByteBuffer(string: "hi")))
        let reliable = try await p2.nextReliable()
        #expect(reliable.opCode == OpCode(10))
        #expect(reliable.sender == 1)
        #expect(reliable.targetPlayer == 2)
        #expect(String(buffer: reliable.payload) == "hi")

        // Fast to a player: over UDP from the fast port.
        try await p1.sendFast(message(11, to: 2, "fast hi"))
        let fast = try await p2.nextFast()
        #expect(fast.opCode == OpCode(11))
        #expect(fast.sender == 1)
        #expect(String(buffer: fast.payload) == "fast hi")

        // Groups: join over the WebSocket; each joiner sees itself in the list.
        try await p1.sendReliable(Packet(opCode: .joinGroup, targetPlayer: -1, message: .joinGroup(group: 5)))
        #expect(try await p1.members(of: 5) == [1])
        try await p2.sendReliable(Packet(opCode: .joinGroup, targetPlayer: -1, message: .joinGroup(group: 5)))
        #expect(try await p2.members(of: 5) == [1, 2])

        // To a group the sender is not in: fast over UDP, then reliable over the WebSocket.
        try await p3.sendFast(message(12, group: 5, "to group 5"))
        for player in [p1, p2] {
            let packet = try await player.nextFast()
            #expect(packet.sender == 3)
            #expect(packet.targetGroup == 5)
            #expect(String(buffer: packet.payload) == "to group 5")
        }
        try await p3.sendReliable(message(13, group: 5, "reliably to group 5"))
        for player in [p1, p2] {
            let packet = try await player.nextReliable()
            #expect(packet.opCode == OpCode(13))
            #expect(packet.sender == 3)
        }

        // Group -1: every player, the sender included.
        try await p1.sendFast(message(14, group: -1, "everyone"))
        for player in [p1, p2, p3] {
            let packet = try await player.nextFast()
            #expect(packet.opCode == OpCode(14))
            #expect(packet.sender == 1)
        }
        try await p2.sendReliable(message(15, group: -1, "everyone, reliably"))
        for player in [p1, p2, p3] {
            let packet = try await player.nextReliable()
            #expect(packet.opCode == OpCode(15))
            #expect(packet.sender == 2)
        }

        // Join, membership and leave over UDP (the SDK's default for them); the -13 answer comes on the WebSocket.
        try await p3.sendFast(Packet(opCode: .joinGroup, targetPlayer: -1, message: .joinGroup(group: 5)))
        try await p3.sendFast(
            Packet(opCode: .requestGroupMembership, targetPlayer: -1, message: .requestGroupMembership(group: 5))
        )
        let update = try await p3.nextReliable()
        #expect(update.opCode == .groupMembershipUpdate)
        #expect(update.message == .groupMembershipUpdate(GroupMembershipUpdate(group: 5, players: [1, 2, 3])))
        try await p3.sendFast(Packet(opCode: .leaveGroup, targetPlayer: -1, message: .leaveGroup(group: 5)))
        try await p3.sendFast(
            Packet(opCode: .requestGroupMembership, targetPlayer: -1, message: .requestGroupMembership(group: 5))
        )
        let afterLeave = try await p3.nextReliable()
        #expect(afterLeave.message == .groupMembershipUpdate(GroupMembershipUpdate(group: 5, players: [1, 2])))
        #expect(try await p3.members(of: -1) == [1, 2, 3])
        #expect(try await p3.members(of: 0) == [])
        #expect(try await p3.members(of: 99) == [])

        // A player leaves with a close frame: the server answers it and the player is gone from every group.
        try await p2.ws.close(code: 1000)
        let (code, _, _) = try await p2.ws.expectClose()
        #expect(code == 1000)
        try await p2.ws.waitClosed()
        try await waitUntil { try await p1.members(of: -1) == [1, 3] }
        #expect(try await p1.members(of: 5) == [1])

        // The others carry on: fast to a player still works.
        try await p3.sendFast(message(16, to: 1, "still here"))
        #expect(try await p1.nextFast().opCode == OpCode(16))
        for player in [p1, p3] {
            try await player.roundTrip()
            #expect(player.ws.frames.isEmpty)
            #expect(player.udp!.datagrams.isEmpty)
        }
        await p1.close()
        await p3.close()
        try await server.stop()
    }

    @Test("UDP sequence numbers to a player increase strictly, the -6 ack included")
    func sequenceNumbers() async throws {
        let server = try await RunningServer.start()
        defer { server.task.cancel() }
        let p1 = try await server.login()
        let p2 = try await server.login()
        try await p1.associateUDP()
        try await p2.associateUDP()
        #expect(p2.lastSequenceIn >= 1)
        for index in 0..<50 {
            try await p1.sendFast(message(20, to: 2, "n\(index)"))
        }
        var received: [String] = []
        for _ in 0..<50 {
            // nextFast checks that every sequence number is greater than the one before.
            let packet = try await p2.nextFast()
            received.append(String(buffer: packet.payload))
        }
        #expect(received == (0..<50).map { "n\($0)" })
        // -5 is repeat-safe: a retry is answered again, with a greater sequence number.
        try await p2.sendFast(Packet(opCode: .udpConnect, targetPlayer: -1, message: .udpConnect))
        #expect(try await p2.nextFast().opCode == .udpConnectServerAck)
        try await server.stop()
    }

    @Test("before -7, fast messages reach a player on the WebSocket, marked reliable")
    func fastFallsBackToWebSocket() async throws {
        let server = try await RunningServer.start()
        defer { server.task.cancel() }
        let p1 = try await server.login()
        let p2 = try await server.login()
        try await p1.associateUDP()
        try await p1.sendFast(message(30, to: 2, "no UDP yet"))
        let packet = try await p2.nextReliable()
        #expect(packet.opCode == OpCode(30))
        #expect(packet.sender == 1)
        try await server.stop()
    }

    @Test("--session-loop own without a script: the session runs beside the connections' loops, relays work")
    func sessionOnALoopOfItsOwn() async throws {
        let capture = LogCapture()
        let server = try await RunningServer.start(logger: capture.logger()) { $0.sessionLoop = .own }
        defer { server.task.cancel() }
        #expect(capture.contains("eventLoops=2 for connections, the session on one of its own"))
        let player = try await server.login()
        try await player.associateUDP()
        try await player.roundTrip()
        try await server.stop()
    }

    @Test("UDP port rule: with port 0 the UDP port is the TCP port's number; an explicit UDP port is announced")
    func udpPortRule() async throws {
        let same = try await RunningServer.start()
        defer { same.task.cancel() }
        if same.address.udpPort != same.address.tcpPort {
            // The one exception: a UDP socket elsewhere (another test's, running at the same time) holds that number.
            let taken = try? await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: "127.0.0.1", port: same.address.tcpPort).get()
            try await taken?.close()
            #expect(taken == nil, "UDP port \(same.address.tcpPort) was free, yet the server bound another")
        }
        try await same.stop()

        let other = try await RunningServer.start { $0.udpPort = 0 }
        defer { other.task.cancel() }
        let player = try await other.login()
        try await player.associateUDP()
        try await player.roundTrip()
        try await other.stop()
    }

    @Test("dual stack: a server on :: serves IPv6 (::1) and IPv4 players together")
    func dualStack() async throws {
        let server = try await RunningServer.start(host: "::")
        defer { server.task.cancel() }
        let v6 = RunningServer(address: server.address, host: "::1", task: server.task, server: server.server)
        let v4 = RunningServer(address: server.address, host: "127.0.0.1", task: server.task, server: server.server)
        let p1 = try await v6.login()
        let p2 = try await v4.login()
        try await p1.associateUDP()
        try await p2.associateUDP()
        try await p1.sendFast(message(40, to: 2, "from v6"))
        #expect(String(buffer: try await p2.nextFast().payload) == "from v6")
        try await p2.sendFast(message(41, to: 1, "from v4"))
        #expect(String(buffer: try await p1.nextFast().payload) == "from v4")
        try await server.stop()
    }
}

/// Retries a check until it holds (each try is a round trip to the server), within the test deadline.
func waitUntil(_ check: () async throws -> Bool) async throws {
    let end = ContinuousClock.now + testDeadline
    while ContinuousClock.now < end {
        if try await check() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("condition never held")
}
