import NIOCore
import RealtimeProtocol
import Testing

@testable import RealtimeSession

/// A session with a few helpers to log players in and read effects, for tests without sockets.
struct SessionHarness {
    var session: GameSession
    var nextConnection: UInt64 = 1

    init(_ configuration: GameSession.Configuration = .init(gameSessionId: "test", fastPort: 1900)) {
        self.session = GameSession(configuration: configuration)
    }

    static let host = try! SocketAddress(ipAddress: "127.0.0.1", port: 40000)

    static func endpoint(_ port: Int, ip: String = "127.0.0.1") -> UDPEndpoint {
        UDPEndpoint(try! SocketAddress(ipAddress: ip, port: port))!
    }

    static func login(_ sessionId: String = "") -> Packet {
        Packet(
            opCode: .login,
            targetPlayer: -1,
            reliable: true,
            message: .login(LoginCommand(playerSessionId: sessionId, clientVersion: 2))
        )
    }

    /// Opens a connection and sends a login; returns the connection and the effects.
    mutating func connect(_ sessionId: String = "", from address: SocketAddress = host) -> (ConnectionID, Effects) {
        let connection = ConnectionID(nextConnection)
        nextConnection += 1
        session.connectionOpened(connection, remote: address)
        return (connection, session.receive(Self.login(sessionId), on: connection))
    }

    /// Logs a player in and returns its connection and peer id.
    mutating func join(_ sessionId: String = "") -> (ConnectionID, Int32) {
        let (connection, effects) = connect(sessionId)
        guard case .loginResult(let result) = effects.sends.first?.packet.message, result.success else {
            Issue.record("login refused: \(effects)")
            return (connection, 0)
        }
        return (connection, result.peerId)
    }

    /// Associates a peer's UDP from `port` (-5 then -7), starting at sequence number `sequence`, at time `now`.
    mutating func associate(_ peerId: Int32, port: Int, sequence: Int32 = 0, at now: NIODeadline = .now()) {
        let endpoint = Self.endpoint(port)
        let ack = session.receive(
            Packet(
                opCode: .udpConnect,
                sequenceNumber: sequence,
                targetPlayer: -1,
                sender: peerId,
                message: .udpConnect
            ),
            from: endpoint,
            at: now
        )
        #expect(ack.sends.first?.packet.opCode == .udpConnectServerAck)
        _ = session.receive(
            Packet(opCode: .udpConnectClientAck, sequenceNumber: sequence + 1, targetPlayer: -1, sender: peerId),
            from: endpoint,
            at: now
        )
    }

    static func data(
        _ opCode: Int32 = 10,
        player: Int32 = 0,
        group: Int32 = 0,
        sender: Int32 = 0,
        sequence: Int32 = 0,
        payload: String = "hi"
    ) -> Packet {
        Packet(
            opCode: OpCode(opCode),
            sequenceNumber: sequence,
            targetPlayer: player,
            targetGroup: group,
            sender: sender,
            payload: ByteBuffer(string: payload)
        )
    }
}

extension Effects {
    var closeCodes: [CloseCode] { closes.map(\.code) }
    /// These effects and every later step, in the order the server carries them out.
    var steps: [Effects] { [self] + later.flatMap(\.steps) }
    var reliableRecipients: [Int32] { relay?.reliable.map(\.peerId) ?? [] }
    var fastRecipients: [Int32] { relay?.fast.map(\.peerId) ?? [] }
    var drops: [DropReason] {
        notices.compactMap { if case .dropped(let reason, _, _) = $0 { return reason } else { return nil } }
    }
}

extension Route {
    /// The UDP endpoint of a fast route.
    var endpoint: UDPEndpoint? {
        if case .fast(let endpoint, _) = self { return endpoint }
        return nil
    }
}

@Suite struct GameSessionLoginTests {
    @Test func peerIdsStartAtOneAndAreNeverReused() {
        var harness = SessionHarness()
        let (c1, p1) = harness.join()
        let (_, p2) = harness.join()
        #expect([p1, p2] == [1, 2])
        _ = harness.session.connectionClosed(c1, reason: "gone")
        let (_, p3) = harness.join()
        #expect(p3 == 3)
        #expect(harness.session.playerList.map(\.peerId) == [2, 3])
    }

    @Test func loginResultCarriesPeerIdTwiceAndTheFastPort() throws {
        var harness = SessionHarness()
        let (connection, effects) = harness.connect("player-a")
        let send = try #require(effects.sends.first)
        #expect(send.route == .reliable(connection))
        #expect(send.packet.opCode == .loginResponse)
        #expect(send.packet.targetPlayer == 1)
        #expect(send.packet.reliable)
        guard case .loginResult(let result) = send.packet.message else {
            Issue.record("not a login result")
            return
        }
        #expect(result.success && result.peerId == 1 && result.fastPort == 1900)
        #expect(!result.connectToken.isEmpty)
        #expect(effects.closes.isEmpty)
    }

