import NIOCore
import RealtimeProtocol
import RealtimeTestSupport
import Testing

@testable import RealtimeSession

/// Secure mode as the session sees it: packets decrypted from DTLS associations, bound by `verifyIdentity`.
@Suite struct GameSessionSecureTests {
    static let caCert = ByteBuffer(string: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")

    static func secureHarness() -> SessionHarness {
        SessionHarness(.init(gameSessionId: "secure", fastPort: 1900, caCert: caCert))
    }

    /// Logs a player in; returns its peer id and the login result's connect token.
    static func join(_ harness: inout SessionHarness, _ name: String) throws -> (Int32, String) {
        let (_, effects) = harness.connect(name)
        guard case .loginResult(let result) = effects.sends.first?.packet.message else {
            throw TestFailure("no login result")
        }
        #expect(result.caCert == caCert)
        #expect(!result.connectToken.isEmpty)
        return (result.peerId, result.connectToken)
    }

    static func verify(_ peerId: Int32, token: String, sequence: Int32 = 0) -> Packet {
        Packet(
            opCode: .verifyIdentity,
            sequenceNumber: sequence,
            targetPlayer: -1,
            sender: peerId,
            message: .verifyIdentity(VerifyIdentityCommand(peerId: peerId, connectToken: token))
        )
    }

    static func result(_ effects: Effects) -> (VerifyIdentityResult, Route)? {
        guard let send = effects.sends.first, case .verifyIdentityResult(let result) = send.packet.message else {
            return nil
        }
        return (result, send.route)
    }

    @Test func theRightTokenBindsTheAssociationAndFastIsReadyAtOnce() throws {
        var harness = Self.secureHarness()
        let (alice, token) = try Self.join(&harness, "alice")
        let (bob, _) = try Self.join(&harness, "bob")
        let endpoint = SessionHarness.endpoint(50000)
        let effects = harness.session.receive(Self.verify(alice, token: token), from: endpoint)
        let (result, route) = try #require(Self.result(effects))
        #expect(result == VerifyIdentityResult(success: true, peerId: alice))
        #expect(route == .fast(endpoint, sequenceNumber: 1))
        #expect(effects.notices.contains { if case .fastReady(alice) = $0 { true } else { false } })
        // Bob's fast message to Alice now leaves over her DTLS association, with her next sequence number.
        let relay = harness.session.receive(SessionHarness.data(player: alice, sender: bob), on: ConnectionID(2))
        #expect(relay.reliableRecipients == [alice])  // it came over the WebSocket
        let fast = harness.session.receive(SessionHarness.data(player: bob, sender: alice, sequence: 1), from: endpoint)
        #expect(fast.reliableRecipients == [bob])  // Bob has no association: his copy goes over his WebSocket
        _ = harness.session.receive(Self.verify(bob, token: "ignored"), from: SessionHarness.endpoint(50001))
        let fromBob = harness.session.sendFromServer(
            opCode: OpCode(5),
            payload: ByteBuffer(),
            targetPlayer: alice,
            reliable: false
        )
        #expect(fromBob.relay?.fast.first == FastRecipient(peerId: alice, endpoint: endpoint, sequenceNumber: 2))
    }

    @Test func aWrongTokenIsRefusedAndBindsNothing() throws {
        var harness = Self.secureHarness()
        let (alice, token) = try Self.join(&harness, "alice")
        let endpoint = SessionHarness.endpoint(50000)
        let effects = harness.session.receive(Self.verify(alice, token: token + "x"), from: endpoint)
        let (result, route) = try #require(Self.result(effects))
        #expect(result == VerifyIdentityResult(success: false, peerId: alice))
        #expect(route == .fast(endpoint, sequenceNumber: 0))
        #expect(effects.drops == [.identityRejected])
        // Nothing bound: datagrams from that association are dropped, and Alice's fast messages stay on the WebSocket.
        let data = harness.session.receive(
            SessionHarness.data(player: alice, sender: alice, sequence: 1),
            from: endpoint
        )
        #expect(data.drops == [.unassociatedSource])
        let toAlice = harness.session.sendFromServer(
            opCode: OpCode(5),
            payload: ByteBuffer(),
            targetPlayer: alice,
            reliable: false
        )
        #expect(toAlice.reliableRecipients == [alice])
        // A token for a peer that is not logged in is refused the same way.
        let ghost = harness.session.receive(Self.verify(99, token: token), from: SessionHarness.endpoint(50001))
        #expect(Self.result(ghost)?.0.success == false)
    }

    @Test func unboundAssociationsAreNotScreenedByAddress() throws {
        // Players behind one address (a NAT) each send one verifyIdentity, never repeated: none may be screened out.
        var harness = Self.secureHarness()
        let now = NIODeadline.now()
        for port in 0..<100 {
            let stranger = SessionHarness.endpoint(40000 + port, ip: "192.0.2.7")
            #expect(harness.session.screen(datagramFrom: stranger, at: now) == .admit)
        }
    }

    @Test func udpConnectIsRefusedInSecureMode() throws {
        var harness = Self.secureHarness()
        let (alice, _) = try Self.join(&harness, "alice")
        let effects = harness.session.receive(
            Packet(opCode: .udpConnect, targetPlayer: -1, sender: alice, message: .udpConnect),
            from: SessionHarness.endpoint(50000)
        )
        #expect(effects.sends.isEmpty)
        #expect(effects.drops == [.identityRejected])
    }

    @Test func aNewAssociationReplacesTheOldOneAndAnEndedOneFallsBackToTheWebSocket() throws {
        var harness = Self.secureHarness()
        let (alice, token) = try Self.join(&harness, "alice")
        let first = SessionHarness.endpoint(50000)
        let second = SessionHarness.endpoint(50001)
        _ = harness.session.receive(Self.verify(alice, token: token), from: first)
        let again = harness.session.receive(Self.verify(alice, token: token), from: second)
        #expect(Self.result(again)?.0.success == true)
        #expect(
            harness.session.receive(SessionHarness.data(player: -1, sender: alice, sequence: 1), from: first).drops == [
                .unassociatedSource
            ]
        )
        _ = harness.session.fastAssociationEnded(second)
        let toAlice = harness.session.sendFromServer(
            opCode: OpCode(5),
            payload: ByteBuffer(),
            targetPlayer: alice,
            reliable: false
        )
        #expect(toAlice.reliableRecipients == [alice])
    }

    @Test func anUnsecuredSessionSendsNoCaCertAndBindsNoVerifyIdentity() throws {
        var harness = SessionHarness()
        let (_, effects) = harness.connect("alice")
        guard case .loginResult(let result) = effects.sends.first?.packet.message else {
            throw TestFailure("no login result")
        }
        #expect(result.caCert.readableBytes == 0)
        let verify = harness.session.receive(
            Self.verify(result.peerId, token: result.connectToken),
            from: SessionHarness.endpoint(50000)
        )
        #expect(verify.sends.isEmpty)
    }
}
