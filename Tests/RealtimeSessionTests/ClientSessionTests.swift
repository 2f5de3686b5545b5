import NIOCore
import RealtimeProtocol
import RealtimeSession
import Testing

/// A session driven to a given point, with helpers that read the single packet an action sends.
private struct Harness {
    var session: ClientSession

    init(noUDP: Bool = false, payload: String = "token") {
        session = ClientSession(
            configuration: .init(playerSessionId: "psess-1", connectPayload: ByteBuffer(string: payload), noUDP: noUDP)
        )
    }

    static func loginResult(peerId: Int32 = 7, fastPort: Int32 = 1901, targetPlayer: Int32? = nil) -> Packet {
        Packet(
            opCode: .loginResponse,
            targetPlayer: targetPlayer ?? peerId,
            reliable: true,
            message: .loginResult(LoginResult(success: true, peerId: peerId, fastPort: fastPort))
        )
    }

    /// Opened and logged in as peer 7, fast port 1901.
    static func connected(noUDP: Bool = false) -> Harness {
        var harness = Harness(noUDP: noUDP)
        _ = harness.session.webSocketOpened()
        _ = harness.session.receivedReliable(loginResult())
        return harness
    }

    /// Logged in, UDP socket open, first `-5` sent (sequence number 0).
    static func handshaking() -> Harness {
        var harness = connected()
        _ = harness.session.udpOpened()
        return harness
    }

    /// Handshake done: `-5` (0) out, `-6` (1) in, `-7` (1) out. The next datagram out has sequence number 2.
    static func fastReady() -> Harness {
        var harness = handshaking()
        _ = harness.session.receivedFast(Packet(opCode: .udpConnectServerAck, sequenceNumber: 1))
        return harness
    }

    mutating func sendData(reliable: Bool, size: Int = 3) -> ClientSession.Action {
        session.send(
            opCode: OpCode(10),
            payload: ByteBuffer(repeating: 0x61, count: size),
            targetPlayer: 0,
            targetGroup: 2,
            reliable: reliable
        )
    }
}

@Suite("ClientSession: login")
struct ClientSessionLoginTests {
    @Test func loginPacketIsExactlyTheSDKs() throws {
        var harness = Harness()
        let action = harness.session.webSocketOpened()
        let expected = Packet(
            opCode: .login,
            targetPlayer: -1,
            sender: 0,
            reliable: true,
            payload: ByteBuffer(string: "token"),
            message: .login(LoginCommand(playerSessionId: "psess-1", clientVersion: 2))
        )
        #expect(action.send == .reliable(expected))
        #expect(action.emit == nil && action.timer == nil && action.udp == nil)
        #expect(harness.session.peerId == nil)
        #expect(!harness.session.isConnected)
    }

    @Test func secondOpenDoesNothing() {
        var harness = Harness()
        _ = harness.session.webSocketOpened()
        #expect(harness.session.webSocketOpened().isEmpty)
    }

    @Test func successfulLoginConnectsAndOpensUDP() {
        var harness = Harness()
        _ = harness.session.webSocketOpened()
        let action = harness.session.receivedReliable(Harness.loginResult())
        #expect(action.emit == .connected(peerId: 7, fastPort: 1901))
        #expect(action.udp == .open(port: 1901))
        #expect(action.send == nil)
        #expect(harness.session.peerId == 7)
        #expect(harness.session.isConnected)
        #expect(!harness.session.isFastReady)
    }

    @Test func peerIdFallsBackToTargetPlayer() {
        var harness = Harness()
        _ = harness.session.webSocketOpened()
        let action = harness.session.receivedReliable(Harness.loginResult(peerId: 0, targetPlayer: 4))
        #expect(action.emit == .connected(peerId: 4, fastPort: 1901))
        #expect(harness.session.peerId == 4)
    }

    @Test func noUDPOpensNoSocket() {
        var harness = Harness(noUDP: true)
        _ = harness.session.webSocketOpened()
        let action = harness.session.receivedReliable(Harness.loginResult())
        #expect(action.emit == .connected(peerId: 7, fastPort: 1901))
        #expect(action.udp == nil)
        #expect(harness.session.udpOpened().isEmpty)
    }

