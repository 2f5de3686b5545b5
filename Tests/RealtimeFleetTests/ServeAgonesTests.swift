import Foundation
import RealtimeClient
import RealtimeFleet
import RealtimeTestSupport
import Testing

extension FleetSuites {
    /// `rtctl serve --agones` as a process, against the fake Agones SDK sidecar.
    @Suite("rtctl serve --agones") struct ServeAgonesTests {
        @Test func sigtermDrainsThePlayersThenShutsTheGameServerDown() async throws {
            let port = try await AgonesTests.freePort()
            let sidecar = try await FakeAgonesSidecar.start(ports: [("rt-tcp", port), ("rt-udp", port)])
            let serve = try ServeProcess(
                ["--agones", "--host", "127.0.0.1"],
                environment: ["AGONES_SDK_HTTP_PORT": "\(sidecar.port)"]
            )
            defer { serve.terminate() }
            let line = try await serve.listening()
            #expect(line["tcpPort"] as? Int == port)  // Passthrough: the reported port
            try await eventually("POST /ready") { !sidecar.requests("POST", "/ready").isEmpty }
            sidecar.allocate(annotations: ["mode": "duel"])
            var player: Player?
            try await eventually("a player to log in once allocated") {
                guard
                    let client = try? await RealtimeClient.connect(
                        to: Endpoint(host: "127.0.0.1", port: port),
                        options: ClientOptions(playerSessionId: "psess-term", noUDP: true, connectTimeout: .seconds(30))
                    )
                else { return false }
                player = Player(client)
                return true
            }
            try await eventually("the player in the players List") { sidecar.players == ["psess-term"] }
            serve.terminate()  // SIGTERM
            let closed = await player?.disconnection()
            #expect(closed?.code == 1001)
            #expect(try await serve.exitStatus() == 0)
            #expect(sidecar.requests("POST", "/shutdown").count == 1)
            #expect(sidecar.players.isEmpty)
            await sidecar.stop()
        }

        @Test func withoutASidecarServeSaysWhatItWaitsFor() async throws {
            let port = try await AgonesTests.freePort()
            let serve = try ServeProcess(["--agones", "--agones-sdk-port", "\(port)", "--host", "127.0.0.1"])
            defer { serve.terminate() }
            try await eventually("a warning naming the sidecar port") {
                serve.stderr.contains("waiting for the Agones SDK sidecar on port \(port)")
            }
            #expect(serve.stdout.isEmpty)
            serve.terminate()
            #expect(try await serve.exitStatus() == 0)
        }
    }
}
