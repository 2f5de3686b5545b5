import MetricsTestKit
import NIOCore
import NIOPosix
import NIOWebSocket
import RealtimeProtocol
import RealtimeServer
import RealtimeSession
import RealtimeTestSupport
import Testing

/// What an attacker or a flaky network does to a running server, over real sockets: each test fails on a server that
/// lets it through.
@Suite("Abuse: hijacks, floods, idle connections")
struct AbuseTests {
    @Test("a forged -5 from another port of the victim's IP binds nothing; the victim keeps its fast channel")
    func udpHijackIsRefused() async throws {
        let server = try await RunningServer.start()
        defer { server.task.cancel() }
        let victim = try await server.login("victim")
        let other = try await server.login("other")
        try await victim.associateUDP()
        try await other.associateUDP()
        let attacker = try await server.openUDP()
        for sequence in [Int32.max - 2, Int32.max - 1] {
            try await attacker.send(
                Packet(opCode: .udpConnect, sequenceNumber: sequence, targetPlayer: -1, sender: victim.peerId)
            )
        }
        // The attacker cannot send as the victim…
        try await attacker.send(
            Packet(opCode: OpCode(9), sequenceNumber: .max, targetPlayer: other.peerId, sender: victim.peerId)
        )
        // …nor receive what is sent to the victim, and the victim's own small sequence numbers still pass.
        try await other.sendFast(message(10, to: victim.peerId, "for the victim"))
        let received = try await victim.nextFast()
        #expect(received.opCode == OpCode(10) && String(buffer: received.payload) == "for the victim")
        try await victim.sendFast(message(11, to: other.peerId, "from the victim"))
        let fromVictim = try await other.nextFast()
        #expect(fromVictim.opCode == OpCode(11) && fromVictim.sender == victim.peerId)
        #expect(attacker.datagrams.drain().isEmpty, "the attacker got a datagram")
        await attacker.close()
        try await server.stop()
    }

