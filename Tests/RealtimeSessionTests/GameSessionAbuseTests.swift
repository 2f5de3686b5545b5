import NIOCore
import RealtimeProtocol
import Testing

@testable import RealtimeSession

/// A forged `-5` from the victim's IP (another port, a sequence number near 2^31) must not take its fast channel.
@Suite struct UDPHijackTests {
    @Test func aForgedUDPConnectFromAnotherPortBindsNothingAndPoisonsNothing() throws {
        var harness = SessionHarness()
        let (_, victim) = harness.join("victim")
        let (_, other) = harness.join("other")
        let start = NIODeadline.now()
        harness.associate(victim, port: 7000, at: start)
        harness.associate(other, port: 7100, at: start)
        let forged = harness.session.receive(
            Packet(opCode: .udpConnect, sequenceNumber: .max - 1, targetPlayer: -1, sender: victim),
            from: SessionHarness.endpoint(7001),
            at: start + .milliseconds(100)
        )
        #expect(forged.sends.isEmpty, "no -6 for the attacker")
        #expect(forged.drops == [.udpConnectRejected])
        #expect(
            forged.notices.contains {
                if case .udpRebindRefused(victim, let from, let boundTo) = $0 {
                    return from.port == 7001 && boundTo.port == 7000
                }
                return false
            }
        )
        // The attacker can neither send as the victim nor receive the victim's messages.
        #expect(
            harness.session.receive(
                SessionHarness.data(group: -1, sender: victim, sequence: .max),
                from: SessionHarness.endpoint(7001),
                at: start + .milliseconds(200)
            ).drops == [.unassociatedSource]
        )
        let toVictim = harness.session.receive(
            SessionHarness.data(player: victim, sender: other, sequence: 2),
            from: SessionHarness.endpoint(7100),
            at: start + .milliseconds(300)
        )
        #expect(toVictim.relay?.fast.map(\.endpoint.port) == [7000])
        // The victim's own datagrams, with small sequence numbers, still pass: its window was not touched.
        let own = harness.session.receive(
            SessionHarness.data(player: other, sender: victim, sequence: 2),
            from: SessionHarness.endpoint(7000),
            at: start + .milliseconds(400)
        )
        #expect(own.drops.isEmpty)
        #expect(own.relay?.fast.map(\.peerId) == [other])
    }

    @Test func aHijackAfterASilenceLastsOnlyUntilTheRealClientSpeaksAgain() {
        var harness = SessionHarness()
        let (_, victim) = harness.join("victim")
        let (_, other) = harness.join("other")
        let start = NIODeadline.now()
        harness.associate(victim, port: 7000, at: start)
        harness.associate(other, port: 7100, at: start)
        // The victim is silent for 6 s: the attacker's -5 moves the association (as a NAT rebinding would).
        let moved = harness.session.receive(
            Packet(opCode: .udpConnect, sequenceNumber: 1, sender: victim),
            from: SessionHarness.endpoint(7001),
            at: start + .seconds(6)
        )
        #expect(moved.sends.map(\.route.endpoint) == [SessionHarness.endpoint(7001)])
        // The victim speaks from its old address, in its own window: the association comes back at once.
        let back = harness.session.receive(
            SessionHarness.data(player: other, sender: victim, sequence: 2),
            from: SessionHarness.endpoint(7000),
            at: start + .seconds(7)
        )
        #expect(back.drops.isEmpty && back.relay?.fast.map(\.peerId) == [other])
        #expect(
            harness.session.receive(
                SessionHarness.data(player: other, sender: victim, sequence: 5),
                from: SessionHarness.endpoint(7001),
                at: start + .seconds(7)
            ).drops == [.unassociatedSource]
        )
        let toVictim = harness.session.receive(
            SessionHarness.data(player: victim, sender: other, sequence: 2),
            from: SessionHarness.endpoint(7100),
            at: start + .seconds(7)
        )
        #expect(toVictim.relay?.fast.map(\.endpoint.port) == [7000])
    }

    @Test func theRightfulClientsResentUDPConnectIsAlwaysAnswered() {
        var harness = SessionHarness()
        let (_, peer) = harness.join("p")
        let start = NIODeadline.now()
        harness.associate(peer, port: 7000, at: start)
        for (offset, sequence) in [(1, Int32(5)), (2, 9), (30, 10)] {
            let again = harness.session.receive(
                Packet(opCode: .udpConnect, sequenceNumber: sequence, sender: peer),
                from: SessionHarness.endpoint(7000),
                at: start + .seconds(Int64(offset))
            )
            #expect(again.sends.map(\.packet.opCode) == [.udpConnectServerAck])
            #expect(again.sends.map(\.route.endpoint) == [SessionHarness.endpoint(7000)])
        }
    }

    @Test func onlyPlayersAddressesGetTheirUDPConnectDecodedAndEachAddressHasALimit() {
        var harness = SessionHarness()
        let (_, peer) = harness.join("p")
        let now = NIODeadline.now()
        #expect(
            harness.session.screen(datagramFrom: SessionHarness.endpoint(9000, ip: "10.9.9.9"), at: now)
                == .drop(.unassociatedSource)
        )
        let fromPlayersIP = (0..<40).map { _ in
            harness.session.screen(datagramFrom: SessionHarness.endpoint(9000), at: now)
        }
        #expect(fromPlayersIP.prefix(StrangerLimiter.limit.burst).allSatisfy { $0 == .admit })
        #expect(fromPlayersIP.suffix(10).allSatisfy { $0 == .drop(.rateLimited) })
        // An associated peer's datagrams are screened by its own bucket instead.
        harness.associate(peer, port: 9001, at: now)
        #expect(harness.session.screen(datagramFrom: SessionHarness.endpoint(9001), at: now) == .admit)
        var open = SessionHarness(.init(gameSessionId: "t", udpAnySource: true))
        _ = open.join("q")
        #expect(open.session.screen(datagramFrom: SessionHarness.endpoint(9000, ip: "10.9.9.9"), at: now) == .admit)
    }

    @Test func aPeerFloodingItsDatagramsIsDroppedReportedOnceAnIntervalThenKicked() {
        var configuration = GameSession.Configuration(gameSessionId: "t")
        configuration.fastRateLimit = RateLimit(perSecond: 10, burst: 10, kickAfter: .seconds(3))
        var harness = SessionHarness(configuration)
        let (connection, peer) = harness.join("p")
        let start = NIODeadline.now()
        harness.associate(peer, port: 9001, at: start)
        var verdicts: [Screening] = []
        // 100 datagrams a second (ten times the limit) for five seconds.
        for tick in 0..<500 {
            let now = start + .milliseconds(Int64(tick) * 10)
            verdicts.append(harness.session.screen(datagramFrom: SessionHarness.endpoint(9001), at: now))
            if case .kick = verdicts.last { break }
        }
        let reports = verdicts.filter { if case .report = $0 { return true } else { return false } }
        #expect(reports.count == 1, "one report in the first ten seconds")
        #expect(verdicts.last == .kick(peerId: peer))
        #expect(verdicts.count > 300 && verdicts.count < 500, "kicked after about 3 s far over the limit")
        #expect(
            harness.session.disconnect(peer, reason: "rate limit exceeded").closes
                == [Close(connection: connection, code: .policyViolation, reason: "rate limit exceeded")]
        )
    }
}

