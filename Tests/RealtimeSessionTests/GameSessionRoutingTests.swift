import NIOCore
import RealtimeProtocol
import Testing

@testable import RealtimeSession

@Suite struct GameSessionUDPTests {
    @Test func udpConnectIsAcknowledgedOverUDPWithIncreasingSequenceNumbers() throws {
        var harness = SessionHarness()
        let (_, peer) = harness.join()
        let endpoint = SessionHarness.endpoint(5000)
        var sequences: [Int32] = []
        for attempt in Int32(0)..<3 {
            let effects = harness.session.receive(
                Packet(
                    opCode: .udpConnect,
                    sequenceNumber: attempt,
                    targetPlayer: -1,
                    sender: peer,
                    message: .udpConnect
                ),
                from: endpoint
            )
            let ack = try #require(effects.sends.first)
            #expect(ack.packet.opCode == .udpConnectServerAck)
            guard case .fast(let to, let sequence) = ack.route else {
                Issue.record("ack not over UDP")
                return
            }
            #expect(to == endpoint)
            sequences.append(sequence)
        }
        #expect(sequences == sequences.sorted() && Set(sequences).count == 3)
        // Fast messages to the peer go over the WebSocket until its -7 arrives, then over UDP, after the acks.
        let (_, other) = harness.join()
        harness.associate(other, port: 5001)
        let before = harness.session.receive(
            SessionHarness.data(player: peer, sender: other, sequence: 2),
            from: SessionHarness.endpoint(5001)
        )
        #expect(before.reliableRecipients == [peer])
        _ = harness.session.receive(
            Packet(opCode: .udpConnectClientAck, sequenceNumber: 3, sender: peer),
            from: endpoint
        )
        let after = harness.session.receive(
            SessionHarness.data(player: peer, sender: other, sequence: 3),
            from: SessionHarness.endpoint(5001)
        )
        #expect(after.fastRecipients == [peer])
        #expect(after.relay!.fast[0].sequenceNumber > sequences.last!)
    }

