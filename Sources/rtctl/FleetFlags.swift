import ArgumentParser
import Foundation
import Logging
import RealtimeFleet
import RealtimeServer

/// `serve`'s fleet flags: GameLift (server SDK 5 protocol) or Agones (SDK sidecar), and the port range.
struct FleetFlags: ParsableArguments {
    @Flag(help: "Run as a GameLift custom game server (server SDK 5 protocol; Anywhere or managed EC2).")
    var gamelift = false

    @Option(
        help: ArgumentHelp("The GameLift SDK WebSocket URL (default: $GAMELIFT_SDK_WEBSOCKET_URL).", valueName: "url")
    )
    var gameliftUrl: String?

    @Option(help: ArgumentHelp("The fleet id (default: $GAMELIFT_SDK_FLEET_ID).", valueName: "id"))
    var gameliftFleetId: String?

    @Option(help: ArgumentHelp("The compute (host) id (default: $GAMELIFT_SDK_HOST_ID).", valueName: "id"))
    var gameliftHostId: String?

    @Option(help: ArgumentHelp("The auth token (default: $GAMELIFT_SDK_AUTH_TOKEN).", valueName: "token"))
    var gameliftAuthToken: String?

    @Option(
        help: ArgumentHelp(
            "The process id (default: $GAMELIFT_SDK_PROCESS_ID, else a generated one).",
            valueName: "id"
        )
    )
    var gameliftProcessId: String?

    @Option(
        name: .customLong("log-path"),
        help: ArgumentHelp("A file GameLift uploads when the process ends (repeatable).", valueName: "path")
    )
    var logPaths: [String] = []

    @Option(
        help: ArgumentHelp(
            "Take the first port of this range where TCP and UDP are free (several processes on one host).",
            valueName: "A-B"
        )
    )
    var portRange: String?

    @Flag(help: "Run as an Agones game server (the SDK sidecar's REST API).")
    var agones = false

    @Option(
        help: ArgumentHelp(
            "The Agones SDK sidecar's HTTP port (default: $AGONES_SDK_HTTP_PORT, else 9358).",
            valueName: "port"
        )
    )
    var agonesSdkPort: Int?

    @Option(
        help: ArgumentHelp(
            "The GameServer port to advertise (default: the first; <name>-udp for a TCPUDP port).",
            valueName: "name"
        )
    )
    var agonesPortName: String?

    /// The parsed `--port-range` (checked by `validate()`).
    var range: ClosedRange<Int>? { portRange.flatMap(Self.parseRange) }

    /// `A-B` with 1 <= A <= B <= 65535.
    private static func parseRange(_ text: String) -> ClosedRange<Int>? {
        let bounds = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard bounds.count == 2, let low = bounds[0], let high = bounds[1], 1 <= low, low <= high, high <= 65_535
        else { return nil }
        return low...high
    }

    func validate() throws {
        if gamelift, agones { throw ValidationError("--gamelift and --agones exclude each other") }
        let gameliftOnly = [gameliftUrl, gameliftFleetId, gameliftHostId, gameliftAuthToken, gameliftProcessId]
        if !gamelift, gameliftOnly.contains(where: { $0 != nil }) || !logPaths.isEmpty {
            throw ValidationError("--gamelift-… and --log-path options need --gamelift")
        }
        if !agones, agonesSdkPort != nil || agonesPortName != nil {
            throw ValidationError("--agones-sdk-port and --agones-port-name need --agones")
        }
        if let agonesSdkPort, !(1...65_535).contains(agonesSdkPort) {
            throw ValidationError("--agones-sdk-port \(agonesSdkPort) is not between 1 and 65535")
        }
        if let portRange, Self.parseRange(portRange) == nil {
            throw ValidationError("--port-range \(portRange): expected A-B with 1 <= A <= B <= 65535")
        }
    }

    /// The fleet agent these flags ask for, if any. Throws a ``FleetError`` naming what is missing. `portGiven`:
    /// `--port` was on the command line (Agones then advertises the reported UDP port instead of binding it).
    func agent(environment: [String: String], portGiven: Bool, logger: Logger) throws -> (any FleetAgent)? {
        if gamelift {
            var configuration = try GameLiftConfiguration.resolve(
                environment: environment,
                webSocketURL: gameliftUrl,
                processId: gameliftProcessId,
                hostId: gameliftHostId,
                fleetId: gameliftFleetId,
                authToken: gameliftAuthToken
            )
            configuration.logPaths = logPaths
            return GameLiftAgent(configuration: configuration, logger: logger)
        }
        if agones {
            let configuration = AgonesConfiguration(
                sidecarPort: try AgonesConfiguration.sidecarPort(flag: agonesSdkPort, environment: environment),
                portName: agonesPortName,
                bindReportedPort: !portGiven
            )
            return AgonesAgent(configuration: configuration, logger: logger)
        }
        return nil
    }
}
