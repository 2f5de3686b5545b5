import Foundation
import NIOCore
import NIOPosix
import RealtimeClient
import RealtimeFleet
import RealtimeServer
import RealtimeTestSupport
import Testing

extension FleetSuites {
    /// `serve --agones` against a fake Agones SDK sidecar that follows its REST contract and records what it received;
    /// real server, real clients, real Node.js scripts.
    @Suite("Agones SDK sidecar") struct AgonesTests {
        struct Running {
            let sidecar: FakeAgonesSidecar
            let server: FleetServer

            func stop() async {
                await server.stop()
                await sidecar.stop()
            }
        }

        /// A port of 127.0.0.1 free for both TCP and UDP (the Passthrough port the GameServer reports), taken below the
        /// ephemeral range, where the tests' own client connections cannot be holding it.
        static func freePort() async throws -> Int {
            for _ in 0..<100 {
                let port = Int.random(in: 20_000...32_000)
                guard
                    let tcp = try? await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                        .bind(host: "127.0.0.1", port: port).get()
                else { continue }
                let udp = try? await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .bind(host: "127.0.0.1", port: port).get()
                try? await tcp.close()
                try? await udp?.close()
                if udp != nil { return port }
            }
            throw TestFailure("no free port between 20000 and 32000")
        }

        static func start(
            script: String? = nil,
            ports: [(String, Int)],
            bindReportedPort: Bool = true,
            before: (FakeAgonesSidecar) -> Void = { _ in }
        ) async throws -> Running {
            let sidecar = try await FakeAgonesSidecar.start(ports: ports)
            before(sidecar)
            var configuration = AgonesConfiguration(
                sidecarPort: sidecar.port,
                portName: "rt",
                bindReportedPort: bindReportedPort
            )
            configuration.retryDelay = .milliseconds(50)
            let agent = AgonesAgent(configuration: configuration, logger: testLogger("agones"))
            let server = try await FleetServer.start(script: script, fleet: agent)
            return Running(sidecar: sidecar, server: server)
        }

        static let script = """
            let session, gameSession, healthy = true;
            exports.ssExports = {
              init(s) { session = s; },
              onStartGameSession(gs) { gameSession = gs; },
              onPlayerAccepted(player) {
                const seen = { id: session.getGameSessionId(), mode: gameSession.GameProperties.mode,
                               data: gameSession.gameSessionData };
                session.sendReliableMessage(session.newTextGameMessage(1, -1, JSON.stringify(seen)), player.peerId);
              },
              onMessage(message) {
                if (message.opCode === 98) healthy = false;
                if (message.opCode === 99) session.processEnding();
              },
              onHealthCheck() { return healthy; },
            };
            """

        @Test func readyHealthAllocationPlayersAndShutdown() async throws {
            let port = try await Self.freePort()
            let running = try await Self.start(
                script: try scriptFile(Self.script),
                ports: [("rt-tcp", port), ("rt-udp", port)]
            )
            // Passthrough: the server took the port the GameServer reports.
            #expect(running.server.address.tcpPort == port)
            #expect(running.server.address.udpPort == port)
            try await eventually("POST /ready") { !running.sidecar.requests("POST", "/ready").isEmpty }
            #expect(running.sidecar.requests.first?.path == "/gameserver")
            try await eventually("health pings") { running.sidecar.requests("POST", "/health").count >= 2 }
            #expect(running.sidecar.requests("POST", "/health").allSatisfy { $0.body == "{}" })

            // Not allocated yet: no game session to join.
            await #expect(throws: RealtimeClientError.self) { _ = try await running.server.connect("psess-early") }

            running.sidecar.allocate(annotations: ["mode": "ctf", "gameSessionData": "map=harbor"])
            try await eventually("the game session to start") {
                running.server.server.status.health.gameSession == .active
            }
            let player = try await running.server.player("psess-a")
            let seen = try #require(await player.message(1))
            #expect(seen == #"{"id":"rtctl-gs-1","mode":"ctf","data":"map=harbor"}"#)
            try await eventually("the player in the players List") { running.sidecar.players == ["psess-a"] }

            try await player.send(99)  // processEnding()
            #expect(try await running.server.ended() == 0)
            #expect(running.sidecar.players.isEmpty)
            #expect(running.sidecar.requests("POST", "/shutdown").count == 1)
            #expect(running.sidecar.gameServerState == "Shutdown")
            let paths = running.sidecar.requests.map(\.path)
            let removed = try #require(paths.firstIndex(of: "/v1beta1/lists/players:removeValue"))
            #expect(removed < paths.lastIndex(of: "/shutdown")!)
            await running.sidecar.stop()
        }

        @Test func anUnhealthyScriptStopsTheHealthPings() async throws {
            let port = try await Self.freePort()
            let running = try await Self.start(script: try scriptFile(Self.script), ports: [("rt", port)])
            try await eventually("health pings") { running.sidecar.requests("POST", "/health").count >= 1 }
            #expect(!running.sidecar.requests("POST", "/ready").isEmpty)
            running.sidecar.allocate(annotations: [:])
            try await eventually("the game session to start") {
                running.server.server.status.health.gameSession == .active
            }
            let player = try await running.server.player("psess-b")
            try await player.send(98)  // onHealthCheck now returns false
            try await eventually("the script to report unhealthy") {
                running.server.server.status.health.scriptHealthy == false
            }
            let pings = running.sidecar.requests("POST", "/health").count
            try await Task.sleep(for: .milliseconds(1600))  // three ping intervals (period 1 s: every 500 ms)
            #expect(running.sidecar.requests("POST", "/health").count <= pings + 1)
            let later = running.sidecar.requests("POST", "/health").count
            try await Task.sleep(for: .milliseconds(1100))
            #expect(running.sidecar.requests("POST", "/health").count == later)
            await player.close()
            await running.stop()
        }

        @Test func theSidecarIsRetriedUntilItAnswersAndTheWatchIsReconnected() async throws {
            let port = try await Self.freePort()
            let running = try await Self.start(ports: [("rt", port)]) { $0.unavailable(3) }
            #expect(running.sidecar.requests("GET", "/gameserver").count == 4)
            try await eventually("a watch") { running.sidecar.requests("GET", "/watch/gameserver").count == 1 }
            running.sidecar.endWatches()
            try await eventually("the watch again") { running.sidecar.requests("GET", "/watch/gameserver").count == 2 }
            // The new watch still delivers changes: an allocation starts the game session.
            running.sidecar.allocate(annotations: [:])
            try await eventually("the game session to start") {
                running.server.server.status.health.gameSession == .active
            }
            await running.stop()
        }

        @Test func aContainerPortAdvertisesTheReportedUDPPortToPlayers() async throws {
            let running = try await Self.start(ports: [("rt-tcp", 7001), ("rt-udp", 7002)], bindReportedPort: false) {
                $0.withoutPlayersList()
            }
            #expect(running.server.address.tcpPort != 7001)
            try await eventually("POST /ready") { !running.sidecar.requests("POST", "/ready").isEmpty }
            running.sidecar.allocate(annotations: [:])
            try await eventually("the game session to start") {
                running.server.server.status.health.gameSession == .active
            }
            let client = try await running.server.connect("psess-c")
            #expect(client.fastPort == 7002)
            await client.close()
            await running.stop()
        }
    }
}