    @Test func udpConnectRules() {
        var harness = SessionHarness()
        let (_, p1) = harness.join()
        let (_, p2) = harness.join()
        // Not logged in.
        #expect(
            harness.session.receive(Packet(opCode: .udpConnect, sender: 9), from: SessionHarness.endpoint(6000)).drops
                == [.udpConnectRejected]
        )
        // Wrong IP.
        #expect(
            harness.session.receive(
                Packet(opCode: .udpConnect, sender: p1),
                from: SessionHarness.endpoint(6000, ip: "127.0.0.2")
            ).drops == [.udpConnectRejected]
        )
        // IPv4-mapped IPv6 is the same IP.
        #expect(
            harness.session.receive(
                Packet(opCode: .udpConnect, sender: p1),
                from: SessionHarness.endpoint(6000, ip: "::ffff:127.0.0.1")
            ).drops.isEmpty
        )
        // One address, one peer.
        #expect(
            harness.session.receive(Packet(opCode: .udpConnect, sender: p2), from: SessionHarness.endpoint(6000)).drops
                == [.udpConnectRejected]
        )
        // The any-source option lifts the IP check.
        var open = SessionHarness(.init(gameSessionId: "t", udpAnySource: true))
        let (_, p) = open.join()
        #expect(
            open.session.receive(
                Packet(opCode: .udpConnect, sender: p),
                from: SessionHarness.endpoint(6000, ip: "10.0.0.1")
            ).sends.count == 1
        )
    }

    @Test func natRebindingMovesTheAssociationOnlyAfterTheBoundSourceFellSilent() {
        var harness = SessionHarness()
        let (_, peer) = harness.join()
        let start = NIODeadline.now()
        harness.associate(peer, port: 7000, at: start)
        let early = harness.session.receive(
            Packet(opCode: .udpConnect, sequenceNumber: 5, sender: peer),
            from: SessionHarness.endpoint(7001),
            at: start + .seconds(1)
        )
        #expect(early.drops == [.udpConnectRejected] && early.sends.isEmpty)
        let late = harness.session.receive(
            Packet(opCode: .udpConnect, sequenceNumber: 5, sender: peer),
            from: SessionHarness.endpoint(7001),
            at: start + .seconds(6)
        )
        #expect(late.sends.map(\.route.endpoint) == [SessionHarness.endpoint(7001)])
        #expect(
            harness.session.receive(
                SessionHarness.data(player: peer, sender: peer, sequence: 6),
                from: SessionHarness.endpoint(7001),
                at: start + .seconds(6)
            ).drops.isEmpty
        )
        // A stale datagram from the old source (still in flight) changes nothing.
        #expect(
            harness.session.receive(
                SessionHarness.data(player: peer, sender: peer, sequence: 0),
                from: SessionHarness.endpoint(7000),
                at: start + .seconds(6)
            ).drops == [.unassociatedSource]
        )
    }

    @Test func strangersForgedSendersAndStaleSequencesAreDroppedWithoutSideEffects() {
        var harness = SessionHarness()
        let (_, p1) = harness.join()
        let (_, p2) = harness.join()
        harness.associate(p1, port: 8000)
        let stranger = harness.session.receive(
            SessionHarness.data(player: p2, sender: p1, sequence: 10),
            from: SessionHarness.endpoint(8999)
        )
        #expect(stranger.drops == [.unassociatedSource] && stranger.relay == nil && stranger.sends.isEmpty)
        let forged = harness.session.receive(
            SessionHarness.data(player: p2, sender: p2, sequence: 10),
            from: SessionHarness.endpoint(8000)
        )
        #expect(forged.drops == [.senderMismatch])
        #expect(
            harness.session.receive(
                SessionHarness.data(player: p2, sender: p1, sequence: 10),
                from: SessionHarness.endpoint(8000)
            ).relay != nil
        )
        #expect(
            harness.session.receive(
                SessionHarness.data(player: p2, sender: p1, sequence: 10),
                from: SessionHarness.endpoint(8000)
            ).drops == [.staleSequence]
        )
        #expect(
            harness.session.receive(
                SessionHarness.data(player: p2, sender: p1, sequence: 9),
                from: SessionHarness.endpoint(8000)
            ).drops == [.staleSequence]
        )
        // A dropped datagram does not advance the counter: 11 is still accepted after a rejected oversized 11.
        let big = Packet(
            opCode: OpCode(10),
            sequenceNumber: 11,
            targetPlayer: p2,
            sender: p1,
            payload: ByteBuffer(repeating: 0, count: 1201)
        )
        #expect(harness.session.receive(big, from: SessionHarness.endpoint(8000)).drops == [.payloadTooLarge])
        #expect(
            harness.session.receive(
                SessionHarness.data(player: p2, sender: p1, sequence: 11),
                from: SessionHarness.endpoint(8000)
            ).relay != nil
        )
    }

    @Test func controlPacketsAreAcceptedOverUDP() {
        var harness = SessionHarness()
        let (_, peer) = harness.join()
        harness.associate(peer, port: 9000)
        let joined = harness.session.receive(
            Packet(
                opCode: .joinGroup,
                sequenceNumber: 2,
                targetPlayer: -1,
                sender: peer,
                message: .joinGroup(group: 4)
            ),
            from: SessionHarness.endpoint(9000)
        )
        #expect(joined.notices.contains { if case .joinedGroup(peer, 4) = $0 { true } else { false } })
        let reply = harness.session.receive(
            Packet(
                opCode: .requestGroupMembership,
                sequenceNumber: 3,
                sender: peer,
                message: .requestGroupMembership(group: 4)
            ),
            from: SessionHarness.endpoint(9000)
        )
        #expect(
            reply.sends.first?.packet.message
                == .groupMembershipUpdate(GroupMembershipUpdate(group: 4, players: [peer]))
        )
        let left = harness.session.receive(
            Packet(opCode: .leaveGroup, sequenceNumber: 4, sender: peer, message: .leaveGroup(group: 4)),
            from: SessionHarness.endpoint(9000)
        )
        #expect(left.notices.contains { if case .leftGroup(peer, 4) = $0 { true } else { false } })
    }
}