    @Test("a player over its WebSocket rate limit is slowed down to it, others lose nothing; staying over it: 1008")
    func reliableRateLimit() async throws {
        let server = try await RunningServer.start {
            $0.reliableRateLimit = RateLimit(perSecond: 50, burst: 50, kickAfter: .seconds(1))
        }
        defer { server.task.cancel() }
        let flooder = try await server.login("flooder")
        let quiet = try await server.login("quiet")
        let listener = try await server.login("listener")
        var sent = 0
        var closed: (code: UInt16?, reason: String)?
        let start = ContinuousClock.now
        while closed == nil {
            // Writes fail once the server has closed the flooder.
            for _ in 0..<200 { try? await flooder.sendReliable(message(20, to: listener.peerId, "flood")) }
            sent += 200
            try await quiet.sendReliable(message(21, to: listener.peerId, "important \(sent)"))
            if let frame = flooder.ws.frames.drain().first(where: { $0.opcode == .connectionClose }) {
                var data = frame.unmaskedData
                closed = (data.readInteger(as: UInt16.self), data.readString(length: data.readableBytes) ?? "")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(closed?.code == 1008 && closed?.reason == "rate limit exceeded")
        let seconds = Double((ContinuousClock.now - start).components.seconds) + 1
        // Everything the quiet player sent arrived, in order; of the flood, at most the bucket's worth per second did.
        var important: [String] = []
        var flood = 0
        while important.count < sent / 200 {
            let packet = try await listener.nextReliable()
            if packet.opCode == OpCode(21) { important.append(String(buffer: packet.payload)) } else { flood += 1 }
        }
        #expect(important == stride(from: 200, through: sent, by: 200).map { "important \($0)" })
        // Of the flood, at most the burst and the rate over the time it took passed (the rest waited unread).
        #expect(Double(flood) <= 50 + 50 * seconds, "\(flood) of \(sent) flood messages in \(seconds) s were delivered")
        try await quiet.roundTrip()
        try await server.stop()
    }

    @Test("reliable messages over the rate limit wait, in order, and none is lost, not even behind a close frame")
    func reliableRateLimitLosesNothing() async throws {
        let server = try await RunningServer.start {
            $0.reliableRateLimit = RateLimit(perSecond: 200, burst: 20, kickAfter: .seconds(30))
        }
        defer { server.task.cancel() }
        let sender = try await server.login("sender")
        let receiver = try await server.login("receiver")
        for index in 0..<300 { try await sender.sendReliable(message(40, to: receiver.peerId, "\(index)")) }
        try await sender.ws.close()
        var received: [String] = []
        while received.count < 300 { received.append(String(buffer: try await receiver.nextReliable().payload)) }
        #expect(received == (0..<300).map { "\($0)" })
        let close = try await sender.ws.expectClose()
        #expect(close.code == 1000)
        try await server.stop()
    }

    @Test("a player over its UDP rate limit loses the excess; far over it for long it is disconnected")
    func fastRateLimit() async throws {
        let server = try await RunningServer.start {
            $0.session.fastRateLimit = RateLimit(perSecond: 50, burst: 50, kickAfter: .seconds(1))
        }
        defer { server.task.cancel() }
        let flooder = try await server.login("flooder")
        let listener = try await server.login("listener")
        try await flooder.associateUDP()
        try await listener.associateUDP()
        var closed = false
        while !closed {
            for _ in 0..<200 { try await flooder.sendFast(message(20, to: listener.peerId, "flood")) }
            try await Task.sleep(for: .milliseconds(20))
            closed = flooder.ws.frames.drain().contains { $0.opcode == .connectionClose }
        }
        #expect(try await listener.members(of: -1) == [listener.peerId])
        try await server.stop()
    }

    @Test(
        "a player flooding its own socket: each datagram over the limit is counted, the rest arrive; back under it, all do"
    )
    func fastFloodOnOwnSocket() async throws {
        let metrics = TestMetrics()
        let server = try await RunningServer.start(metrics: metrics) {
            $0.session.fastRateLimit = RateLimit(perSecond: 50, burst: 50, kickAfter: nil)
        }
        defer { server.task.cancel() }
        let (a, b) = try await boundPair(server)
        let port = try #require(a.udp?.channel.localAddress?.port)
        try await a.sendFast(message(12, to: b.peerId, "hello"))
        #expect(String(buffer: try await b.nextFast().payload) == "hello")
        try await eventually("a socket of its own for the flooding player") {
            connectedUDPPeers(ofLocalPort: server.address.udpPort).contains(port)
        }
        // Far over the limit on its own socket, then within it: every datagram of the flood either arrives or is
        // counted as dropped, and every message after it arrives. The flood goes in chunks, each handled by the
        // server before the next: a slow machine must not let the kernel drop any in a full socket buffer.
        func rateLimited() throws -> Int {
            Int(try metrics.expectCounter("rtctl_dropped_total", [("reason", "rateLimited")]).totalValue)
        }
        var sent = 0
        var floodArrived = 0
        for _ in 0..<10 {
            for _ in 0..<100 {
                try await a.sendFast(message(12, to: b.peerId, "flood \(sent)"))
                sent += 1
            }
            try await eventually("each datagram of the flood so far arrived or counted") {
                floodArrived += b.udp!.datagrams.drain().count
                return try floodArrived + rateLimited() == sent
            }
        }
        #expect(floodArrived > 0 && floodArrived < sent, "\(floodArrived) of \(sent) arrived")
        for index in 0..<5 {
            try await Task.sleep(for: .milliseconds(100))
            try await a.sendFast(message(12, to: b.peerId, "after \(index)"))
            let datagram = try await b.udp!.datagrams.next()
            var bytes = datagram.data
            let packet = try bytes.readOnlyPacket(maxLength: RealtimeConstants.maxDatagramSize)
            #expect(String(buffer: packet.payload) == "after \(index)")
        }
        #expect(try floodArrived + rateLimited() == sent)
        try await server.stop()
    }

    @Test("garbage, forged senders and -5s from other addresses are dropped; players are not disturbed")
    func unauthenticatedFlood() async throws {
        let server = try await RunningServer.start {
            // The flood is about cost, not about moving a silent association (see the hijack tests).
            $0.session.udpRebindAfterSilence = .seconds(3600)
        }
        defer { server.task.cancel() }
        let (a, b) = try await boundPair(server)
        // From another IP address (refused before decoding) and from the players' own address (decoded, limited).
        let strangers = [try await server.openUDP(from: "127.0.0.2"), try await server.openUDP()]
        var random = SystemRandomNumberGenerator()
        for index in 0..<3000 {
            let stranger = strangers[index % 2]
            switch index % 3 {
            case 0:
                let bytes = (0..<Int.random(in: 1...64, using: &random)).map { _ in UInt8.random(in: 0...255) }
                try await stranger.sendBytes(ByteBuffer(bytes: bytes))
            case 1:
                try await stranger.send(message(10, to: b.peerId, "forged").withSender(a.peerId, sequence: 1_000))
            default:
                try await stranger.send(Packet(opCode: .udpConnect, sequenceNumber: Int32(index), sender: a.peerId))
            }
        }
        for round in 0..<20 {
            try await a.sendFast(message(12, to: b.peerId, "round \(round)"))
            #expect(String(buffer: try await b.nextFast().payload) == "round \(round)")
        }
        for stranger in strangers {
            #expect(stranger.datagrams.drain().isEmpty)
            await stranger.close()
        }
        try await server.stop()
    }

    @Test("a flood that overflows the shared UDP socket never reaches a player's queue: each has a socket of its own")
    func floodSparesPlayersQueues() async throws {
        let server = try await RunningServer.start {
            // The smallest receive buffer the kernel allows: a handful of datagrams, which a flood keeps full.
            $0.udpReceiveBuffer = 1
            $0.session.udpRebindAfterSilence = .seconds(3600)
        }
        defer { server.task.cancel() }
        let (a, b) = try await boundPair(server)
        // A player's own socket opens at its first game message (an idle player has none).
        let ports = [a, b].compactMap { $0.udp?.channel.localAddress?.port }
        #expect(connectedUDPPeers(ofLocalPort: server.address.udpPort).isDisjoint(with: ports))
        try await a.sendFast(message(12, to: b.peerId, "hello"))
        #expect(String(buffer: try await b.nextFast().payload) == "hello")
        try await b.sendFast(message(12, to: a.peerId, "hello"))
        #expect(String(buffer: try await a.nextFast().payload) == "hello")
        try await eventually("a connected socket on the fast port for each player") {
            connectedUDPPeers(ofLocalPort: server.address.udpPort).isSuperset(of: ports)
        }
        var forged = ByteBuffer()
        forged.writePacket(message(10, to: b.peerId, "forged").withSender(a.peerId, sequence: 1_000))
        let floods = [
            try DatagramFlood(port: server.address.udpPort, datagram: Array(forged.readableBytesView)),
            try DatagramFlood(
                port: server.address.udpPort,
                datagram: (0..<48).map { UInt8(truncatingIfNeeded: $0 &* 37) }
            ),
        ]
        // Each player datagram leaves in the middle of a burst that keeps the shared socket's queue full.
        for round in 0..<50 {
            for flood in floods { flood.burst(500) }
            let send = Task { try await a.sendFast(message(12, to: b.peerId, "round \(round)")) }
            for flood in floods { flood.burst(500) }
            try await send.value
            #expect(String(buffer: try await b.nextFast().payload) == "round \(round)")
        }
        try await server.stop()
        #expect(connectedUDPPeers(ofLocalPort: server.address.udpPort).isEmpty, "a player's socket outlived the server")
    }

    /// Players "a" and "b", logged in, with their fast channels bound.
    private func boundPair(_ server: RunningServer) async throws -> (TestPlayer, TestPlayer) {
        let a = try await server.login("a")
        let b = try await server.login("b")
        try await a.associateUDP()
        try await b.associateUDP()
        return (a, b)
    }

    @Test("a connection that does not log in is closed (1008 login timeout) even though it answers pings")
    func loginTimeout() async throws {
        let server = try await RunningServer.start {
            // Pings every second; silence is tolerated for 3 s, longer than the 2 s login deadline, so however slowly
            // the machine lets the client answer, the login deadline is what closes it.
            $0.loginTimeout = .seconds(2)
            $0.pingInterval = .seconds(1)
        }
        defer { server.task.cancel() }
        let idle = try await server.connect()
        // Alive as far as keep-alive goes: it pings the server itself, and answers the server's pings.
        try await idle.send(frame: WebSocketFrame(fin: true, opcode: .ping, maskKey: .random(), data: ByteBuffer()))
        let close = try await idle.expectClose()
        #expect(close.code == 1008 && close.reason == "login timeout")
        // A connection that never even upgrades is closed too.
        let raw = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: server.host, port: server.address.tcpPort).get()
        try await raw.closeFuture.get()
        try await server.stop()
    }

    @Test("2,000 idle connections: the oldest pending ones are closed and a real login still succeeds")
    func idleCrowd() async throws {
        let server = try await RunningServer.start {
            $0.session.maxPlayers = 32
            $0.maxPending = 256
        }
        defer { server.task.cancel() }
        var idle: [any Channel] = []
        for _ in 0..<2000 {
            idle.append(
                try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connect(host: server.host, port: server.address.tcpPort).get()
            )
        }
        let player = try await server.login("real")
        try await player.roundTrip()
        // The server kept at most --max-pending (256) of them open.
        try await Task.sleep(for: .milliseconds(200))
        var stillOpen = 0
        for channel in idle where channel.isActive { stillOpen += 1 }
        #expect(stillOpen <= 256 + 1, "\(stillOpen) idle connections still open")
        for channel in idle { try? await channel.close() }
        try await server.stop()
    }

    @Test("over --max-connections a new connection is closed at once; players are not")
    func connectionCap() async throws {
        let server = try await RunningServer.start { $0.maxConnections = 3 }
        defer { server.task.cancel() }
        let players = [try await server.login("a"), try await server.login("b"), try await server.login("c")]
        let extra = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: server.host, port: server.address.tcpPort).get()
        try await extra.closeFuture.get()
        for player in players { try await player.roundTrip() }
        await players[0].close()
        // A slot is free again once a connection ends.
        var replacement: TestPlayer?
        for _ in 0..<100 where replacement == nil {
            replacement = try? await server.login("d")
            if replacement == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        try await #require(replacement).roundTrip()
        try await server.stop()
    }

    @Test("a player whose oldest unsent reliable message is older than --max-lag is closed: 1008 too slow")
    func maxLag() async throws {
        let server = try await RunningServer.start {
            $0.maxReliableBacklog = 1 << 30
            $0.maxLag = .milliseconds(300)
            $0.reliableRateLimit = .off
        }
        defer { server.task.cancel() }
        let sender = try await server.login("sender")
        let slow = try await server.login("slow")
        try await slow.ws.channel.setOption(.autoRead, value: false).get()
        let payload = String(repeating: "s", count: RealtimeConstants.maxPayload)
        var gone = false
        for _ in 0..<200 where !gone {
            for _ in 0..<100 { try await sender.sendReliable(message(70, to: slow.peerId, payload)) }
            gone = try await sender.members(of: -1) == [sender.peerId]
            if !gone { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(gone, "the slow player was never closed")
        try await slow.ws.channel.setOption(.autoRead, value: true).get()
        var reason: String?
        while reason == nil, let frame = try? await slow.ws.frames.next() {
            guard frame.opcode == .connectionClose else { continue }
            var data = frame.unmaskedData
            #expect(data.readInteger(as: UInt16.self) == 1008)
            reason = data.readString(length: data.readableBytes)
        }
        if let reason { #expect(reason == "too slow") }
        try await sender.roundTrip()
        try await server.stop()
    }
}

extension Packet {
    func withSender(_ sender: Int32, sequence: Int32) -> Packet {
        var packet = self
        packet.sender = sender
        packet.sequenceNumber = sequence
        return packet
    }
}
