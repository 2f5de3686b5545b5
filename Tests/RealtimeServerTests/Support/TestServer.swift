import CoreMetrics
import Foundation
import Logging
import NIOCore
import RealtimeProtocol
import RealtimeServer
import RealtimeSession
import Testing

/// A server running in a task, as a test sees it.
struct RunningServer {
    let address: ListeningAddress
    let host: String
    let task: Task<Void, any Error>
    let server: RealtimeServer

    /// Starts a server on port 0 and waits until both listeners are up.
    static func start(
        host: String = "127.0.0.1",
        metrics: (any MetricsFactory)? = nil,
        logger: Logger = testLogger(),
        _ configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws -> RunningServer {
        var configuration = ServerConfiguration(session: GameSession.Configuration(gameSessionId: "test-session"))
        configuration.host = host
        configuration.port = 0
        configuration.threads = 2
        configure(&configuration)
        let (addresses, continuation) = AsyncStream<ListeningAddress>.makeStream()
        let server = RealtimeServer(
            configuration: configuration,
            logger: logger,
            script: nil,
            metricsFactory: metrics ?? NOOPMetricsHandler.instance
        ) { address in
            continuation.yield(address)
            continuation.finish()
        }
        let task = Task {
            defer { continuation.finish() }
            try await server.run()
        }
        guard let address = await addresses.first(where: { _ in true }) else {
            try await task.value
            throw TestTimeout(what: "the server to listen")
        }
        return RunningServer(address: address, host: host, task: task, server: server)
    }

    /// Cancels the server's task and waits for `run()` to return.
    func stop() async throws {
        task.cancel()
        try await task.value
    }

    func connect(silent: Bool = false, path: String = "/websocket") async throws -> WebSocketTestClient {
        try await WebSocketTestClient.connect(host: host, port: address.tcpPort, path: path, silent: silent)
    }

    func openUDP(from bindHost: String? = nil) async throws -> UDPTestClient {
        try await UDPTestClient.open(host: host, serverPort: address.udpPort, bindHost: bindHost)
    }

    /// Connects and logs in; checks the login result.
    func login(_ playerSessionId: String = "") async throws -> TestPlayer {
        let client = try await connect()
        try await client.send(loginPacket(playerSessionId))
        let result = try await client.nextPacket()
        #expect(result.opCode == .loginResponse)
        guard case .loginResult(let login) = result.message, login.success else {
            Issue.record("login refused: \(result)")
            throw TestTimeout(what: "a successful login")
        }
        #expect(result.targetPlayer == login.peerId)
        #expect(login.fastPort == Int32(address.udpPort))
        return TestPlayer(server: self, ws: client, peerId: login.peerId)
    }
}

func loginPacket(_ playerSessionId: String) -> Packet {
    Packet(
        opCode: .login,
        targetPlayer: RealtimeConstants.serverPeerId,
        reliable: true,
        message: .login(LoginCommand(playerSessionId: playerSessionId, clientVersion: RealtimeConstants.clientVersion))
    )
}

func testLogger() -> Logger {
    var logger = Logger(label: "rtctl.test")
    let level = ProcessInfo.processInfo.environment["RTCTL_TEST_LOG"].flatMap(Logger.Level.init(rawValue:))
    logger.logLevel = level ?? .critical
    return logger
}

/// A logged-in player: its WebSocket and, once associated, its UDP socket.
final class TestPlayer: @unchecked Sendable {
    let server: RunningServer
    let ws: WebSocketTestClient
    let peerId: Int32
    private(set) var udp: UDPTestClient?
    /// The sequence number of this player's next datagram (the SDK starts at 0).
    private(set) var nextSequence: Int32 = 0
    /// The last sequence number received over UDP.
    private(set) var lastSequenceIn: Int32 = -1

    init(server: RunningServer, ws: WebSocketTestClient, peerId: Int32) {
        self.server = server
        self.ws = ws
        self.peerId = peerId
    }

    /// The SDK's handshake: `-5` over UDP, the `-6` from the fast port, then `-7`.
    func associateUDP() async throws {
        let udp = try await server.openUDP()
        self.udp = udp
        try await sendFast(Packet(opCode: .udpConnect, targetPlayer: -1, message: .udpConnect))
        let ack = try await nextFast()
        #expect(ack.opCode == .udpConnectServerAck)
        try await sendFast(Packet(opCode: .udpConnectClientAck, targetPlayer: -1))
    }

    /// A datagram from this player's socket, stamped with its sender and next sequence number.
    func sendFast(_ packet: Packet, sequenceNumber: Int32? = nil, sender: Int32? = nil) async throws {
        var packet = packet
        packet.sender = sender ?? peerId
        packet.reliable = false
        packet.sequenceNumber = sequenceNumber ?? nextSequence
        nextSequence = max(nextSequence, packet.sequenceNumber) + 1
        try await udp!.send(packet)
    }

    func sendReliable(_ packet: Packet) async throws {
        var packet = packet
        packet.sender = peerId
        packet.reliable = true
        try await ws.send(packet)
    }

    /// The next datagram; its sequence number must be greater than every earlier one.
    func nextFast() async throws -> Packet {
        let packet = try await udp!.nextPacket()
        #expect(packet.sequenceNumber > lastSequenceIn, "sequence \(packet.sequenceNumber) after \(lastSequenceIn)")
        #expect(packet.reliable == false)
        lastSequenceIn = packet.sequenceNumber
        return packet
    }

    func nextReliable() async throws -> Packet {
        let packet = try await ws.nextPacket()
        #expect(packet.reliable)
        #expect(packet.sequenceNumber == 0)
        return packet
    }

    /// Asks for a group's members over the WebSocket and returns the answer (a `-13` for this player).
    func members(of group: Int32) async throws -> [Int32] {
        try await sendReliable(
            Packet(opCode: .requestGroupMembership, targetPlayer: -1, message: .requestGroupMembership(group: group))
        )
        let update = try await nextReliable()
        #expect(update.opCode == .groupMembershipUpdate)
        #expect(update.sender == RealtimeConstants.serverPeerId)
        #expect(update.targetPlayer == peerId)
        guard case .groupMembershipUpdate(let members) = update.message else {
            Issue.record("not a membership update: \(update)")
            return []
        }
        #expect(members.group == group)
        return members.players
    }

    /// Proves the connection still works and that nothing else arrived first: a reliable message to itself.
    func roundTrip(_ text: String = "ping-self") async throws {
        try await sendReliable(Packet(opCode: OpCode(77), targetPlayer: peerId, payload: ByteBuffer(string: text)))
        let echo = try await nextReliable()
        #expect(echo.opCode == OpCode(77))
        #expect(String(buffer: echo.payload) == text)
    }

    func close() async {
        await ws.disconnect()
        await udp?.close()
    }
}

func message(_ opCode: Int32, to player: Int32 = 0, group: Int32 = 0, _ text: String) -> Packet {
    Packet(opCode: OpCode(opCode), targetPlayer: player, targetGroup: group, payload: ByteBuffer(string: text))
}