@Suite struct GameSessionRoutingTests {
    @Test func routingRules() throws {
        var harness = SessionHarness()
        let (c1, p1) = harness.join()
        let (_, p2) = harness.join()
        let (c3, p3) = harness.join()
        _ = harness.session.receive(Packet(opCode: .joinGroup, message: .joinGroup(group: 2)), on: c1)
        _ = harness.session.receive(Packet(opCode: .joinGroup, message: .joinGroup(group: 2)), on: c3)

        // To the server: the script's onMessage, no relay.
        let toServer = harness.session.receive(SessionHarness.data(player: -1), on: c1)
        #expect(toServer.relay == nil)
        #expect(toServer.notices.contains { if case .messageToServer(_, p1) = $0 { true } else { false } })
        // To a group: every member, the sender included; the forged sender is replaced.
        let toGroup = harness.session.receive(SessionHarness.data(player: p2, group: 2, sender: 77), on: c1)
        #expect(toGroup.reliableRecipients == [p1, p3])
        #expect(toGroup.relay?.packet.sender == p1)
        #expect(toGroup.relay?.packet.targetPlayer == p2)
        // To all players.
        #expect(harness.session.receive(SessionHarness.data(group: -1), on: c3).reliableRecipients == [p1, p2, p3])
        // To a player.
        #expect(harness.session.receive(SessionHarness.data(player: p2), on: c3).reliableRecipients == [p2])
        // Nowhere.
        #expect(harness.session.receive(SessionHarness.data(), on: c3).drops == [.noRecipient])
        #expect(harness.session.receive(SessionHarness.data(player: 42), on: c3).drops == [.noRecipient])
        #expect(harness.session.receive(SessionHarness.data(group: 9), on: c3).drops == [.noRecipient])
        // Oversized payloads are dropped, the connection stays.
        let big = Packet(opCode: OpCode(1), targetPlayer: p2, payload: ByteBuffer(repeating: 1, count: 4097))
        let dropped = harness.session.receive(big, on: c1)
        #expect(dropped.drops == [.payloadTooLarge] && dropped.closes.isEmpty)
        // Unknown control op codes are dropped.
        #expect(harness.session.receive(Packet(opCode: .gameStart), on: c1).drops == [.unexpectedOpCode])
        // Ping gets a ping result.
        #expect(
            harness.session.receive(Packet(opCode: .ping, message: .ping), on: c1).sends.first?.packet.opCode
                == .pingResult
        )
    }

    @Test func fastMessagesGoOverUDPOnlyToReadyRecipients() {
        var harness = SessionHarness()
        let (c1, p1) = harness.join()
        let (_, p2) = harness.join()
        let (_, p3) = harness.join()
        harness.associate(p1, port: 100)
        harness.associate(p2, port: 200)
        let fromUDP = harness.session.receive(
            SessionHarness.data(group: -1, sender: p1, sequence: 2),
            from: SessionHarness.endpoint(100)
        )
        #expect(fromUDP.fastRecipients == [p1, p2])
        #expect(fromUDP.reliableRecipients == [p3])
        // A message that arrived on the WebSocket leaves on the WebSocket.
        let fromWS = harness.session.receive(SessionHarness.data(group: -1), on: c1)
        #expect(fromWS.reliableRecipients == [p1, p2, p3] && fromWS.fastRecipients.isEmpty)
        // Per-recipient sequence numbers are strictly increasing.
        let again = harness.session.receive(
            SessionHarness.data(group: -1, sender: p1, sequence: 3),
            from: SessionHarness.endpoint(100)
        )
        for (a, b) in zip(fromUDP.relay!.fast, again.relay!.fast) {
            #expect(b.sequenceNumber > a.sequenceNumber)
        }
    }

    @Test func scriptDecidesDeliveriesOnlyForHooksItDefines() throws {
        var harness = SessionHarness(.init(gameSessionId: "t", hooks: [.sendToGroup]))
        let (c1, p1) = harness.join()
        let (_, p2) = harness.join()
        // No onSendToPlayer hook: delivered at once.
        #expect(harness.session.receive(SessionHarness.data(player: p2), on: c1).reliableRecipients == [p2])
        let refusedQuestion = try #require(
            harness.session.receive(SessionHarness.data(group: -1), on: c1).questions.first
        )
        let asked = harness.session.receive(SessionHarness.data(group: -1), on: c1)
        let question = try #require(asked.questions.first)
        #expect(asked.relay == nil)
        #expect(harness.session.decide(refusedQuestion.id, allow: false).relay == nil)
        #expect(harness.session.decide(question.id, allow: true).reliableRecipients == [p1, p2])
        // An answer comes once: a second one for the same question changes nothing.
        #expect(harness.session.decide(question.id, allow: true).isEmpty)
    }

    @Test func answersInAnyOrderReleaseASendersMessagesInTheOrderSent() throws {
        var harness = SessionHarness(.init(gameSessionId: "t", hooks: [.sendToGroup]))
        let (c1, _) = harness.join()
        let (_, p2) = harness.join()
        // Three group messages in flight, and a direct one (no hook) that waits behind them.
        var questions: [Question] = []
        for index in 0..<3 {
            let asked = harness.session.receive(SessionHarness.data(group: -1, payload: "m\(index)"), on: c1)
            questions.append(try #require(asked.questions.first))
        }
        #expect(harness.session.receive(SessionHarness.data(player: p2, payload: "direct"), on: c1).isEmpty)
        #expect(harness.session.decide(questions[2].id, allow: true).isEmpty)
        #expect(harness.session.decide(questions[1].id, allow: true).isEmpty)
        // The first answer releases everything, one step per message, in the order sent.
        let released = harness.session.decide(questions[0].id, allow: true)
        var payloads: [String] = []
        for step in released.steps {
            payloads += step.sends.map { String(buffer: $0.packet.payload) }
            if let relay = step.relay { payloads.append(String(buffer: relay.packet.payload)) }
        }
        #expect(payloads == ["m0", "m1", "m2", "direct"])
    }

    @Test func deliveryHooksCanBeLimitedToSomeOpCodes() {
        var harness = SessionHarness(.init(gameSessionId: "t", hooks: [.sendToGroup, .sendToPlayer], hookOpCodes: [7]))
        let (c1, p1) = harness.join()
        #expect(harness.session.receive(SessionHarness.data(6, group: -1), on: c1).reliableRecipients == [p1])
        #expect(!harness.session.receive(SessionHarness.data(7, group: -1), on: c1).questions.isEmpty)
        #expect(!harness.session.receive(SessionHarness.data(7, player: p1), on: c1).questions.isEmpty)
    }

    @Test func serverMessagesCarrySenderMinusOne() {
        var harness = SessionHarness()
        let (_, p1) = harness.join()
        let effects = harness.session.sendFromServer(
            opCode: OpCode(3),
            payload: ByteBuffer(string: "x"),
            targetGroup: -1,
            reliable: true
        )
        #expect(effects.relay?.packet.sender == -1)
        #expect(effects.reliableRecipients == [p1])
    }
}

