import Foundation
import Logging
import Testing

@testable import RealtimeFleet

extension FleetSuites {
    @Suite("GameLift protocol values") struct GameLiftProtocolTests {
        @Test func flagsOverrideTheEnvironmentAndMissingValuesAreNamed() throws {
            let environment = [
                "GAMELIFT_SDK_WEBSOCKET_URL": "wss://us-west-2.api.amazongamelift.com",
                "GAMELIFT_SDK_FLEET_ID": "fleet-env", "GAMELIFT_SDK_HOST_ID": "host-env",
                "GAMELIFT_SDK_AUTH_TOKEN": "token-env", "GAMELIFT_SDK_PROCESS_ID": "process-env",
            ]
            let resolved = try GameLiftConfiguration.resolve(environment: environment, fleetId: "fleet-flag")
            #expect(resolved.fleetId == "fleet-flag")
            #expect(resolved.hostId == "host-env")
            #expect(resolved.processId == "process-env")
            var partial = environment
            partial["GAMELIFT_SDK_AUTH_TOKEN"] = nil
            #expect(throws: FleetError(.misconfigured, "")) { try GameLiftConfiguration.resolve(environment: partial) }
            do {
                _ = try GameLiftConfiguration.resolve(environment: partial)
            } catch {
                #expect("\(error)" == "--gamelift needs --gamelift-auth-token or GAMELIFT_SDK_AUTH_TOKEN")
            }
            partial["GAMELIFT_SDK_AUTH_TOKEN"] = "t"
            partial["GAMELIFT_SDK_PROCESS_ID"] = nil
            #expect(try GameLiftConfiguration.resolve(environment: partial).processId.isEmpty == false)
        }

        /// Once a 403 has ended the client, its requests fail with the 403, whenever they were made: the agent reports
        /// whichever of its parts fails first, so a bare "not connected" there would hide why (`serve --gamelift`
        /// then exited 1 without the reason).
        @Test func requestsAfterA403FailWithIt() async throws {
            let service = try await FakeGameLift.start()
            service.forbid()
            let client = GameLiftClient(
                configuration: GameLiftConfiguration(
                    webSocketURL: service.url,
                    processId: "p",
                    hostId: "h",
                    fleetId: "f",
                    authToken: "t"
                ),
                logger: Logger(label: "test")
            )
            await #expect(throws: FleetError(.forbidden, "")) { try await client.run() }
            await #expect(throws: FleetError(.forbidden, "")) {
                _ = try await client.request("ActivateServerProcess", ["Port": 1900])
            }
            await service.stop()
        }

        @Test func theConnectionURLCarriesTheIdentityWithTokensIntact() throws {
            var configuration = GameLiftConfiguration(
                webSocketURL: "wss://example.invalid",
                processId: "p 1",
                hostId: "h",
                fleetId: "f",
                authToken: "a+b/c=="
            )
            configuration.idempotencyToken = "i"
            let url = try configuration.connectionURL(endpoint: "wss://example.invalid", authToken: "a+b/c==")
            #expect(
                url.absoluteString
                    == "wss://example.invalid?pID=p%201&sdkVersion=5.2.0&sdkLanguage=Cpp&ComputeId=h&FleetId=f"
                    + "&IdempotencyToken=i&Authorization=a%2Bb%2Fc%3D%3D"
            )
        }

        @Test func backoffDoublesUpToTheMaximumAndResets() {
            var backoff = ReconnectBackoff(initial: .milliseconds(500), maximum: .seconds(4))
            let delays = (0..<6).map { _ in backoff.nextDelay(jitter: 0) }
            #expect(delays == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(4), .seconds(4)])
            #expect(backoff.nextDelay(jitter: 1) == .seconds(3))
            backoff.reset()
            #expect(backoff.nextDelay(jitter: 0) == .milliseconds(500))
        }

        @Test func responsesAndPushesAreToldApartByRequestId() throws {
            guard
                case .response(let response) = try GameLiftInbound(
                    text: #"{"Action":"AcceptPlayerSession","RequestId":"r1","StatusCode":400,"ErrorMessage":"no"}"#
                )
            else {
                Issue.record("not a response")
                return
            }
            #expect(response.requestId == "r1")
            #expect(!response.succeeded)
            #expect(response.errorMessage == "no")
            let push = try GameLiftInbound(text: #"{"Action":"TerminateProcess","TerminationTime":"1798761600000"}"#)
            guard case .push(.terminateProcess(let time)) = push else {
                Issue.record("not a TerminateProcess push")
                return
            }
            #expect(time == 1_798_761_600_000)
            let create = try GameLiftInbound(
                text: #"{"Action":"CreateGameSession","GameSessionId":"g","GameSessionName":"n","Port":"7000"}"#
            )
            guard case .push(.createGameSession(let message)) = create else {
                Issue.record("not a CreateGameSession push")
                return
            }
            #expect(message.gameSession.name == "n")
            #expect(message.gameSession.port == 7000)
        }

        @Test(arguments: ["not json", "[1]", #"{"RequestId":"r"}"#, #"{"Action":"CreateGameSession"}"#])
        func malformedMessagesAreRefusedWithAReason(_ text: String) {
            #expect(throws: FleetError(.badResponse, "")) { try GameLiftInbound(text: text) }
        }
    }
}
