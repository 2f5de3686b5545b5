import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import RealtimeClient
import RealtimeProtocol
import Testing

/// The client's bytes on the wire, checked against a recording peer on loopback (no game logic involved).
@Suite("RealtimeClient on the wire")
struct ClientWireTests {
    static func options(noUDP: Bool = false, timeout: TimeAmount = .seconds(5), buffer: Int = 1024) -> ClientOptions {
        ClientOptions(
            playerSessionId: "psess-42",
            connectPayload: ByteBuffer(string: "payload"),
            noUDP: noUDP,
            connectTimeout: timeout,
            eventBufferSize: buffer
        )
    }

    static func loginResult(peerId: Int32, fastPort: Int) -> Packet {
        Packet(
            opCode: .loginResponse,
            targetPlayer: peerId,
            reliable: true,
            message: .loginResult(LoginResult(success: true, peerId: peerId, fastPort: Int32(fastPort)))
        )
    }

    /// Connects a client to `peer` and answers its login as peer 3.
    static func connect(_ peer: TestPeer, noUDP: Bool = false, buffer: Int = 1024) async throws -> RealtimeClient {
        let endpoint = Endpoint(host: "127.0.0.1", port: peer.tcpPort)
        async let client = RealtimeClient.connect(to: endpoint, options: options(noUDP: noUDP, buffer: buffer))
        _ = try #require(await peer.nextReliable())
        peer.sendReliable(loginResult(peerId: 3, fastPort: peer.udpPort))
        return try await client
    }

