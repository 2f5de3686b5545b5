import NIOCore
import NIOWebSocket
import RealtimeProtocol
import RealtimeServer
import Testing

/// Bad input from one client: the client observes the documented outcome, and another player is not disturbed.
@Suite("Malformed input")
struct MalformedInputTests {
    /// A WebSocket message that is not exactly one well-formed packet (PROTOCOL.md §12).
    static let badMessages: [(String, [UInt8])] = [
        ("garbage", [0xDE, 0xAD, 0xBE, 0xEF, 0x01]),
        ("a truncated length varint", [0x80]),
        ("a huge length prefix", [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x08, 0x02]),
        ("a length prefix longer than the message", [0x05, 0x08, 0x02]),
        ("trailing bytes after the packet", [0x02, 0x08, 0x14, 0x02, 0x08, 0x14]),
        ("an empty message", []),
        ("an invalid wire type", [0x02, 0x0B, 0x00]),
        ("a truncated field varint", [0x02, 0x08, 0x80]),
    ]

    @Test("a message that is not one well-formed packet closes with 1002", arguments: 0..<badMessages.count)
    func malformedMessage(index: Int) async throws {
        let (_, bytes) = Self.badMessages[index]
        let server = try await RunningServer.start()
        defer { server.task.cancel() }
        let victim = try await server.login()
        let bystander = try await server.login()
        try await victim.ws.sendBytes(bytes)
        let close = try await victim.ws.expectClose()
        #expect(close.code == 1002)
        #expect(close.before.isEmpty)
        try await victim.ws.waitClosed()
        try await bystander.roundTrip()
        try await server.stop()
    }

    @Test("the same bad bytes before login also close with 1002")
    func malformedBeforeLogin() async throws {
        let server = try await RunningServer.start()
        defer { server.task.cancel() }
        let bystander = try await server.login()
        let client = try await server.connect()
        try await client.sendBytes([0x80])
        #expect(try await client.expectClose().code == 1002)
        try await bystander.roundTrip()
        try await server.stop()
    }

    @Test("a text frame closes with 1003")
    func textFrame() async throws {
        let server = try await RunningServer.start()
        defer { server.task.cancel() }
        let victim = try await server.login()
        let bystander = try await server.login()
        try await victim.ws.send(.text, ByteBuffer(string: "{\"opCode\": 1}"))
        #expect(try await victim.ws.expectClose().code == 1003)
        try await bystander.roundTrip()
        try await server.stop()
    }

    @Test("a frame over 64 KiB closes with 1009")
    func oversizeFrame() async throws {
        let server = try await RunningServer.start()
        defer { server.task.cancel() }
        let victim = try await server.login()
        let bystander = try await server.login()
        try await victim.ws.send(.binary, ByteBuffer(repeating: 0x08, count: RealtimeConstants.maxFrameSize + 1))
        #expect(try await victim.ws.expectClose().code == 1009)
        try await bystander.roundTrip()
        try await server.stop()
    }

    @Test("a fragmented message over 64 KiB closes with 1009")
    func oversizeFragmentedMessage() async throws {
        let server = try await RunningServer.start()
        defer { server.task.cancel() }
        let victim = try await server.login()
        let bystander = try await server.login()
        let half = ByteBuffer(repeating: 0x08, count: RealtimeConstants.maxFrameSize / 2 + 1)
        try await victim.ws.send(.binary, half, fin: false)
        try await victim.ws.send(.continuation, half, fin: true)
        #expect(try await victim.ws.expectClose().code == 1009)
        try await bystander.roundTrip()
        try await server.stop()
    }

    @Test("a fragmented message within the limit is aggregated into one packet")
    func fragmentedMessage() async throws {
        let server = try await RunningServer.start()
        defer { server.task.cancel() }
        let sender = try await server.login()
        let receiver = try await server.login()
        var bytes = ByteBuffer()
        bytes.writePacket(message(50, to: receiver.peerId, String(repeating: "x", count: 3000)))
        let first = bytes.readSlice(length: 1000)!
        let second = bytes.readSlice(length: 1000)!
        try await sender.ws.send(.binary, first, fin: false)
        try await sender.ws.send(.continuation, second, fin: false)
        try await sender.ws.send(.continuation, bytes, fin: true)
        let packet = try await receiver.nextReliable()
        #expect(packet.opCode == OpCode(50))
        #expect(packet.payload.readableBytes == 3000)
        try await sender.roundTrip()
        try await server.stop()
    }

    @Test("a payload over 4096 bytes is dropped and the connection kept")
    func oversizePayload() async throws {
        let server = try await RunningServer.start()
        defer { server.task.cancel() }
        let sender = try await server.login()
        let receiver = try await server.login()
        try await sender.sendReliable(message(51, to: receiver.peerId, String(repeating: "y", count: 4097)))
        try await sender.sendReliable(message(52, to: receiver.peerId, "small"))
        // The first thing the receiver gets is the small message: the large one was dropped.
        #expect(try await receiver.nextReliable().opCode == OpCode(52))
        try await sender.roundTrip()
        try await server.stop()
    }