    @Test(arguments: [Int32(0), -3, 70_000])
    func unusableFastPortKeepsEverythingReliable(port: Int32) {
        var harness = Harness()
        _ = harness.session.webSocketOpened()
        let action = harness.session.receivedReliable(Harness.loginResult(fastPort: port))
        #expect(action.udp == nil)
        #expect(harness.session.isConnected)
    }

    @Test func refusedLoginEmitsRefusalThenDisconnects() {
        var harness = Harness()
        _ = harness.session.webSocketOpened()
        let refusal = Packet(opCode: .loginResponse, reliable: true, message: .loginResult(LoginResult(success: false)))
        #expect(harness.session.receivedReliable(refusal).emit == .loginRefused)
        #expect(!harness.session.isConnected)
        #expect(harness.sendData(reliable: true).reject == .notConnected)
        let closed = harness.session.webSocketClosed(code: 1008, reason: "game session full")
        #expect(closed.emit == .disconnected(code: 1008, reason: "game session full"))
        #expect(harness.session.isClosed)
    }

    @Test func loginResponseWithoutResultIsARefusal() {
        var harness = Harness()
        _ = harness.session.webSocketOpened()
        #expect(harness.session.receivedReliable(Packet(opCode: .loginResponse)).emit == .loginRefused)
    }

    @Test func packetsBeforeTheLoginResultAreDropped() {
        var harness = Harness()
        #expect(harness.session.receivedReliable(Harness.loginResult()).drop == .unexpectedPacket)
        _ = harness.session.webSocketOpened()
        #expect(harness.session.receivedReliable(Packet(opCode: OpCode(5))).drop == .unexpectedPacket)
        #expect(harness.session.isConnected == false)
    }

    @Test func secondLoginResultIsDropped() {
        var harness = Harness.connected()
        #expect(harness.session.receivedReliable(Harness.loginResult(peerId: 9)).drop == .unexpectedPacket)
        #expect(harness.session.peerId == 7)
    }

    @Test func closeBeforeLoginResultDisconnects() {
        var harness = Harness()
        _ = harness.session.webSocketOpened()
        let action = harness.session.webSocketClosed(code: nil, reason: "connection reset")
        #expect(action.emit == .disconnected(code: nil, reason: "connection reset"))
        #expect(action.udp == nil && action.timer == nil)
        #expect(harness.session.webSocketClosed(code: nil, reason: "again").isEmpty)
    }
}

@Suite("ClientSession: UDP association")
struct ClientSessionUDPTests {
    @Test func firstUDPConnectHasSequenceZeroAndSchedulesRetry() throws {
        var harness = Harness.connected()
        let action = harness.session.udpOpened()
        let expected = Packet(opCode: .udpConnect, targetPlayer: -1, sender: 7, reliable: false, message: .udpConnect)
        #expect(action.send == .fast(expected))
        #expect(action.send?.packet.sequenceNumber == 0)
        guard case .schedule(_, let delay) = action.timer else {
            Issue.record("expected a timer, got \(String(describing: action.timer))")
            return
        }
        #expect(delay == .milliseconds(100))
    }

