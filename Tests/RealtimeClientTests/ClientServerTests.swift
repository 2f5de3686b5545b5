import Logging
import NIOCore
import RealtimeClient
import RealtimeProtocol
import RealtimeServer
import RealtimeSession
import Testing

/// The client against the real server, on loopback.
@Suite("RealtimeClient against RealtimeServer")
struct ClientServerTests {
    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Runs a server on 127.0.0.1 (free ports) for the duration of `body`; `body` gets its endpoint and a way to
    /// stop it early. `configure` may change the configuration first.
    static func withServer(
        reserved: Set<String>? = nil,
        configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: (Endpoint, _ stop: @escaping @Sendable () -> Void) async throws -> Void
    ) async throws {
        var configuration = ServerConfiguration(session: .init(gameSessionId: "client-tests"))
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.threads = 1
        configuration.session.reservedPlayerSessionIds = reserved
        configure(&configuration)
        let (addresses, continuation) = AsyncStream.makeStream(of: ListeningAddress.self)
        let server = RealtimeServer(configuration: configuration, logger: quiet) { address in
            continuation.yield(address)
            continuation.finish()
        }
        let serverTask = Task { try await server.run() }
        defer { serverTask.cancel() }
        var iterator = addresses.makeAsyncIterator()
        let address = try #require(await iterator.next())
        let endpoint = Endpoint(host: "127.0.0.1", port: address.tcpPort, secure: configuration.tls != nil)
        try await body(endpoint) { serverTask.cancel() }
        serverTask.cancel()
        _ = await serverTask.result
    }

    static func connect(_ endpoint: Endpoint, _ name: String, noUDP: Bool = false) async throws -> RealtimeClient {
        try await RealtimeClient.connect(
            to: endpoint,
            options: ClientOptions(playerSessionId: name, noUDP: noUDP, logger: quiet, connectTimeout: .seconds(5))
        )
    }

    @Test func fastMessagesTravelOverUDPAndReliableOnesOverTheWebSocket() async throws {
        try await Self.withServer { endpoint, _ in
            let alice = try await Self.connect(endpoint, "alice")
            let bob = try await Self.connect(endpoint, "bob")
            #expect(alice.peerId > 0 && bob.peerId > 0 && alice.peerId != bob.peerId)
            var bobEvents = bob.events.makeAsyncIterator()
            var aliceEvents = alice.events.makeAsyncIterator()
            #expect(await aliceEvents.next() == .connected(peerId: alice.peerId, fastPort: alice.fastPort))
            #expect(await aliceEvents.next() == .fastReady)
            #expect(await bobEvents.next() == .connected(peerId: bob.peerId, fastPort: bob.fastPort))
            #expect(await bobEvents.next() == .fastReady)

            // Bob's -7 may still be on its way to the server: until it arrives, fast messages to him go reliably.
            var overUDP: Packet?
            for attempt in 0..<50 where overUDP == nil {
                try await alice.send(
                    opCode: OpCode(10),
                    payload: ByteBuffer(string: "fast \(attempt)"),
                    targetPlayer: bob.peerId
                )
                guard let packet = await Self.message(nil, from: &bobEvents) else { break }
                #expect(packet.sender == alice.peerId)
                if !packet.reliable { overUDP = packet }
            }
            let fast = try #require(overUDP)
            #expect(fast.opCode == OpCode(10))
            #expect(fast.targetPlayer == bob.peerId)

            try await alice.send(
                opCode: OpCode(11),
                payload: ByteBuffer(string: "sure"),
                targetPlayer: bob.peerId,
                reliable: true
            )
            guard let reliable = await Self.message(nil, from: &bobEvents) else {
                Issue.record("expected the reliable message")
                return
            }
            #expect(reliable.opCode == OpCode(11))
            #expect(reliable.reliable)
            #expect(reliable.payload == ByteBuffer(string: "sure"))
            #expect(reliable.sender == alice.peerId)

            // Sequence numbers of what the server sends Bob over UDP increase.
            for index in 0..<20 {
                try await alice.send(
                    opCode: OpCode(12),
                    payload: ByteBuffer(integer: UInt32(index)),
                    targetPlayer: bob.peerId
                )
            }
            try await alice.send(opCode: OpCode(13), targetPlayer: bob.peerId)
            var sequenceNumbers: [Int32] = []
            while let packet = await Self.message(nil, from: &bobEvents), packet.opCode != OpCode(13) {
                if !packet.reliable { sequenceNumbers.append(packet.sequenceNumber) }
            }
            #expect(!sequenceNumbers.isEmpty)
            #expect(sequenceNumbers == sequenceNumbers.sorted() && Set(sequenceNumbers).count == sequenceNumbers.count)
            #expect(sequenceNumbers.first ?? 0 > fast.sequenceNumber)

            await alice.close()
            await bob.close()
        }
    }