    @Test("over UDP: a payload over 1200 bytes, an oversized datagram and garbage are dropped")
    func badDatagrams() async throws {
        let server = try await RunningServer.start()
        defer { server.task.cancel() }
        let sender = try await server.login()
        let receiver = try await server.login()
        try await sender.associateUDP()
        try await receiver.associateUDP()
        try await sender.sendFast(message(53, to: receiver.peerId, String(repeating: "z", count: 1201)))
        try await sender.udp!.sendBytes(ByteBuffer(repeating: 0x08, count: 3000))
        try await sender.udp!.sendBytes(ByteBuffer(bytes: [0xFF, 0xFF, 0xFF]))
        try await sender.udp!.sendBytes(ByteBuffer())
        try await sender.sendFast(message(54, to: receiver.peerId, "small"))
        #expect(try await receiver.nextFast().opCode == OpCode(54))
        try await sender.roundTrip()
        #expect(sender.udp!.datagrams.isEmpty)
        try await server.stop()
    }

    @Test("a forged sender on the WebSocket is replaced by the connection's peer id")
    func forgedSenderOnWebSocket() async throws {
        let server = try await RunningServer.start()
        defer { server.task.cancel() }
        let p1 = try await server.login()
        let p2 = try await server.login()
        try await p1.ws.send(Packet(opCode: OpCode(55), targetPlayer: p2.peerId, sender: p2.peerId))
        let packet = try await p2.nextReliable()
        #expect(packet.sender == p1.peerId)
        try await server.stop()
    }

    @Test("UDP from a stranger is dropped and never answered; a forged sender over UDP is dropped")
    func strangerDatagrams() async throws {
        let server = try await RunningServer.start()
        defer { server.task.cancel() }
        let p1 = try await server.login()
        let p2 = try await server.login()
        try await p1.associateUDP()
        try await p2.associateUDP()
        let stranger = try await server.openUDP()
        // Claims to be player 1, from an address no player is associated with.
        try await stranger.send(Packet(opCode: OpCode(56), sequenceNumber: 100, targetPlayer: 2, sender: p1.peerId))
        try await stranger.send(
            Packet(opCode: .requestGroupMembership, sender: p1.peerId, message: .requestGroupMembership(group: -1))
        )
        try await stranger.sendBytes(ByteBuffer(bytes: [0x01]))
        // Player 2's own socket claims to be player 1.
        try await p2.sendFast(message(57, to: p2.peerId, "forged"), sender: p1.peerId)
        // Sentinels: player 1's next message reaches player 2 first, and the stranger's first datagram is its own.
        try await p1.sendFast(message(58, to: p2.peerId, "sentinel"))
        #expect(try await p2.nextFast().opCode == OpCode(58))
        try await stranger.sendBytes(ByteBuffer(string: "self"), to: stranger.localAddress)
        let first = try await stranger.datagrams.next()
        #expect(String(buffer: first.data) == "self")
        try await p1.roundTrip()
        try await p2.roundTrip()
        await stranger.close()
        try await server.stop()
    }

    @Test("a stale or repeated sequence number is dropped")
    func staleSequence() async throws {
        let server = try await RunningServer.start()
        defer { server.task.cancel() }
        let sender = try await server.login()
        let receiver = try await server.login()
        try await sender.associateUDP()
        try await receiver.associateUDP()
        try await sender.sendFast(message(60, to: receiver.peerId, "a"), sequenceNumber: 10)
        try await sender.sendFast(message(60, to: receiver.peerId, "repeated"), sequenceNumber: 10)
        try await sender.sendFast(message(60, to: receiver.peerId, "stale"), sequenceNumber: 5)
        try await sender.sendFast(message(60, to: receiver.peerId, "b"), sequenceNumber: 11)
        #expect(String(buffer: try await receiver.nextFast().payload) == "a")
        #expect(String(buffer: try await receiver.nextFast().payload) == "b")
        try await server.stop()
    }

    @Test("a packet before login closes with 1008; a second login closes with 1002")
    func loginOrder() async throws {
        let server = try await RunningServer.start()
        defer { server.task.cancel() }
        let bystander = try await server.login()
        let early = try await server.connect()
        try await early.send(message(61, to: 1, "too early"))
        let close = try await early.expectClose()
        #expect(close.code == 1008)
        #expect(close.reason == "not logged in")

        let twice = try await server.login()
        try await twice.ws.send(loginPacket("again"))
        #expect(try await twice.ws.expectClose().code == 1002)
        try await bystander.roundTrip()
        #expect(try await bystander.members(of: -1) == [bystander.peerId])
        try await server.stop()
    }
}