    @Test func retriesBackOffTo5SecondsWithIncreasingSequenceNumbers() throws {
        var harness = Harness.connected()
        var action = harness.session.udpOpened()
        var delays: [Int64] = []
        var sequences: [Int32] = []
        for _ in 0..<10 {
            sequences.append(try #require(action.send?.packet.sequenceNumber))
            guard case .schedule(let timer, let delay) = action.timer else {
                Issue.record("expected a timer")
                return
            }
            delays.append(delay.nanoseconds / 1_000_000)
            action = harness.session.timerFired(timer)
            #expect(action.send?.packet.opCode == .udpConnect)
        }
        #expect(delays == [100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000, 5000])
        #expect(sequences == Array(0..<10))
    }

    @Test func staleTimerDoesNothing() throws {
        var harness = Harness.connected()
        let first = harness.session.udpOpened()
        guard case .schedule(let stale, _) = first.timer else {
            Issue.record("expected a timer")
            return
        }
        _ = harness.session.timerFired(stale)
        #expect(harness.session.timerFired(stale).isEmpty)
    }

    @Test func serverAckOverUDPCompletesTheHandshake() {
        var harness = Harness.handshaking()
        let action = harness.session.receivedFast(Packet(opCode: .udpConnectServerAck, sequenceNumber: 1))
        let expected = Packet(
            opCode: .udpConnectClientAck,
            sequenceNumber: 1,
            targetPlayer: -1,
            sender: 7,
            message: .udpConnect
        )
        #expect(action.send == .fast(expected))
        #expect(action.emit == .fastReady)
        #expect(action.timer == .cancel)
        #expect(harness.session.isFastReady)
    }

    @Test func serverAckOverTheWebSocketCompletesTheHandshakeToo() {
        var harness = Harness.handshaking()
        let action = harness.session.receivedReliable(Packet(opCode: .udpConnectServerAck, reliable: true))
        #expect(action.send?.packet.opCode == .udpConnectClientAck)
        guard case .fast = action.send else {
            Issue.record("-7 must go over UDP")
            return
        }
        #expect(action.emit == .fastReady)
        #expect(harness.session.isFastReady)
    }

    @Test func timerAfterTheAckDoesNothing() {
        var harness = Harness.connected()
        let first = harness.session.udpOpened()
        guard case .schedule(let timer, _) = first.timer else {
            Issue.record("expected a timer")
            return
        }
        _ = harness.session.receivedFast(Packet(opCode: .udpConnectServerAck))
        #expect(harness.session.timerFired(timer).isEmpty)
    }

    @Test func repeatedAckIsSilent() {
        var harness = Harness.fastReady()
        let action = harness.session.receivedFast(Packet(opCode: .udpConnectServerAck, sequenceNumber: 2))
        #expect(action.isEmpty)
    }

    @Test func ackBeforeTheSocketOpenedIsIgnored() {
        var harness = Harness.connected()
        #expect(harness.session.receivedReliable(Packet(opCode: .udpConnectServerAck)).isEmpty)
        #expect(!harness.session.isFastReady)
    }

    @Test func noUDPIgnoresAcksAndDatagrams() {
        var harness = Harness.connected(noUDP: true)
        #expect(harness.session.receivedReliable(Packet(opCode: .udpConnectServerAck)).isEmpty)
        #expect(harness.session.receivedFast(Packet(opCode: OpCode(3), sequenceNumber: 4)).drop == .unexpectedDatagram)
    }

    @Test func udpFailureFallsBackToTheWebSocket() {
        var harness = Harness.handshaking()
        let action = harness.session.udpFailed()
        #expect(action.timer == .cancel)
        #expect(action.udp == .close)
        guard case .reliable(let packet) = harness.sendData(reliable: false).send else {
            Issue.record("expected the WebSocket")
            return
        }
        #expect(packet.reliable)
        #expect(harness.session.udpFailed().isEmpty)
    }
}

@Suite("ClientSession: sequence numbers in")
struct ClientSessionSequenceTests {
    @Test func firstDatagramWithSequenceZeroIsAccepted() {
        var harness = Harness.handshaking()
        let action = harness.session.receivedFast(Packet(opCode: .udpConnectServerAck))
        #expect(action.emit == .fastReady)
    }

    @Test func theAckCountsAndStaleOrDuplicateDatagramsAreDropped() {
        var harness = Harness.handshaking()
        _ = harness.session.receivedFast(Packet(opCode: .udpConnectServerAck, sequenceNumber: 5))
        let sequence: [(Int32, Bool)] = [
            (5, false), (4, false), (6, true), (6, false), (9, true), (7, false), (10, true),
        ]
        for (number, accepted) in sequence {
            let action = harness.session.receivedFast(Packet(opCode: OpCode(1), sequenceNumber: number))
            if accepted {
                guard case .message(let packet) = action.emit else {
                    Issue.record("datagram \(number) should be delivered")
                    continue
                }
                #expect(packet.sequenceNumber == number)
                #expect(!packet.reliable)
            } else {
                #expect(action.drop == .staleSequence, "datagram \(number) should be dropped")
                #expect(action.emit == nil)
            }
        }
    }

    @Test func reliablePacketsDoNotTouchTheCounter() {
        var harness = Harness.fastReady()
        _ = harness.session.receivedReliable(Packet(opCode: OpCode(1), sequenceNumber: 100))
        #expect(harness.session.receivedFast(Packet(opCode: OpCode(1), sequenceNumber: 2)).emit != nil)
    }

