import Foundation
import RealtimeClient
import RealtimeFleet
import RealtimeTestSupport
import Testing

extension FleetSuites {
    /// `rtctl serve --gamelift` as a process, against the fake GameLift service.
    @Suite("rtctl serve --gamelift") struct ServeGameLiftTests {
        @Test func aWholeGameSessionFromCreateGameSessionToExitZero() async throws {
            let service = try await FakeGameLift.start()
            let script = try scriptFile(GameLiftTests.script)
            let serve = try ServeProcess(
                [
                    "--gamelift", "--host", "127.0.0.1", "--port", "0", "--script", script,
                    "--log-path", "/tmp/rtctl-server.log",
                ],
                environment: [
                    "GAMELIFT_SDK_WEBSOCKET_URL": service.url, "GAMELIFT_SDK_FLEET_ID": "fleet-cli",
                    "GAMELIFT_SDK_HOST_ID": "compute-cli", "GAMELIFT_SDK_AUTH_TOKEN": "token-cli",
                    "GAMELIFT_SDK_PROCESS_ID": "process-cli",
                ]
            )
            defer { serve.terminate() }
            let line = try await serve.listening()
            let port = try #require(line["tcpPort"] as? Int)
            try await eventually("ActivateServerProcess") { !service.requests("ActivateServerProcess").isEmpty }
            #expect(service.queries.first?["pID"] == "process-cli")
            #expect(service.requests("ActivateServerProcess").first?.fields["Port"]?.description == "\(port)")
            try service.push(GameLiftTests.createGameSession)
            try await eventually("ActivateGameSession") { !service.requests("ActivateGameSession").isEmpty }
            let client = try await RealtimeClient.connect(
                to: Endpoint(host: "127.0.0.1", port: port),
                options: ClientOptions(playerSessionId: "psess-cli", noUDP: true, connectTimeout: .seconds(30))
            )
            let player = Player(client)
            let seen = try #require(await player.message(1))
            #expect(seen.contains(#""mode":"ctf""#))
            try await player.send(99)  // processEnding()
            #expect(try await serve.exitStatus() == 0)
            #expect(service.requests("TerminateServerProcess").count == 1)
            #expect(
                service.requests("AcceptPlayerSession").first?.fields["PlayerSessionId"]?.description == #""psess-cli""#
            )
            await service.stop()
        }

        @Test func aForbiddenHandshakeExitsOneWithTheReason() async throws {
            let service = try await FakeGameLift.start()
            service.forbid()
            let serve = try ServeProcess(
                [
                    "--gamelift", "--gamelift-url", service.url, "--gamelift-fleet-id", "f", "--gamelift-host-id", "h",
                    "--gamelift-auth-token", "expired", "--host", "127.0.0.1", "--port", "0",
                ]
            )
            defer { serve.terminate() }
            #expect(try await serve.exitStatus() == 1)
            #expect(serve.stderr.contains("403 Forbidden"))
            await service.stop()
        }

        @Test func processesOnOneHostTakeSuccessivePortsOfTheRange() async throws {
            let service = try await FakeGameLift.start()
            // Below the ephemeral range, where the tests' own client connections cannot be holding ports.
            let base = Int.random(in: 20_000...31_000)
            let arguments = [
                "--gamelift", "--gamelift-url", service.url, "--gamelift-fleet-id", "f", "--gamelift-host-id", "h",
                "--gamelift-auth-token", "t", "--host", "127.0.0.1", "--port-range", "\(base)-\(base + 40)",
            ]
            let first = try ServeProcess(arguments)
            defer { first.terminate() }
            let firstPort = try #require(try await first.listening()["tcpPort"] as? Int)
            let second = try ServeProcess(arguments)
            defer { second.terminate() }
            let secondLine = try await second.listening()
            let secondPort = try #require(secondLine["tcpPort"] as? Int)
            #expect((base...base + 40).contains(firstPort))
            #expect(secondPort > firstPort && secondPort <= base + 40)
            #expect(secondLine["udpPort"] as? Int == secondPort)
            try await eventually("both activations") { service.requests("ActivateServerProcess").count == 2 }
            let ports = Set(service.requests("ActivateServerProcess").compactMap { $0.fields["Port"]?.description })
            #expect(ports == ["\(firstPort)", "\(secondPort)"])
            first.terminate()
            second.terminate()
            #expect(try await first.exitStatus() == 0)
            #expect(try await second.exitStatus() == 0)
            #expect(service.requests("TerminateServerProcess").count == 2)
            await service.stop()
        }
    }
}