    @Test func fullSessionRefusesWith1008() throws {
        var harness = SessionHarness(.init(gameSessionId: "t", maxPlayers: 2))
        _ = harness.join()
        _ = harness.join()
        let (connection, effects) = harness.connect()
        guard case .loginResult(let result) = effects.sends.first?.packet.message else {
            Issue.record("no login result")
            return
        }
        #expect(!result.success)
        #expect(effects.closes == [Close(connection: connection, code: .policyViolation, reason: "game session full")])
    }

    @Test func reservedModeAcceptsOnlyReservedIdsOneConnectionEach() {
        var harness = SessionHarness(.init(gameSessionId: "t", reservedPlayerSessionIds: ["psess-1", "psess-2"]))
        #expect(harness.connect("intruder").1.closes.first?.reason == "player session not reserved")
        let (first, peer) = harness.join("psess-1")
        // A second connection with the same id takes the slot over; the first is closed.
        let (second, takeover) = harness.connect("psess-1")
        #expect(takeover.closes == [Close(connection: first, code: .replaced, reason: "replaced by a new connection")])
        #expect(harness.session.peerId(on: second) == peer)
        _ = harness.session.connectionClosed(second, reason: "bye")
        let (_, again) = harness.join("psess-1")
        #expect(again > peer)
    }

    @Test func openModeAllowsEmptyAndRepeatedIds() {
        var harness = SessionHarness()
        #expect(harness.join("").1 == 1)
        #expect(harness.join("").1 == 2)
    }

    @Test func packetBeforeLoginCloses1008AndSecondLoginCloses1002() {
        var harness = SessionHarness()
        let connection = ConnectionID(99)
        harness.session.connectionOpened(connection, remote: SessionHarness.host)
        #expect(
            harness.session.receive(SessionHarness.data(player: 1), on: connection).closeCodes == [.policyViolation]
        )
        let (c1, _) = harness.join()
        #expect(harness.session.receive(SessionHarness.login(), on: c1).closeCodes == [.protocolError])
    }

    @Test func scriptDecidesLoginsAndQueuedMessagesFollowTheResult() throws {
        var harness = SessionHarness(.init(gameSessionId: "t", hooks: [.playerConnect]))
        let (connection, effects) = harness.connect("a")
        let question = try #require(effects.questions.first)
        guard case .login(let player) = question.decision else {
            Issue.record("expected a login decision")
            return
        }
        #expect(effects.sends.isEmpty)
        // The script greets the player before it accepts it: the greeting waits for the login result.
        let greeting = harness.session.sendFromServer(
            opCode: OpCode(5),
            payload: ByteBuffer(string: "welcome"),
            targetPlayer: player.peerId,
            reliable: true
        )
        #expect(greeting.isEmpty)
        let accepted = harness.session.decide(question.id, allow: true)
        #expect(accepted.sends.map(\.packet.opCode) == [.loginResponse, OpCode(5)])
        #expect(accepted.sends.allSatisfy { $0.route == .reliable(connection) })
        #expect(harness.session.playerList.map(\.peerId) == [player.peerId])
    }

    @Test func scriptRefusalClosesWithReason() throws {
        var harness = SessionHarness(.init(gameSessionId: "t", maxPlayers: 1, hooks: [.playerConnect]))
        let (_, effects) = harness.connect("a")
        let refused = harness.session.decide(try #require(effects.questions.first).id, allow: false)
        #expect(refused.closes.first?.reason == "rejected by script")
        #expect(refused.closes.first?.code == .policyViolation)
        // The refused login no longer holds a seat.
        let (_, again) = harness.connect("b")
        #expect(!again.questions.isEmpty)
    }

    @Test func aRefusalWithAReasonClosesWithThatReason() throws {
        var harness = SessionHarness(.init(gameSessionId: "t", maxPlayers: 2, hooks: [.playerConnect]))
        let (_, effects) = harness.connect("a")
        let question = try #require(effects.questions.first)
        let refused = harness.session.decide(question.id, verdict: .refuse("player session expired"))
        #expect(refused.closes.first?.reason == "player session expired")
        #expect(refused.closes.first?.code == .policyViolation)
        #expect(refused.sends.first?.packet.opCode == .loginResponse)
    }

    @Test func shutdownClosesEveryoneAndRefusesNewLogins() {
        var harness = SessionHarness()
        _ = harness.join()
        _ = harness.join()
        let effects = harness.session.shutDown()
        #expect(effects.closes.count == 2)
        #expect(effects.closes.allSatisfy { $0.code == .goingAway && $0.reason == "server shutting down" })
        #expect(harness.connect().1.closes.first?.reason == "server shutting down")
    }
}