    @Test func channelSetsReliable() {
        var harness = Harness.fastReady()
        let viaWebSocket = harness.session.receivedReliable(Packet(opCode: OpCode(1), reliable: false))
        let viaUDP = harness.session.receivedFast(Packet(opCode: OpCode(1), sequenceNumber: 3, reliable: true))
        #expect(viaWebSocket.emit == .message(Packet(opCode: OpCode(1), reliable: true)))
        #expect(viaUDP.emit == .message(Packet(opCode: OpCode(1), sequenceNumber: 3, reliable: false)))
    }
}

@Suite("ClientSession: sending")
struct ClientSessionSendTests {
    @Test func fastBeforeTheHandshakeGoesOverTheWebSocket() {
        var harness = Harness.handshaking()
        let expected = Packet(
            opCode: OpCode(10),
            targetPlayer: 0,
            targetGroup: 2,
            sender: 7,
            reliable: true,
            payload: ByteBuffer(string: "aaa")
        )
        #expect(harness.sendData(reliable: false).send == .reliable(expected))
    }

    @Test func fastAfterTheHandshakeGoesOverUDPWithTheNextSequenceNumber() {
        var harness = Harness.fastReady()
        let first = harness.sendData(reliable: false)
        let second = harness.sendData(reliable: false)
        #expect(
            first.send
                == .fast(
                    Packet(
                        opCode: OpCode(10),
                        sequenceNumber: 2,
                        targetGroup: 2,
                        sender: 7,
                        payload: ByteBuffer(string: "aaa")
                    )
                )
        )
        #expect(second.send?.packet.sequenceNumber == 3)
    }

    @Test func reliableAlwaysGoesOverTheWebSocketWithoutSequenceNumber() {
        var harness = Harness.fastReady()
        guard case .reliable(let packet) = harness.sendData(reliable: true).send else {
            Issue.record("expected the WebSocket")
            return
        }
        #expect(packet.reliable)
        #expect(packet.sequenceNumber == 0)
        #expect(harness.sendData(reliable: false).send?.packet.sequenceNumber == 2)
    }

    @Test(arguments: [(1200, true), (1201, false), (4096, false)])
    func fastPayloadsOver1200BytesGoReliably(size: Int, overUDP: Bool) {
        var harness = Harness.fastReady()
        let action = harness.sendData(reliable: false, size: size)
        switch action.send {
        case .fast: #expect(overUDP)
        case .reliable: #expect(!overUDP)
        case nil: Issue.record("nothing sent")
        }
    }

    @Test(arguments: [true, false])
    func payloadsOver4096BytesAreRejectedBeforeSending(reliable: Bool) {
        var harness = Harness.fastReady()
        let action = harness.sendData(reliable: reliable, size: 4097)
        #expect(action.reject == .payloadTooLarge(4097))
        #expect(action.send == nil)
        #expect(harness.sendData(reliable: false).send?.packet.sequenceNumber == 2)
    }

    @Test func noUDPKeepsFastMessagesOnTheWebSocket() {
        var harness = Harness.connected(noUDP: true)
        guard case .reliable = harness.sendData(reliable: false).send else {
            Issue.record("expected the WebSocket")
            return
        }
    }

    @Test func sendingBeforeLoginIsRejected() {
        var harness = Harness()
        #expect(harness.sendData(reliable: true).reject == .notConnected)
        _ = harness.session.webSocketOpened()
        #expect(harness.sendData(reliable: true).reject == .notConnected)
        #expect(harness.session.joinGroup(1).reject == .notConnected)
    }

    @Test func messagesAreStampedWithTheOwnPeerId() {
        var harness = Harness.connected()
        #expect(harness.sendData(reliable: true).send?.packet.sender == 7)
    }
}