@Suite struct RateLimiterTests {
    @Test func theBucketHoldsABurstAndRefillsAtTheRate() {
        var limiter = RateLimiter(RateLimit(perSecond: 100, burst: 5, kickAfter: nil))
        let start = NIODeadline.now()
        let burst = (0..<8).map { _ in limiter.admit(at: start) }
        #expect(burst.prefix(5).allSatisfy { $0 == .pass })
        #expect(burst[5] == .dropAndReport(dropped: 1))
        #expect(burst[6] == .drop && burst[7] == .drop)
        // 10 ms later one token is back; 100 ms later the bucket is full again (5, not 10).
        #expect(limiter.admit(at: start + .milliseconds(10)) == .pass)
        #expect(limiter.admit(at: start + .milliseconds(10)) == .drop)
        let later = (0..<6).map { _ in limiter.admit(at: start + .milliseconds(200)) }
        #expect(later.filter { $0 == .pass }.count == 5)
        // The next report, an interval after the first, counts every drop in between.
        #expect(limiter.admit(at: start + .seconds(11)) == .pass)
        let reports = (0..<10).map { _ in limiter.admit(at: start + .seconds(11)) }
        #expect(reports.contains(.dropAndReport(dropped: 5)))
    }

    @Test func aSenderJustOverTheLimitIsNeverKicked() {
        var limiter = RateLimiter(RateLimit(perSecond: 100, burst: 100, kickAfter: .seconds(2)))
        let start = NIODeadline.now()
        // 150 messages a second (1.5 times the limit) for 30 seconds: dropped beyond the limit, never kicked.
        let verdicts = (0..<4500).map { limiter.admit(at: start + .microseconds(Int64($0) * 6667)) }
        #expect(!verdicts.contains(.kick))
        #expect(verdicts.contains(.drop))
    }

