import Foundation
import Logging
import RealtimeClient
import RealtimeFleet
import RealtimeServer
import RealtimeTestSupport
import Testing

extension FleetSuites {
    /// `serve --gamelift` against a fake GameLift service that follows the server SDK 5 contract and records what it
    /// received; real server, real clients, real Node.js scripts.
    @Suite("GameLift server SDK 5") struct GameLiftTests {
        /// A game session the fake service creates.
        static var createGameSession: [String: Any] {
            [
                "Action": "CreateGameSession",
                "GameSessionId": "arn:aws:gamelift:us-west-2::gamesession/fleet-1/gsess-1",
                "Name": "arena",
                "MaximumPlayerSessionCount": 8,
                "Port": 1900,
                "IpAddress": "127.0.0.1",
                "DnsName": "localhost",
                "GameSessionData": "map=harbor",
                "MatchmakerData": "{\"matchId\":\"m-1\"}",
                "GameProperties": ["mode": "ctf", "difficulty": "hard"],
            ]
        }

        static let gameSessionId = "arn:aws:gamelift:us-west-2::gamesession/fleet-1/gsess-1"

        struct Running {
            let service: FakeGameLift
            let server: FleetServer
            let agent: GameLiftAgent

            func stop() async {
                await server.stop()
                await service.stop()
            }
        }

        static func start(
            script: String? = nil,
            logger: Logger = testLogger("gamelift"),
            before: (FakeGameLift) -> Void = { _ in },
            _ configure: (inout ServerConfiguration) -> Void = { _ in }
        ) async throws -> Running {
            let service = try await FakeGameLift.start()
            before(service)
            var configuration = GameLiftConfiguration(
                webSocketURL: service.url,
                processId: "process-1",
                hostId: "compute-1",
                fleetId: "fleet-1",
                authToken: "token+1/=="
            )
            configuration.logPaths = ["/local/game/logs/server.log"]
            configuration.heartbeatInterval = .milliseconds(200)
            configuration.heartbeatJitter = .milliseconds(50)
            configuration.reconnectDelay = .milliseconds(50)
            configuration.maxReconnectDelay = .milliseconds(200)
            let agent = GameLiftAgent(configuration: configuration, logger: logger)
            let server = try await FleetServer.start(script: script, fleet: agent, logger: logger, configure)
            return Running(service: service, server: server, agent: agent)
        }

        static let script = """
            let session, gameSession;
            function toAll(opCode, text) {
              session.sendReliableGroupMessage(session.newTextGameMessage(opCode, -1, text), -1);
            }
            exports.ssExports = {
              init(s) { session = s; },
              onStartGameSession(gs) { gameSession = gs; },
              onPlayerAccepted(player) {
                const seen = {
                  id: session.getGameSessionId(), name: gameSession.Name, max: gameSession.MaximumPlayerSessionCount,
                  properties: gameSession.GameProperties, camel: gameSession.gameProperties.mode,
                  data: gameSession.gameSessionData, matchmaker: gameSession.MatchmakerData,
                };
                session.sendReliableMessage(session.newTextGameMessage(1, -1, JSON.stringify(seen)), player.peerId);
              },
              onMessage(message) { if (message.opCode === 99) session.processEnding(); },
              onUpdateGameSession(update) { toAll(2, update.updateReason + " " + update.gameSession.MatchmakerData); },
              onProcessTerminate() { toAll(3, "terminating"); },
              onHealthCheck() { return true; },
            };
            """

        @Test func theProcessRegistersWithItsIdentityPortAndLogPaths() async throws {
            let running = try await Self.start()
            try await eventually("ActivateServerProcess") { !running.service.requests("ActivateServerProcess").isEmpty }
            let query = try #require(running.service.queries.first)
            #expect(query["pID"] == "process-1")
            #expect(query["ComputeId"] == "compute-1")
            #expect(query["FleetId"] == "fleet-1")
            #expect(query["Authorization"] == "token+1/==")
            #expect(query["sdkVersion"] == "5.2.0")
            #expect(query["sdkLanguage"] == "Cpp")
            #expect(query["IdempotencyToken"]?.isEmpty == false)
            let activation = try #require(running.service.requests("ActivateServerProcess").first)
            #expect(activation.fields["Port"]?.description == "\(running.server.address.tcpPort)")
            #expect(activation.fields["LogPaths"]?.description == #"["/local/game/logs/server.log"]"#)
            #expect(activation.fields["SdkVersion"]?.description == #""5.2.0""#)
            try await eventually("a heartbeat") { !running.service.requests("HeartbeatServerProcess").isEmpty }
            #expect(
                running.service.requests("HeartbeatServerProcess").first?.fields["HealthStatus"]?.description == "true"
            )
            await running.stop()
        }

