import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RealtimeClient
import RealtimeProtocol
import RealtimeSecurity
import RealtimeServer
import RealtimeSession
import Testing

/// Secure mode end to end on loopback: a server with wss and DTLS, certificates made by the test, and the rtctl
/// client (or a raw DTLS peer driven by the test).
@Suite("Secure mode: wss + DTLS")
struct SecureModeTests {
    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Runs a secure server on 127.0.0.1 whose certificate names `hosts`; `body` gets its endpoint (wss://) and the
    /// issued files.
    static func withSecureServer(
        hosts: [String] = ["127.0.0.1"],
        _ body: (Endpoint, CertificateIssuer.Issued) async throws -> Void
    ) async throws {
        let issued = try CertificateIssuer.issue(hosts: hosts, days: 1)
        let identity = try ServerIdentity(certificatesPEM: issued.serverChainPEM, privateKeyPEM: issued.serverKeyPEM)
        try await ClientServerTests.withServer(
            configure: { $0.tls = identity },
            { endpoint, _ in try await body(endpoint, issued) }
        )
    }

    static func connect(
        _ endpoint: Endpoint,
        _ name: String,
        tls: ClientTLS,
        noUDP: Bool = false
    ) async throws -> RealtimeClient {
        try await RealtimeClient.connect(
            to: endpoint,
            options: ClientOptions(
                playerSessionId: name,
                noUDP: noUDP,
                logger: quiet,
                connectTimeout: .seconds(10),
                tls: tls
            )
        )
    }

    /// The next message event (with this op code, when given), skipping other events.
    static func message(from events: inout ClientEvents.AsyncIterator, opCode: Int32? = nil) async -> Packet? {
        while let event = await events.next() {
            if case .message(let packet) = event, opCode.map({ packet.opCode == OpCode($0) }) ?? true { return packet }
        }
        return nil
    }

    @Test("fast messages travel over DTLS once verifyIdentity was answered; reliable ones over wss")
    func endToEnd() async throws {
        try await Self.withSecureServer { endpoint, issued in
            let tls = ClientTLS(trustedPEM: issued.caCertificatePEM)
            let alice = try await Self.connect(endpoint, "alice", tls: tls)
            let bob = try await Self.connect(endpoint, "bob", tls: tls)
            var aliceEvents = alice.events.makeAsyncIterator()
            var bobEvents = bob.events.makeAsyncIterator()
            #expect(await aliceEvents.next() == .connected(peerId: alice.peerId, fastPort: alice.fastPort))
            #expect(await aliceEvents.next() == .fastReady)
            #expect(await bobEvents.next() == .connected(peerId: bob.peerId, fastPort: bob.fastPort))
            #expect(await bobEvents.next() == .fastReady)

            // Fast is up on both sides as soon as -15 arrived: the message goes over DTLS, not the WebSocket.
            try await alice.send(opCode: OpCode(10), payload: ByteBuffer(string: "fast"), targetPlayer: bob.peerId)
            let fast = try #require(await Self.message(from: &bobEvents))
            #expect(String(buffer: fast.payload) == "fast")
            #expect(fast.sender == alice.peerId)
            #expect(!fast.reliable)

            try await bob.send(opCode: OpCode(11), payload: ByteBuffer(string: "to all"), targetGroup: -1)
            let group = try #require(await Self.message(from: &aliceEvents))
            #expect(String(buffer: group.payload) == "to all")
            #expect(!group.reliable)

            try await alice.send(
                opCode: OpCode(12),
                payload: ByteBuffer(string: "sure"),
                targetPlayer: bob.peerId,
                reliable: true
            )
            let reliable = try #require(await Self.message(from: &bobEvents, opCode: 12))
            #expect(String(buffer: reliable.payload) == "sure")
            #expect(reliable.reliable)

            // Groups requests use the fast intent, so they travel over DTLS too.
            try await bob.joinGroup(5)
            try await bob.requestGroupMembership(5)
            var membership: [Int32]?
            while membership == nil, let event = await bobEvents.next() {
                if case .groupMembership(5, let players) = event { membership = players }
            }
            #expect(membership == [bob.peerId])
            await alice.close()
            await bob.close()
        }
    }

    @Test("many players from one address all get their DTLS fast channel (verifyIdentity is sent only once)")
    func manyPlayersFromOneAddress() async throws {
        try await Self.withSecureServer { endpoint, issued in
            let tls = ClientTLS(trustedPEM: issued.caCertificatePEM)
            let ready = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<30 {
                    group.addTask {
                        let client = try await Self.connect(endpoint, "player-\(index)", tls: tls)
                        var events = client.events.makeAsyncIterator()
                        _ = await events.next()
                        let fast = await events.next() == .fastReady
                        await client.close()
                        return fast
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(ready == 30)
        }
    }

    @Test("a certificate that does not name the host is refused; --tls-insecure connects anyway")
    func wrongHostName() async throws {
        try await Self.withSecureServer(hosts: ["game.example"]) { endpoint, issued in
            do {
                _ = try await Self.connect(endpoint, "alice", tls: ClientTLS(trustedPEM: issued.caCertificatePEM))
                Issue.record("connected to a server whose certificate names another host")
            } catch let error as RealtimeClientError {
                #expect(error.code == .tlsFailed)
                #expect("\(error)".contains("does not name 127.0.0.1"))
            }
            // An untrusted CA is refused the same way.
            let other = try CertificateIssuer.issue(hosts: ["127.0.0.1"], days: 1)
            await #expect(throws: RealtimeClientError(.tlsFailed, "")) {
                _ = try await Self.connect(endpoint, "alice", tls: ClientTLS(trustedPEM: other.caCertificatePEM))
            }
            let insecure = try await Self.connect(endpoint, "carol", tls: ClientTLS(insecure: true))
            var events = insecure.events.makeAsyncIterator()
            #expect(await events.next() == .connected(peerId: insecure.peerId, fastPort: insecure.fastPort))
            #expect(await events.next() == .fastReady)
            await insecure.close()
        }
    }

    @Test("plain ws:// is refused by a secure server")
    func plainWebSocketRefused() async throws {
        try await Self.withSecureServer { endpoint, _ in
            var plain = endpoint
            plain.secure = false
            do {
                _ = try await RealtimeClient.connect(
                    to: plain,
                    options: ClientOptions(playerSessionId: "plain", logger: Self.quiet, connectTimeout: .seconds(5))
                )
                Issue.record("a plain WebSocket logged in to a secure server")
            } catch let error as RealtimeClientError {
                #expect(error.code.isConnectFailure)
            }
        }
    }

    @Test("plain UDP is refused; a wrong token gets success:false; stray ClientHellos and garbage do no harm")
    func rawDatagrams() async throws {
        try await Self.withSecureServer { endpoint, issued in
            let tls = ClientTLS(trustedPEM: issued.caCertificatePEM)
            // Alice stays on the WebSocket: the raw peer below claims her peer id.
            let alice = try await Self.connect(endpoint, "alice", tls: tls, noUDP: true)
            let bob = try await Self.connect(endpoint, "bob", tls: tls)
            var bobEvents = bob.events.makeAsyncIterator()
            _ = await bobEvents.next()
            #expect(await bobEvents.next() == .fastReady)
            let server = try SocketAddress(ipAddress: "127.0.0.1", port: bob.fastPort)

            // A plain -5 is no DTLS: never answered.
            let plain = try await RawUDP.open()
            var connect = ByteBuffer()
            connect.writePacket(
                Packet(opCode: .udpConnect, targetPlayer: -1, sender: alice.peerId, message: .udpConnect)
            )
            plain.send(connect, to: server)

            // A raw DTLS peer: handshake (with the cookie exchange), then a stray ClientHello and garbage.
            let raw = try await RawUDP.open()
            let dtls = try DTLSSession(
                client: DTLSContext.client(trustedPEM: issued.caCertificatePEM),
                expectedHost: "127.0.0.1",
                allocator: ByteBufferAllocator()
            )
            let hello = try #require(dtls.start().datagram)
            var outgoing: ByteBuffer? = hello
            // UDP may lose a datagram on a busy machine: like any DTLS client, retransmit when the timer runs out.
            for _ in 0..<60 where !dtls.isEstablished && !dtls.isClosed {
                if let datagram = outgoing { raw.send(datagram, to: server) }
                if let reply = await raw.next(within: .seconds(1)) {
                    outgoing = dtls.receive(reply).datagram
                } else {
                    outgoing = dtls.retransmit().datagram
                }
            }
            #expect(dtls.isEstablished)
            if let last = outgoing { raw.send(last, to: server) }
            raw.send(hello, to: server)
            var garbage = ByteBuffer()
            for _ in 0..<200 { garbage.writeInteger(UInt8.random(in: 0...255)) }
            raw.send(garbage, to: server)
            plain.send(garbage, to: server)

            // verifyIdentity with a wrong token: -15 {success:false} over DTLS, and nothing is bound.
            var command = ByteBuffer()
            command.writePacket(
                Packet(
                    opCode: .verifyIdentity,
                    targetPlayer: -1,
                    sender: alice.peerId,
                    message: .verifyIdentity(VerifyIdentityCommand(peerId: alice.peerId, connectToken: "wrong"))
                )
            )
            var answer: Packet?
            for _ in 0..<30 where answer == nil {
                // Sent again (a new record) only if the answer was lost: the SDK would not repeat it.
                raw.send(try #require(dtls.seal(command)), to: server)
                while answer == nil, let datagram = await raw.next(within: .seconds(1)) {
                    for var plaintext in dtls.receive(datagram).plaintexts {
                        answer = try plaintext.readOnlyPacket(maxLength: 2048)
                    }
                }
            }
            let result = try #require(answer)
            #expect(result.opCode == .verifyIdentityResponse)
            #expect(result.message == .verifyIdentityResult(VerifyIdentityResult(success: false, peerId: alice.peerId)))

            // Alice still gets Bob's fast messages, over her WebSocket; nothing reached the plain socket.
            var aliceEvents = alice.events.makeAsyncIterator()
            _ = await aliceEvents.next()
            try await bob.send(opCode: OpCode(20), payload: ByteBuffer(string: "x"), targetPlayer: alice.peerId)
            let delivered = try #require(await Self.message(from: &aliceEvents))
            #expect(delivered.reliable)
            #expect(await plain.next(within: .milliseconds(200)) == nil)

            // And Bob's own DTLS channel was not disturbed by any of it.
            try await alice.send(opCode: OpCode(21), payload: ByteBuffer(string: "y"), targetPlayer: bob.peerId)
            let toBob = try #require(await Self.message(from: &bobEvents))
            #expect(String(buffer: toBob.payload) == "y")
            await plain.close()
            await raw.close()
            await alice.close()
            await bob.close()
        }
    }
}

/// A bare UDP socket on 127.0.0.1 that keeps every datagram it receives.
final class RawUDP: Sendable {
    private let channel: any Channel
    private let received: NIOLockedValueBox<[ByteBuffer]>

    private init(channel: any Channel, received: NIOLockedValueBox<[ByteBuffer]>) {
        self.channel = channel
        self.received = received
    }

    static func open() async throws -> RawUDP {
        let received = NIOLockedValueBox<[ByteBuffer]>([])
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(received: received))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return RawUDP(channel: channel, received: received)
    }

    func send(_ datagram: ByteBuffer, to address: SocketAddress) {
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: datagram), promise: nil)
    }

    /// The oldest datagram not taken yet; nil when none came within `limit`.
    func next(within limit: Duration = .seconds(10)) async -> ByteBuffer? {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            let first = received.withLockedValue { $0.isEmpty ? nil : $0.removeFirst() }
            if let first { return first }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return nil
    }

    func close() async {
        try? await channel.close()
    }

    private final class Collector: ChannelInboundHandler {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let received: NIOLockedValueBox<[ByteBuffer]>

        init(received: NIOLockedValueBox<[ByteBuffer]>) {
            self.received = received
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let datagram = Self.unwrapInboundIn(data).data
            received.withLockedValue { $0.append(datagram) }
        }
    }
}