    @Test func offTurnsEverythingIntoPass() {
        var limiter = RateLimiter(.off)
        #expect((0..<10_000).allSatisfy { _ in limiter.admit(at: .now()) == .pass })
    }
}

@Suite struct ReconnectTests {
    static func configuration(grace: TimeAmount = .seconds(10), announce: Bool = true) -> GameSession.Configuration {
        var configuration = GameSession.Configuration(gameSessionId: "t", announcePlayers: announce)
        configuration.reconnectGrace = grace
        return configuration
    }

    @Test func aLostPlayerKeepsItsSlotAndAReconnectTakesItOverSilently() throws {
        var harness = SessionHarness(Self.configuration())
        let (lostConnection, peer) = harness.join("alice")
        let (_, bob) = harness.join("bob")
        _ = harness.session.receive(Packet(opCode: .joinGroup, message: .joinGroup(group: 5)), on: lostConnection)
        let start = NIODeadline.now()
        let lost = harness.session.connectionClosed(lostConnection, reason: "connection lost", lost: true, at: start)
        #expect(lost.sends.isEmpty, "nobody is told")
        #expect(lost.notices.contains { if case .playerLost = $0 { return true } else { return false } })
        #expect(harness.session.members(of: 5) == [peer])
        #expect(harness.session.expireLostPlayers(at: start + .seconds(5)).isEmpty)

        let (connection, back) = harness.connect("alice")
        guard case .loginResult(let result) = back.sends.first?.packet.message else {
            Issue.record("no login result")
            return
        }
        #expect(result.success && result.peerId == peer)
        #expect(harness.session.peerId(on: connection) == peer)
        // The new client hears of its group; nobody else hears anything.
        #expect(back.sends.dropFirst().map(\.packet.opCode) == [.groupMembershipUpdate])
        #expect(back.sends.allSatisfy { $0.peerId == peer })
        #expect(harness.session.members(of: 5) == [peer])
        #expect(harness.session.playerList.map(\.peerId) == [peer, bob])
        #expect(harness.session.expireLostPlayers(at: start + .seconds(60)).isEmpty)
    }

    @Test func aLostPlayerThatDoesNotComeBackLeavesWhenItsGraceEnds() {
        var harness = SessionHarness(Self.configuration())
        let (lostConnection, peer) = harness.join("alice")
        let (_, bob) = harness.join("bob")
        let start = NIODeadline.now()
        _ = harness.session.connectionClosed(lostConnection, reason: "connection lost", lost: true, at: start)
        let expired = harness.session.expireLostPlayers(at: start + .seconds(10))
        #expect(
            expired.notices.contains {
                if case .playerDisconnected(let player, _) = $0 { return player.peerId == peer }
                return false
            }
        )
        #expect(expired.sends.map(\.packet.opCode) == [.playerDisconnect])
        #expect(harness.session.playerList.map(\.peerId) == [bob])
        let (_, again) = harness.join("alice")
        #expect(again != peer)
    }

    @Test func aHalfOpenConnectionIsReplacedWith4000() {
        var harness = SessionHarness(Self.configuration())
        let (old, peer) = harness.join("alice")
        _ = harness.join("bob")
        let (new, takeover) = harness.connect("alice")
        #expect(takeover.closes == [Close(connection: old, code: .replaced, reason: "replaced by a new connection")])
        #expect(!takeover.notices.contains { if case .playerDisconnected = $0 { return true } else { return false } })
        #expect(takeover.sends.map(\.peerId) == [peer])
        #expect(harness.session.peerId(on: new) == peer)
        // The old connection's close, when it comes, changes nothing.
        #expect(harness.session.connectionClosed(old, reason: "replaced", lost: true).isEmpty)
        #expect(harness.session.playerList.count == 2)
    }

    @Test func aClientsOwnCloseAnAnonymousPlayerOrAZeroGraceLeaveAtOnce() {
        for (id, lost, grace) in [
            ("alice", false, TimeAmount.seconds(10)), ("", true, .seconds(10)), ("a", true, .zero),
        ] {
            var harness = SessionHarness(Self.configuration(grace: grace))
            let (connection, _) = harness.join(id)
            let closed = harness.session.connectionClosed(connection, reason: "bye", lost: lost)
            #expect(closed.notices.contains { if case .playerDisconnected = $0 { return true } else { return false } })
            #expect(harness.session.playerList.isEmpty)
        }
    }

    @Test func aReconnectGetsANewUDPAssociationFromItsNewAddress() {
        var harness = SessionHarness(Self.configuration())
        let (old, peer) = harness.join("alice")
        let start = NIODeadline.now()
        harness.associate(peer, port: 7000, at: start)
        _ = harness.session.connectionClosed(old, reason: "connection lost", lost: true, at: start)
        // While lost, its old address is no longer associated.
        #expect(harness.session.screen(datagramFrom: SessionHarness.endpoint(7000), at: start) != .admit)
        _ = harness.connect("alice")
        // The new client associates from a new port at once: the old association went with the old connection.
        harness.associate(peer, port: 7001, sequence: 0, at: start + .milliseconds(10))
        #expect(harness.session.screen(datagramFrom: SessionHarness.endpoint(7001), at: start) == .admit)
    }
}