        @Test func everyLoginIsAcceptedOrRefusedByAcceptPlayerSession() async throws {
            let running = try await Self.start { service in
                service.answer { action, fields in
                    guard action == "AcceptPlayerSession", fields["PlayerSessionId"]?.description == #""psess-denied""#
                    else { return nil }
                    return (400, "Player session psess-denied is not in RESERVED status")
                }
            }
            try await eventually("activation") { !running.service.requests("ActivateServerProcess").isEmpty }
            // Before CreateGameSession there is no game session to join.
            await #expect(throws: RealtimeClientError.self) { _ = try await running.server.connect("psess-early") }
            #expect(running.service.requests("AcceptPlayerSession").isEmpty)

            try running.service.push(Self.createGameSession)
            try await eventually("ActivateGameSession") { !running.service.requests("ActivateGameSession").isEmpty }
            #expect(
                running.service.requests("ActivateGameSession").first?.fields["GameSessionId"]?.description
                    == "\"\(Self.gameSessionId)\""
            )
            let alice = try await running.server.player("psess-alice")
            let accepted = try #require(running.service.requests("AcceptPlayerSession").first)
            #expect(accepted.fields["PlayerSessionId"]?.description == #""psess-alice""#)
            #expect(accepted.fields["GameSessionId"]?.description == "\"\(Self.gameSessionId)\"")