@Suite struct GameSessionGroupTests {
    @Test func joinLeaveAndMembership() {
        var harness = SessionHarness()
        let (c1, p1) = harness.join()
        let (c2, p2) = harness.join()
        func request(_ group: Int32, on c: ConnectionID) -> GroupMembershipUpdate? {
            if case .groupMembershipUpdate(let update) = harness.session.receive(
                Packet(opCode: .requestGroupMembership, message: .requestGroupMembership(group: group)),
                on: c
            ).sends.first?.packet.message {
                return update
            }
            return nil
        }
        #expect(request(5, on: c1)?.players == [])
        _ = harness.session.receive(Packet(opCode: .joinGroup, message: .joinGroup(group: 5)), on: c2)
        _ = harness.session.receive(Packet(opCode: .joinGroup, message: .joinGroup(group: 5)), on: c1)
        // Joining twice changes nothing.
        #expect(harness.session.receive(Packet(opCode: .joinGroup, message: .joinGroup(group: 5)), on: c1).isEmpty)
        #expect(request(5, on: c1)?.players == [p1, p2])
        #expect(request(-1, on: c1)?.players == [p1, p2])
        #expect(request(0, on: c1)?.players == [])
        // Groups 0 and -1 cannot be joined.
        #expect(
            harness.session.receive(Packet(opCode: .joinGroup, message: .joinGroup(group: -1)), on: c1).notices.count
                == 1
        )
        #expect(request(0, on: c1)?.players == [])
        // Leaving a group one is not in changes nothing.
        #expect(harness.session.receive(Packet(opCode: .leaveGroup, message: .leaveGroup(group: 6)), on: c1).isEmpty)
        _ = harness.session.receive(Packet(opCode: .leaveGroup, message: .leaveGroup(group: 5)), on: c2)
        #expect(request(5, on: c1)?.players == [p1])
        // A disconnected player leaves every group.
        _ = harness.session.connectionClosed(c1, reason: "bye")
        #expect(harness.session.members(of: 5) == [])
        #expect(request(5, on: c2)?.players == [])
    }

    @Test func announcedMembershipAndPlayers() {
        var harness = SessionHarness(.init(gameSessionId: "t", announceMembership: true, announcePlayers: true))
        let (c1, p1) = harness.join()
        let (_, effects) = harness.connect()
        // The newcomer learns of player 1; player 1 learns of the newcomer.
        #expect(effects.sends.map(\.packet.opCode) == [.loginResponse, .playerConnect, .playerConnect])
        #expect(effects.sends[1].packet.message == .playerConnect(peerId: p1))
        #expect(effects.sends[2].peerId == p1 && effects.sends[2].packet.message == .playerConnect(peerId: 2))
        let joined = harness.session.receive(Packet(opCode: .joinGroup, message: .joinGroup(group: 3)), on: c1)
        #expect(joined.sends.map(\.packet.opCode) == [.groupMembershipUpdate])
        let left = harness.session.connectionClosed(c1, reason: "bye")
        #expect(left.sends.map(\.packet.opCode) == [.playerDisconnect])
        #expect(left.sends.first?.packet.message == .playerDisconnect(peerId: p1))
    }

    @Test func broadcastGroupMembershipUpdate() {
        var harness = SessionHarness()
        let (c1, p1) = harness.join()
        _ = harness.join()
        _ = harness.session.receive(Packet(opCode: .joinGroup, message: .joinGroup(group: 8)), on: c1)
        let effects = harness.session.broadcastGroupMembershipUpdate(8, to: -1)
        #expect(effects.sends.count == 2)
        #expect(
            effects.sends.allSatisfy {
                $0.packet.message == .groupMembershipUpdate(GroupMembershipUpdate(group: 8, players: [p1]))
            }
        )
    }
}