@Suite struct BoundedInputTests {
    @Test func aLongPlayerSessionIdOrALargeConnectPayloadIsRefused() {
        var harness = SessionHarness()
        let long = String(repeating: "x", count: RealtimeConstants.maxPlayerSessionIdBytes + 1)
        #expect(harness.connect(long).1.closes.first?.reason == "player session id too long")
        #expect(harness.join(String(repeating: "y", count: RealtimeConstants.maxPlayerSessionIdBytes)).1 > 0)
        let connection = ConnectionID(500)
        harness.session.connectionOpened(connection, remote: SessionHarness.host)
        var login = SessionHarness.login("p")
        login.payload = ByteBuffer(repeating: 1, count: RealtimeConstants.maxPayload + 1)
        #expect(harness.session.receive(login, on: connection).closes.first?.reason == "connect payload too large")
    }

    @Test func aConnectionAwaitsItsLoginUntilItSendsOne() {
        var harness = SessionHarness()
        let connection = ConnectionID(77)
        harness.session.connectionOpened(connection, remote: SessionHarness.host)
        #expect(harness.session.awaitsLogin(connection))
        _ = harness.session.receive(SessionHarness.login("p"), on: connection)
        #expect(!harness.session.awaitsLogin(connection))
    }
}

/// Questions for the script are pipelined: several per sender in flight, answers carried out in the sender's order.
@Suite struct PipelinedDecisionTests {
    @Test func answersOutOfOrderAreCarriedOutInTheSendersOrder() throws {
        var harness = SessionHarness(.init(gameSessionId: "t", hooks: [.sendToGroup, .joinGroup]))
        let (c1, p1) = harness.join()
        let (_, p2) = harness.join()
        // A join (asked), then three group messages (asked at once, behind it), then a ping (waits).
        let join = try #require(
            harness.session.receive(Packet(opCode: .joinGroup, message: .joinGroup(group: 4)), on: c1).questions.first
        )
        let messages = try (0..<3).map { index in
            try #require(
                harness.session.receive(SessionHarness.data(group: 4, payload: "m\(index)"), on: c1).questions.first
            )
        }
        #expect(harness.session.receive(Packet(opCode: .ping), on: c1).isEmpty)
        // The last message is answered first: nothing happens until everything before it is answered.
        #expect(harness.session.decide(messages[2].id, allow: true).isEmpty)
        #expect(harness.session.decide(messages[0].id, allow: true).isEmpty)
        // The join's answer releases the join, then message 0 (to the new member), stops at message 1.
        let released = harness.session.decide(join.id, allow: true)
        #expect(released.notices.contains { if case .joinedGroup(p1, 4) = $0 { return true } else { return false } })
        #expect(released.reliableRecipients == [p1])
        let rest = harness.session.decide(messages[1].id, allow: false)
        // Message 1 refused, message 2 delivered, then the ping's result.
        #expect(rest.reliableRecipients == [p1])
        #expect(rest.steps.flatMap(\.sends).map(\.packet.opCode) == [.pingResult])
        #expect(rest.later.count == 1, "the ping's result is carried out after message 2's relay")
        // Another sender is never held up by p1's questions.
        #expect(!harness.session.receive(SessionHarness.data(group: -1), on: ConnectionID(2)).questions.isEmpty)
        _ = p2
    }

    @Test func aSenderWithTooManyOpenQuestionsHasItsPacketsDropped() {
        var harness = SessionHarness(.init(gameSessionId: "t", hooks: [.sendToGroup]))
        let (c1, _) = harness.join()
        for _ in 0..<GameSession.maxBacklog {
            #expect(harness.session.receive(SessionHarness.data(group: -1), on: c1).questions.count == 1)
        }
        #expect(harness.session.receive(SessionHarness.data(group: -1), on: c1).drops == [.scriptBacklog])
    }
}