            let refusal = await #expect(throws: RealtimeClientError.self) {
                _ = try await running.server.connect("psess-denied")
            }
            #expect(
                "\(refusal.map { "\($0)" } ?? "")".contains("Player session psess-denied is not in RESERVED status")
            )
            #expect(refusal?.closeCode == 1008)

            await alice.close()
            try await eventually("RemovePlayerSession") { !running.service.requests("RemovePlayerSession").isEmpty }
            let removed = running.service.requests("RemovePlayerSession")
            #expect(removed.map { $0.fields["PlayerSessionId"]?.description } == [#""psess-alice""#])
            await running.stop()
        }

        @Test func theScriptSeesTheGameSessionThenProcessEndingTerminatesTheProcess() async throws {
            let running = try await Self.start(script: try scriptFile(Self.script))
            try await eventually("activation") { !running.service.requests("ActivateServerProcess").isEmpty }
            try running.service.push(Self.createGameSession)
            try await eventually("ActivateGameSession") { !running.service.requests("ActivateGameSession").isEmpty }
            let player = try await running.server.player("psess-1")
            let seen = try #require(await player.message(1))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(seen.utf8)) as? [String: Any])
            #expect(object["id"] as? String == Self.gameSessionId)
            #expect(object["name"] as? String == "arena")
            #expect(object["max"] as? Int == 8)
            #expect(object["properties"] as? [String: String] == ["mode": "ctf", "difficulty": "hard"])
            #expect(object["camel"] as? String == "ctf")
            #expect(object["data"] as? String == "map=harbor")
            #expect(object["matchmaker"] as? String == #"{"matchId":"m-1"}"#)

            try running.service.push([
                "Action": "UpdateGameSession", "UpdateReason": "MATCHMAKING_DATA_UPDATED",
                "GameSession": Self.createGameSession.merging(["MatchmakerData": "backfilled"]) { $1 },
            ])
            #expect(await player.message(2) == "MATCHMAKING_DATA_UPDATED backfilled")

            try await player.send(99)  // the script calls processEnding()
            #expect(try await running.server.ended() == 0)
            #expect(running.service.requests("TerminateServerProcess").count == 1)
            #expect(running.service.requests("RemovePlayerSession").count == 1)
            await running.service.stop()
        }

        @Test func terminateProcessRunsOnProcessTerminateAndDrainsThePlayers() async throws {
            let running = try await Self.start(script: try scriptFile(Self.script))
            try await eventually("activation") { !running.service.requests("ActivateServerProcess").isEmpty }
            try running.service.push(Self.createGameSession)
            try await eventually("ActivateGameSession") { !running.service.requests("ActivateGameSession").isEmpty }
            let player = try await running.server.player("psess-1")
            _ = await player.message(1)
            try running.service.push(["Action": "TerminateProcess", "TerminationTime": 1_798_761_600_000])
            #expect(await player.message(3) == "terminating")
            let closed = await player.disconnection()
            #expect(closed?.code == 1001)
            #expect(try await running.server.ended() == 0)
            #expect(running.service.requests("TerminateServerProcess").count == 1)
            await running.service.stop()
        }

        @Test func aServiceRestartIsFollowedByAReconnectionWithTheSameIdentity() async throws {
            let running = try await Self.start()
            try await eventually("activation") { !running.service.requests("ActivateServerProcess").isEmpty }
            try running.service.push(Self.createGameSession)
            try await eventually("ActivateGameSession") { !running.service.requests("ActivateGameSession").isEmpty }
            running.service.dropConnections()
            try await eventually("a second connection") { running.service.queries.count == 2 }
            let queries = running.service.queries
            #expect(queries[1]["pID"] == queries[0]["pID"])
            #expect(queries[1]["IdempotencyToken"] == queries[0]["IdempotencyToken"])
            // The process stays registered: no second activation; requests go on the new connection.
            let player = try await running.server.player("psess-after-restart")
            #expect(running.service.requests("AcceptPlayerSession").last?.connection == 2)
            #expect(running.service.requests("ActivateServerProcess").count == 1)
            await player.close()
            await running.stop()
        }

        @Test func refreshConnectionReconnectsToTheNewEndpointWithTheNewToken() async throws {
            let running = try await Self.start()
            try await eventually("activation") { !running.service.requests("ActivateServerProcess").isEmpty }
            let next = try await FakeGameLift.start()
            try running.service.push([
                "Action": "RefreshConnection", "RefreshConnectionEndpoint": next.url, "AuthToken": "token-2",
            ])
            try await eventually("a connection to the new endpoint") { next.queries.count == 1 }
            #expect(next.queries.first?["Authorization"] == "token-2")
            #expect(next.queries.first?["pID"] == "process-1")
            try await eventually("a heartbeat on the new endpoint") { !next.requests("HeartbeatServerProcess").isEmpty }
            await running.stop()
            await next.stop()
        }

        @Test func aForbiddenHandshakeEndsTheProcessWithAClearMessage() async throws {
            let logs = LogCapture()
            let logger = logs.logger()
            let running = try await Self.start(logger: logger) { $0.forbid() }
            #expect(try await running.server.ended() == 1)
            #expect(running.service.queries.isEmpty)
            // The line is logged by the agent's task, which may finish just after the server's run.
            do {
                try await eventually("the 403 line", within: .seconds(20)) {
                    logs.contains("refused the connection with 403 Forbidden: the auth token, fleet id or compute id")
                }
            } catch {
                Issue.record("no 403 line; the log:\n\(logs.all.joined(separator: "\n"))")
            }
            await running.service.stop()
        }

        @Test func anUnhealthyScriptIsReportedInHeartbeats() async throws {
            let script = try scriptFile("exports.ssExports = { init() {}, onHealthCheck() { return false; } };")
            let running = try await Self.start(script: script)
            try await eventually("a heartbeat") { !running.service.requests("HeartbeatServerProcess").isEmpty }
            #expect(
                running.service.requests("HeartbeatServerProcess").first?.fields["HealthStatus"]?.description == "false"
            )
            await running.stop()
        }

        @Test func playerSessionCreationPolicyAndDescribePlayerSessions() async throws {
            let running = try await Self.start { service in
                service.respondWith { action in
                    action == "DescribePlayerSessions"
                        ? ["PlayerSessions": [["PlayerSessionId": "psess-1", "Status": "ACTIVE"]], "NextToken": "n2"]
                        : [:]
                }
            }
            try await eventually("activation") { !running.service.requests("ActivateServerProcess").isEmpty }
            await #expect(throws: FleetError(.misconfigured, "")) {
                try await running.agent.updatePlayerSessionCreationPolicy("DENY_ALL")
            }
            try running.service.push(Self.createGameSession)
            try await eventually("ActivateGameSession") { !running.service.requests("ActivateGameSession").isEmpty }
            try await running.agent.updatePlayerSessionCreationPolicy("DENY_ALL")
            let policy = try #require(running.service.requests("UpdatePlayerSessionCreationPolicy").first)
            #expect(policy.fields["PlayerSessionPolicy"]?.description == #""DENY_ALL""#)
            let described = try await running.agent.describePlayerSessions(statusFilter: "ACTIVE", limit: 10)
            let body = try JSONSerialization.jsonObject(with: described.json) as? [String: Any]
            #expect(body?["NextToken"] as? String == "n2")
            let request = try #require(running.service.requests("DescribePlayerSessions").first)
            #expect(request.fields["GameSessionId"]?.description == "\"\(Self.gameSessionId)\"")
            #expect(request.fields["PlayerSessionStatusFilter"]?.description == #""ACTIVE""#)
            await running.stop()
        }
    }
}