    @Test func upgradeRequestAndLoginAreTheSDKs() async throws {
        let peer = try await TestPeer.start()
        let endpoint = Endpoint(host: "127.0.0.1", port: peer.tcpPort)
        async let connecting = RealtimeClient.connect(to: endpoint, options: Self.options())
        let upgrade = try #require(
            await peer.next { input -> (String, HTTPHeaders)? in
                if case .upgrade(let uri, let headers) = input { return (uri, headers) }
                return nil
            }
        )
        #expect(upgrade.0 == "/websocket")
        #expect(upgrade.1["Host"] == ["127.0.0.1:\(peer.tcpPort)"])
        #expect(upgrade.1["Origin"] == ["ws://127.0.0.1:\(peer.tcpPort)"])
        #expect(upgrade.1["Sec-WebSocket-Version"] == ["13"])
        #expect(upgrade.1["Sec-WebSocket-Protocol"].isEmpty)
        let login = try #require(
            await peer.next { input -> (Bool, Packet)? in
                if case .frame(.binary, let masked, _, let packet?) = input { return (masked, packet) }
                return nil
            }
        )
        #expect(login.0, "client frames must be masked")
        #expect(
            login.1
                == Packet(
                    opCode: .login,
                    targetPlayer: -1,
                    reliable: true,
                    payload: ByteBuffer(string: "payload"),
                    message: .login(LoginCommand(playerSessionId: "psess-42", clientVersion: 2))
                )
        )
        peer.sendReliable(Self.loginResult(peerId: 3, fastPort: peer.udpPort))
        let client = try await connecting
        #expect(client.peerId == 3)
        #expect(client.fastPort == peer.udpPort)
        await client.close()
        await peer.stop()
    }

    @Test func udpHandshakeRetriesWithIncreasingSequenceNumbersThenGoesFast() async throws {
        let peer = try await TestPeer.start()
        // Taken before the login: the first attempt cannot leave before it, the third not before 300 ms after it.
        let start = ContinuousClock.now
        let client = try await Self.connect(peer)
        var iterator = client.events.makeAsyncIterator()
        #expect(await iterator.next() == .connected(peerId: 3, fastPort: peer.udpPort))

        // Ignore the first three attempts: the retries come 100 and 200 ms apart.
        for expected in Int32(0)..<3 {
            let attempt = try #require(await peer.nextFast())
            #expect(
                attempt
                    == Packet(
                        opCode: .udpConnect,
                        sequenceNumber: expected,
                        targetPlayer: -1,
                        sender: 3,
                        message: .udpConnect
                    )
            )
        }
        #expect(ContinuousClock.now - start >= .milliseconds(250))

        // A fast message before the handshake goes over the WebSocket.
        try await client.send(opCode: OpCode(9), payload: ByteBuffer(string: "early"), targetGroup: -1)
        let early = try #require(await peer.nextReliable())
        #expect(early.opCode == OpCode(9) && early.sender == 3 && early.reliable)

        // More retries may cross the ack on a busy machine: every datagram takes the next sequence number.
        peer.sendFast(Packet(opCode: .udpConnectServerAck, sequenceNumber: 1))
        var expected: Int32 = 3
        var ack = try #require(await peer.nextFast())
        while ack.opCode == .udpConnect {
            #expect(ack.sequenceNumber == expected)
            expected += 1
            ack = try #require(await peer.nextFast())
        }
        #expect(ack.opCode == .udpConnectClientAck)
        #expect(ack.sequenceNumber == expected)
        #expect(await iterator.next() == .fastReady)

        try await client.send(opCode: OpCode(10), payload: ByteBuffer(string: "fast"), targetPlayer: 5)
        let fast = try #require(await peer.nextFast())
        #expect(
            fast
                == Packet(
                    opCode: OpCode(10),
                    sequenceNumber: expected + 1,
                    targetPlayer: 5,
                    sender: 3,
                    payload: ByteBuffer(string: "fast")
                )
        )
        try await client.joinGroup(2)
        let join = try #require(await peer.nextFast())
        #expect(
            join
                == Packet(
                    opCode: .joinGroup,
                    sequenceNumber: expected + 2,
                    targetPlayer: -1,
                    sender: 3,
                    message: .joinGroup(group: 2)
                )
        )

        // No more -5 after the ack.
        try await Task.sleep(for: .milliseconds(500))
        #expect(await peer.nextFast(within: .milliseconds(10)) == nil)
        await client.close()
        await peer.stop()
    }

    @Test func staleDatagramsAreDroppedAndChannelsAreMarked() async throws {
        let peer = try await TestPeer.start()
        let client = try await Self.connect(peer)
        _ = try #require(await peer.nextFast())
        peer.sendFast(Packet(opCode: .udpConnectServerAck, sequenceNumber: 1))
        var iterator = client.events.makeAsyncIterator()
        #expect(await iterator.next() == .connected(peerId: 3, fastPort: peer.udpPort))
        #expect(await iterator.next() == .fastReady)
        for number: Int32 in [2, 2, 1, 5, 3, 6] {
            peer.sendFast(Packet(opCode: OpCode(7), sequenceNumber: number, sender: 1, reliable: true))
        }
        peer.sendReliable(Packet(opCode: OpCode(8), sender: 1))
        var received: [(Int32, Bool)] = []
        while received.count < 4, let event = await iterator.next() {
            if case .message(let packet) = event {
                received.append((packet.opCode == OpCode(8) ? -1 : packet.sequenceNumber, packet.reliable))
            }
        }
        let fast = received.filter { $0.0 >= 0 }
        #expect(fast.map(\.0) == [2, 5, 6])
        #expect(fast.allSatisfy { !$0.1 })
        #expect(received.contains { $0.0 == -1 && $0.1 })
        await client.close()
        await peer.stop()
    }

    @Test func pingsAreAnsweredWithMaskedPongs() async throws {
        let peer = try await TestPeer.start()
        let client = try await Self.connect(peer, noUDP: true)
        peer.sendFrame(WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer(string: "2026-11-21")))
        let pong = try #require(await peer.nextFrame(.pong))
        #expect(pong.masked)
        #expect(pong.data == ByteBuffer(string: "2026-11-21"))
        await client.close()
        await peer.stop()
    }

    @Test func fragmentedMessagesAndPingsBetweenTheirFramesAreRead() async throws {
        let peer = try await TestPeer.start()
        let client = try await Self.connect(peer, noUDP: true)
        var bytes = ByteBuffer()
        bytes.writePacket(Packet(opCode: OpCode(7), sender: 2, payload: ByteBuffer(string: "in three frames")))
        let first = bytes.readSlice(length: 4)!
        let second = bytes.readSlice(length: 6)!
        peer.sendFrame(WebSocketFrame(fin: false, opcode: .binary, data: first))
        peer.sendFrame(WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer(string: "between")))
        peer.sendFrame(WebSocketFrame(fin: false, opcode: .continuation, data: second))
        peer.sendFrame(WebSocketFrame(fin: true, opcode: .continuation, data: bytes))
        let pong = await peer.nextFrame(.pong)
        #expect(pong?.data == ByteBuffer(string: "between"))
        for await event in client.events {
            guard case .message(let packet) = event else { continue }
            #expect(packet.opCode == OpCode(7))
            #expect(packet.payload == ByteBuffer(string: "in three frames"))
            break
        }
        await client.close()
        await peer.stop()
    }

    @Test func serverFramingErrorClosesWith1002() async throws {
        let peer = try await TestPeer.start()
        let client = try await Self.connect(peer, noUDP: true)
        // RFC 6455 §5.1: a server must not mask its frames, and a client must close the connection if it does.
        var bytes = ByteBuffer()
        bytes.writePacket(Packet(opCode: OpCode(7), sender: 2, payload: ByteBuffer(string: "masked")))
        peer.sendFrame(WebSocketFrame(fin: true, opcode: .binary, maskKey: [1, 2, 3, 4], data: bytes))
        let close = try #require(await peer.nextFrame(.connectionClose))
        #expect(close.data.getInteger(at: close.data.readerIndex, as: UInt16.self) == 1002)
        var last: ClientEvent?
        for await event in client.events {
            if case .message = event { Issue.record("a masked frame was delivered") }
            last = event
        }
        guard case .disconnected(let reason, _) = last else {
            Issue.record("no disconnect: \(String(describing: last))")
            return
        }
        #expect(reason.contains("masked server frame"), "\(reason)")
        await peer.stop()
    }

    @Test func slowConsumerPausesReadingWithoutLosingReliableMessages() async throws {
        let peer = try await TestPeer.start()
        let client = try await Self.connect(peer, noUDP: true, buffer: 16)
        let total = 3000
        for index in 0..<total {
            peer.sendReliable(Packet(opCode: OpCode(1), sender: 1, payload: ByteBuffer(integer: UInt32(index))))
        }
        try await Task.sleep(for: .milliseconds(200))
        var count = 0
        for await event in client.events {
            guard case .message(let packet) = event else { continue }
            #expect(packet.payload.getInteger(at: packet.payload.readerIndex, as: UInt32.self) == UInt32(count))
            count += 1
            if count == total { break }
        }
        #expect(count == total)
        await client.close()
        await peer.stop()
    }

    @Test func noUDPKeepsEverythingOnTheWebSocket() async throws {
        let peer = try await TestPeer.start()
        let client = try await Self.connect(peer, noUDP: true)
        try await client.send(opCode: OpCode(10), payload: ByteBuffer(string: "x"), targetGroup: -1)
        try await client.requestGroupMembership(4)
        #expect(await peer.nextReliable()?.opCode == OpCode(10))
        #expect(await peer.nextReliable()?.message == .requestGroupMembership(group: 4))
        #expect(await peer.nextFast(within: .milliseconds(300)) == nil)
        await client.close()
        await peer.stop()
    }

    @Test func oversizedPayloadIsRejectedBeforeSending() async throws {
        let peer = try await TestPeer.start()
        let client = try await Self.connect(peer, noUDP: true)
        await #expect(throws: RealtimeClientError(.payloadTooLarge, "")) {
            try await client.send(opCode: OpCode(1), payload: ByteBuffer(repeating: 0, count: 4097), reliable: true)
        }
        try await client.send(opCode: OpCode(2), payload: ByteBuffer(repeating: 0, count: 4096), reliable: true)
        #expect(await peer.nextReliable()?.opCode == OpCode(2))
        await client.close()
        await peer.stop()
    }

    @Test func closeSendsCloseFrame1000AndEndsTheEvents() async throws {
        let peer = try await TestPeer.start()
        let client = try await Self.connect(peer, noUDP: true)
        try await client.send(opCode: OpCode(1), payload: ByteBuffer(string: "last"), reliable: true)
        try await client.flush()
        #expect(await peer.nextReliable()?.payload == ByteBuffer(string: "last"))
        await client.close()
        let close = try #require(await peer.nextFrame(.connectionClose))
        #expect(close.masked)
        #expect(close.data.getInteger(at: close.data.readerIndex, as: UInt16.self) == 1000)
        var events: [ClientEvent] = []
        for await event in client.events { events.append(event) }
        #expect(events.first == .connected(peerId: 3, fastPort: peer.udpPort))
        #expect(events.last == .disconnected(reason: "closed by client", code: 1000))
        await #expect(throws: RealtimeClientError(.closed, "")) {
            try await client.send(opCode: OpCode(1), reliable: true)
        }
        await peer.stop()
    }

    @Test func serverCloseFrameBecomesDisconnected() async throws {
        let peer = try await TestPeer.start()
        let client = try await Self.connect(peer, noUDP: true)
        peer.close(code: 1001, reason: "server shutting down")
        var last: ClientEvent?
        for await event in client.events { last = event }
        #expect(last == .disconnected(reason: "server shutting down", code: 1001))
        await peer.stop()
    }

    @Test func refusedLoginThrowsWithTheCloseReason() async throws {
        let peer = try await TestPeer.start()
        let endpoint = Endpoint(host: "127.0.0.1", port: peer.tcpPort)
        async let connecting = RealtimeClient.connect(to: endpoint, options: Self.options())
        _ = try #require(await peer.nextReliable())
        peer.sendReliable(Packet(opCode: .loginResponse, reliable: true, message: .loginResult(LoginResult())))
        peer.close(code: 1008, reason: "game session full")
        do {
            _ = try await connecting
            Issue.record("the login should have been refused")
        } catch let error as RealtimeClientError {
            #expect(error.code == .loginRefused)
            #expect(error.code.isConnectFailure)
            #expect(error.closeCode == 1008)
            #expect("\(error)".contains("game session full"))
        }
        await peer.stop()
    }

    @Test func refusedUpgradeAndClosedPortFailClearly() async throws {
        let peer = try await TestPeer.start(acceptUpgrade: false)
        let endpoint = Endpoint(host: "127.0.0.1", port: peer.tcpPort)
        await #expect(throws: RealtimeClientError(.upgradeRefused, "")) {
            _ = try await RealtimeClient.connect(to: endpoint, options: Self.options())
        }
        await peer.stop()
        // Usually refused at once (connectionFailed); in a parallel test run another listener may take the port.
        do {
            _ = try await RealtimeClient.connect(to: endpoint, options: Self.options(timeout: .seconds(2)))
            Issue.record("connecting to a closed port should fail")
        } catch let error as RealtimeClientError {
            #expect(error.code.isConnectFailure)
        }
        do {
            _ = try await RealtimeClient.connect(to: Endpoint(parsing: "wss://127.0.0.1:1"), options: Self.options())
            Issue.record("connecting to a closed port with wss:// should fail")
        } catch let error as RealtimeClientError {
            #expect(error.code.isConnectFailure)
        }
    }

    @Test func silentServerTimesOut() async throws {
        let peer = try await TestPeer.start()
        let endpoint = Endpoint(host: "127.0.0.1", port: peer.tcpPort)
        // The peer accepts but never answers the upgrade: the 300 ms connect timeout, not a hang, ends the attempt.
        await #expect(throws: RealtimeClientError(.connectTimeout, "")) {
            _ = try await RealtimeClient.connect(to: endpoint, options: Self.options(timeout: .milliseconds(300)))
        }
        await peer.stop()
    }
}
