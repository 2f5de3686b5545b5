import NIOCore
import RealtimeProtocol
import RealtimeSession
import Testing

/// The client's side of secure mode, as the SDK does it: `-14` once, sequence number 0, fast up at `-15`.
@Suite("ClientSession: secure mode")
struct ClientSessionSecureTests {
    static let caCert = ByteBuffer(string: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")

    /// Logged in as peer 7 over wss; the login result carries caCert and connect token "ct".
    static func connected() -> ClientSession {
        var session = ClientSession(configuration: .init(playerSessionId: "p", secure: true))
        _ = session.webSocketOpened()
        let result = LoginResult(success: true, peerId: 7, fastPort: 1901, caCert: caCert, connectToken: "ct")
        let action = session.receivedReliable(
            Packet(opCode: .loginResponse, targetPlayer: 7, reliable: true, message: .loginResult(result))
        )
        #expect(action.udp == .open(port: 1901))
        #expect(session.caCert == caCert)
        return session
    }

    static func answer(_ success: Bool, sequence: Int32 = 1) -> Packet {
        Packet(
            opCode: .verifyIdentityResponse,
            sequenceNumber: sequence,
            targetPlayer: 7,
            sender: -1,
            message: .verifyIdentityResult(VerifyIdentityResult(success: success, peerId: 7))
        )
    }

    @Test func verifyIdentityGoesOutOnceWithSequenceZeroAndFastIsUpAtTheAnswer() throws {
        var session = Self.connected()
        let action = session.udpOpened()  // the driver reports it once the DTLS handshake is done
        let sent = try #require(action.send)
        guard case .fast(let packet) = sent else { throw CancellationError() }
        #expect(packet.opCode == .verifyIdentity)
        #expect(packet.sequenceNumber == 0)
        #expect(packet.sender == 7)
        #expect(packet.message == .verifyIdentity(VerifyIdentityCommand(peerId: 7, connectToken: "ct")))
        #expect(action.timer == nil)  // never retried
        #expect(!session.isFastReady)
        // Until -15 arrives, fast messages go over the WebSocket.
        let early = session.send(
            opCode: OpCode(1),
            payload: ByteBuffer(),
            targetPlayer: 0,
            targetGroup: -1,
            reliable: false
        )
        guard case .reliable = early.send else { throw CancellationError() }
        let ready = session.receivedFast(Self.answer(true))
        #expect(ready.emit == .fastReady)
        #expect(session.isFastReady)
        let fast = session.send(
            opCode: OpCode(1),
            payload: ByteBuffer(),
            targetPlayer: 0,
            targetGroup: -1,
            reliable: false
        )
        guard case .fast(let data) = fast.send else { throw CancellationError() }
        #expect(data.sequenceNumber == 1)
    }

    @Test func aRefusalKeepsEverythingOnTheWebSocket() throws {
        var session = Self.connected()
        _ = session.udpOpened()
        let refused = session.receivedFast(Self.answer(false))
        #expect(refused.udp == .close)
        #expect(refused.emit == nil)
        #expect(!session.isFastReady)
        let later = session.send(
            opCode: OpCode(1),
            payload: ByteBuffer(),
            targetPlayer: 0,
            targetGroup: -1,
            reliable: false
        )
        guard case .reliable = later.send else { throw CancellationError() }
    }

    @Test func anUnsecuredSessionHasNoCaCert() {
        var session = ClientSession(configuration: .init(playerSessionId: "p"))
        _ = session.webSocketOpened()
        let result = LoginResult(success: true, peerId: 7, fastPort: 1901, caCert: Self.caCert, connectToken: "ct")
        _ = session.receivedReliable(Packet(opCode: .loginResponse, targetPlayer: 7, message: .loginResult(result)))
        #expect(session.caCert == nil)
        let first = session.udpOpened()
        #expect(first.send?.packet.opCode == .udpConnect)
    }
}