    @Test func groupJoinMembershipAndGroupMessages() async throws {
        try await Self.withServer { endpoint, _ in
            let alice = try await Self.connect(endpoint, "alice")
            let bob = try await Self.connect(endpoint, "bob")
            var aliceEvents = alice.events.makeAsyncIterator()
            var bobEvents = bob.events.makeAsyncIterator()
            // Group requests have the SDK's fast intent: a join sent over the WebSocket just before the UDP handshake
            // ends can be overtaken by a membership request sent over UDP just after it. Start with UDP up.
            #expect(await Self.fastReady(&aliceEvents))
            #expect(await Self.fastReady(&bobEvents))
            try await bob.joinGroup(2)
            try await bob.requestGroupMembership(2)
            #expect(await Self.membership(of: 2, from: &bobEvents) == [bob.peerId])
            try await alice.joinGroup(2)
            try await alice.requestGroupMembership(2)
            #expect(await Self.membership(of: 2, from: &aliceEvents) == [alice.peerId, bob.peerId].sorted())

            try await alice.send(
                opCode: OpCode(20),
                payload: ByteBuffer(string: "to group"),
                targetGroup: 2,
                reliable: true
            )
            #expect(await Self.message(OpCode(20), from: &bobEvents)?.sender == alice.peerId)
            #expect(await Self.message(OpCode(20), from: &aliceEvents)?.targetGroup == 2, "the sender is a member too")

            try await alice.leaveGroup(2)
            try await alice.requestGroupMembership(2)
            #expect(await Self.membership(of: 2, from: &aliceEvents) == [bob.peerId])
            try await alice.requestGroupMembership(-1)
            #expect(await Self.membership(of: -1, from: &aliceEvents) == [alice.peerId, bob.peerId].sorted())
            await alice.close()
            await bob.close()
        }
    }

    @Test func noUDPClientReceivesEverythingReliably() async throws {
        try await Self.withServer { endpoint, _ in
            let alice = try await Self.connect(endpoint, "alice")
            let bob = try await Self.connect(endpoint, "bob", noUDP: true)
            var bobEvents = bob.events.makeAsyncIterator()
            #expect(await bobEvents.next() == .connected(peerId: bob.peerId, fastPort: bob.fastPort))
            try await alice.send(opCode: OpCode(10), payload: ByteBuffer(string: "x"), targetPlayer: bob.peerId)
            let packet = await Self.message(OpCode(10), from: &bobEvents)
            #expect(packet?.reliable == true)
            await alice.close()
            await bob.close()
        }
    }

    @Test func refusedLoginThrowsLoginRefused() async throws {
        try await Self.withServer(reserved: ["reserved"]) { endpoint, _ in
            do {
                _ = try await Self.connect(endpoint, "stranger")
                Issue.record("the login should have been refused")
            } catch let error as RealtimeClientError {
                #expect(error.code == .loginRefused)
                #expect(error.closeCode == 1008)
                #expect("\(error)".contains("player session not reserved"))
            }
            let admitted = try await Self.connect(endpoint, "reserved")
            await admitted.close()
        }
    }

    @Test func serverShutdownBecomesDisconnected() async throws {
        try await Self.withServer { endpoint, stop in
            let client = try await Self.connect(endpoint, "alice")
            stop()
            var last: ClientEvent?
            for await event in client.events { last = event }
            #expect(last == .disconnected(reason: "server shutting down", code: 1001))
            await #expect(throws: RealtimeClientError(.closed, "")) {
                try await client.send(opCode: OpCode(1), reliable: true)
            }
        }
    }

    @Test func clientCloseEndsTheEventsAndFlushWaitsForWrites() async throws {
        try await Self.withServer { endpoint, _ in
            let alice = try await Self.connect(endpoint, "alice")
            let bob = try await Self.connect(endpoint, "bob")
            for index in 0..<200 {
                try await alice.send(
                    opCode: OpCode(30),
                    payload: ByteBuffer(repeating: UInt8(index % 256), count: 2000),
                    targetPlayer: bob.peerId,
                    reliable: true
                )
            }
            try await alice.flush()
            await alice.close()
            var received = 0
            var bobEvents = bob.events.makeAsyncIterator()
            while received < 200, let event = await bobEvents.next() {
                if case .message(let packet) = event, packet.opCode == OpCode(30) { received += 1 }
                if case .disconnected = event { break }
            }
            #expect(received == 200)
            var events: [ClientEvent] = []
            for await event in alice.events { events.append(event) }
            guard case .disconnected(let reason, _)? = events.last else {
                Issue.record("expected a final disconnected event, got \(events)")
                return
            }
            #expect(reason == "closed by client")
            await bob.close()
        }
    }

    // MARK: - Helpers

    /// Waits for `.fastReady`; false when the connection ends first.
    static func fastReady(_ events: inout ClientEvents.AsyncIterator) async -> Bool {
        while let event = await events.next() {
            if event == .fastReady { return true }
            if case .disconnected = event { return false }
        }
        return false
    }

    static func membership(of group: Int32, from events: inout ClientEvents.AsyncIterator) async -> [Int32]? {
        while let event = await events.next() {
            if case .groupMembership(group, let players) = event { return players.sorted() }
            if case .disconnected = event { return nil }
        }
        return nil
    }

    /// The next message with this op code (nil: any op code), skipping other events.
    static func message(_ opCode: OpCode?, from events: inout ClientEvents.AsyncIterator) async -> Packet? {
        while let event = await events.next() {
            if case .message(let packet) = event, opCode == nil || packet.opCode == opCode { return packet }
            if case .disconnected = event { return nil }
        }
        return nil
    }
}