@Suite("ClientSession: groups")
struct ClientSessionGroupTests {
    @Test func groupRequestsUseTheFastIntent() {
        var harness = Harness.handshaking()
        let beforeReady = harness.session.joinGroup(3)
        #expect(
            beforeReady.send
                == .reliable(
                    Packet(
                        opCode: .joinGroup,
                        targetPlayer: -1,
                        sender: 7,
                        reliable: true,
                        message: .joinGroup(group: 3)
                    )
                )
        )
        _ = harness.session.receivedFast(Packet(opCode: .udpConnectServerAck, sequenceNumber: 1))
        let leave = harness.session.leaveGroup(3)
        #expect(
            leave.send
                == .fast(
                    Packet(
                        opCode: .leaveGroup,
                        sequenceNumber: 2,
                        targetPlayer: -1,
                        sender: 7,
                        message: .leaveGroup(group: 3)
                    )
                )
        )
        let request = harness.session.requestGroupMembership(3)
        #expect(
            request.send
                == .fast(
                    Packet(
                        opCode: .requestGroupMembership,
                        sequenceNumber: 3,
                        targetPlayer: -1,
                        sender: 7,
                        message: .requestGroupMembership(group: 3)
                    )
                )
        )
    }

    @Test func localMembershipFollowsJoinLeaveAndUpdates() {
        var harness = Harness.fastReady()
        _ = harness.session.joinGroup(3)
        _ = harness.session.joinGroup(4)
        #expect(harness.session.groups == [3, 4])
        _ = harness.session.leaveGroup(3)
        #expect(harness.session.groups == [4])
        let update = Packet(
            opCode: .groupMembershipUpdate,
            targetPlayer: 7,
            sender: -1,
            message: .groupMembershipUpdate(GroupMembershipUpdate(group: 5, players: [2, 7]))
        )
        #expect(harness.session.receivedReliable(update).emit == .groupMembership(group: 5, players: [2, 7]))
        #expect(harness.session.groups == [4, 5])
        let without = Packet(
            opCode: .groupMembershipUpdate,
            message: .groupMembershipUpdate(GroupMembershipUpdate(group: 4, players: [2]))
        )
        #expect(harness.session.receivedReliable(without).emit == .groupMembership(group: 4, players: [2]))
        #expect(harness.session.groups == [5])
    }

    @Test func otherControlPacketsReachTheGame() {
        var harness = Harness.fastReady()
        let connect = Packet(opCode: .playerConnect, sender: -1, message: .playerConnect(peerId: 3))
        #expect(
            harness.session.receivedReliable(connect).emit
                == .message(
                    Packet(
                        opCode: .playerConnect,
                        sender: -1,
                        reliable: true,
                        message: .playerConnect(peerId: 3)
                    )
                )
        )
        #expect(harness.session.receivedReliable(Packet(opCode: .verifyIdentityResponse)).isEmpty)
    }
}

@Suite("ClientSession: closing")
struct ClientSessionCloseTests {
    @Test func userCloseSendsCloseFrameAndClosesUDP() {
        var harness = Harness.handshaking()
        let action = harness.session.closeRequested()
        #expect(action.webSocket == .close(code: 1000, reason: ""))
        #expect(action.udp == .close)
        #expect(action.timer == .cancel)
        #expect(action.send == nil)
        #expect(harness.sendData(reliable: true).reject == .closed)
        #expect(harness.session.closeRequested().isEmpty)
        let closed = harness.session.webSocketClosed(code: 1000, reason: "")
        #expect(closed.emit == .disconnected(code: 1000, reason: "closed by client"))
        #expect(closed.udp == nil)
        #expect(harness.session.isClosed)
    }

    @Test func userCloseWithoutUDPClosesOnlyTheWebSocket() {
        var harness = Harness.connected(noUDP: true)
        let action = harness.session.closeRequested()
        #expect(action.webSocket == .close(code: 1000, reason: ""))
        #expect(action.udp == nil && action.timer == nil)
    }

    @Test func serverCloseDisconnectsAndClosesUDP() {
        var harness = Harness.fastReady()
        let action = harness.session.webSocketClosed(code: 1001, reason: "server shutting down")
        #expect(action.emit == .disconnected(code: 1001, reason: "server shutting down"))
        #expect(action.udp == .close)
        #expect(action.timer == nil)
        #expect(harness.sendData(reliable: false).reject == .closed)
        #expect(harness.session.receivedFast(Packet(opCode: OpCode(1), sequenceNumber: 50)).emit == nil)
    }

    @Test func serverCloseDuringTheHandshakeCancelsTheRetries() {
        var harness = Harness.handshaking()
        let action = harness.session.webSocketClosed(code: nil, reason: "connection reset")
        #expect(action.timer == .cancel)
        #expect(action.udp == .close)
    }

    @Test func closeBeforeOpenClosesTheConnection() {
        var harness = Harness()
        #expect(harness.session.closeRequested().webSocket == .close(code: 1000, reason: ""))
        #expect(harness.session.webSocketOpened().isEmpty)
    }
}
