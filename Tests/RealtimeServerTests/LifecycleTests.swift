import Logging
import NIOCore
import NIOPosix
import RealtimeProtocol
import RealtimeServer
import RealtimeSession
import ServiceLifecycle
import Testing

@Suite("Logins, keep-alive and shutdown")
struct LifecycleTests {
    @Test("reserved mode: an unknown player session gets success:false, then 1008")
    func reservedMode() async throws {
        let server = try await RunningServer.start { $0.session.reservedPlayerSessionIds = ["alice", "bob"] }
        defer { server.task.cancel() }
        let alice = try await server.login("alice")

        let mallory = try await server.connect()
        try await mallory.send(loginPacket("mallory"))
        let refused = try await mallory.expectClose()
        #expect(refused.code == 1008)
        #expect(refused.reason == "player session not reserved")
        try #require(refused.before.count == 1)
        #expect(refused.before[0].opCode == .loginResponse)
        #expect(refused.before[0].message == .loginResult(LoginResult(success: false)))

        let bob = try await server.login("bob")
        #expect(bob.peerId == 2)
        try await alice.roundTrip()
        try await server.stop()
    }

    @Test("a full game session refuses the next login with success:false, then 1008")
    func fullSession() async throws {
        let server = try await RunningServer.start { $0.session.maxPlayers = 2 }
        defer { server.task.cancel() }
        let p1 = try await server.login()
        _ = try await server.login()
        let third = try await server.connect()
        try await third.send(loginPacket(""))
        let refused = try await third.expectClose()
        #expect(refused.code == 1008)
        #expect(refused.reason == "game session full")
        #expect(refused.before.map(\.message) == [.loginResult(LoginResult(success: false))])
        try await p1.roundTrip()
        try await server.stop()
    }

    @Test("a client that stops answering pings is closed with 1001 after three intervals; others stay")
    func keepAliveTimeout() async throws {
        // Long enough that the lively client's pongs arrive in time on a loaded machine (three intervals: 3 s).
        // No reconnect grace: the silent player leaves at once (ReconnectTests cover the grace).
        let server = try await RunningServer.start {
            $0.pingInterval = .seconds(1)
            $0.session.reconnectGrace = .zero
        }
        defer { server.task.cancel() }
        let lively = try await server.login()
        let silent = try await server.connect(silent: true)
        try await silent.send(loginPacket("silent"))
        #expect(try await silent.nextPacket().opCode == .loginResponse)
        let close = try await silent.expectClose()
        #expect(close.code == 1001)
        #expect(close.reason == "keep-alive timeout")
        #expect(!silent.pings.isEmpty)
        try await silent.waitClosed()
        // The lively player answered every ping and is still served.
        _ = try await lively.ws.pings.next()
        try await lively.roundTrip()
        #expect(try await lively.members(of: -1) == [lively.peerId])
        try await server.stop()
    }

    @Test("WebSocket pings are answered with pongs carrying the same data")
    func pingPong() async throws {
        let server = try await RunningServer.start()
        defer { server.task.cancel() }
        let player = try await server.login()
        try await player.ws.send(.ping, ByteBuffer(string: "Sat, 21 Nov 2026 10:00:00 GMT"))
        let pong = try await player.ws.pongs.next()
        #expect(String(buffer: pong.unmaskedData) == "Sat, 21 Nov 2026 10:00:00 GMT")
        try await player.roundTrip()
        try await server.stop()
    }

    @Test("the upgrade is accepted on any path")
    func anyPath() async throws {
        let server = try await RunningServer.start()
        defer { server.task.cancel() }
        for path in ["/", "/websocket", "/some/other/path?x=1"] {
            let client = try await server.connect(path: path)
            try await client.send(loginPacket(""))
            #expect(try await client.nextPacket().opCode == .loginResponse)
            await client.disconnect()
        }
        try await server.stop()
    }

    @Test("a plain HTTP request gets 426")
    func plainHTTP() async throws {
        let server = try await RunningServer.start()
        defer { server.task.cancel() }
        let response = try await rawTCPExchange(
            host: server.host,
            port: server.address.tcpPort,
            request: "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
        )
        #expect(response.hasPrefix("HTTP/1.1 426"))
        let player = try await server.login()
        try await player.roundTrip()
        try await server.stop()
    }

    @Test("cancelling run() closes every player with 1001 and returns")
    func shutdownByCancellation() async throws {
        let server = try await RunningServer.start()
        let p1 = try await server.login()
        let p2 = try await server.login()
        try await p1.associateUDP()
        let waiting = try await server.connect()
        server.task.cancel()
        for client in [p1.ws, p2.ws, waiting] {
            let close = try await client.expectClose()
            #expect(close.code == 1001)
            #expect(close.reason == "server shutting down")
            try await client.waitClosed()
        }
        try await server.task.value
    }

    @Test("a graceful shutdown of a ServiceGroup closes every player with 1001 and returns")
    func gracefulShutdown() async throws {
        var configuration = ServerConfiguration(session: GameSession.Configuration(gameSessionId: "graceful"))
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.threads = 1
        let (addresses, continuation) = AsyncStream<ListeningAddress>.makeStream()
        let server = RealtimeServer(configuration: configuration, logger: testLogger()) { address in
            continuation.yield(address)
            continuation.finish()
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [server], logger: testLogger())
        )
        let task = Task { try await group.run() }
        defer { task.cancel() }
        let address = try #require(await addresses.first(where: { _ in true }))
        let running = RunningServer(address: address, host: "127.0.0.1", task: task, server: server)
        let p1 = try await running.login()
        let p2 = try await running.login()
        await group.triggerGracefulShutdown()
        for player in [p1, p2] {
            let close = try await player.ws.expectClose()
            #expect(close.code == 1001)
            #expect(close.reason == "server shutting down")
        }
        try await task.value
        // Nothing listens any more.
        await #expect(throws: (any Error).self) { _ = try await running.connect() }
    }
}

/// Sends raw bytes on a TCP connection and returns everything the server sent until it closed.
func rawTCPExchange(host: String, port: Int, request: String) async throws -> String {
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(host: host, port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
    return try await channel.executeThenClose { inbound, outbound in
        try await outbound.write(ByteBuffer(string: request))
        var response = ""
        for try await chunk in inbound { response += String(buffer: chunk) }
        return response
    }
}
