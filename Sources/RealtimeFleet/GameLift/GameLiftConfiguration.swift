import Foundation

/// How `serve --gamelift` reaches the GameLift service: the server SDK 5 WebSocket and the process's identity.
///
/// Values come from the environment GameLift sets (managed EC2) or that the operator sets (Anywhere):
/// `GAMELIFT_SDK_WEBSOCKET_URL`, `GAMELIFT_SDK_PROCESS_ID`, `GAMELIFT_SDK_HOST_ID` (the compute),
/// `GAMELIFT_SDK_FLEET_ID` and `GAMELIFT_SDK_AUTH_TOKEN`; flags override them.
public struct GameLiftConfiguration: Sendable {
    /// `wss://…` (or `ws://` for a local test service).
    public var webSocketURL: String
    /// The process id (`pID`); generated when the environment has none.
    public var processId: String
    /// The compute (`ComputeId`): an Anywhere compute's name, or the EC2 host.
    public var hostId: String
    public var fleetId: String
    /// `Authorization`: an Anywhere compute auth token, or the one GameLift gives a managed process.
    public var authToken: String
    /// Sent once per process, the same on every reconnection.
    public var idempotencyToken = UUID().uuidString.lowercased()
    /// Files GameLift uploads when the process ends (`LogPaths` of ActivateServerProcess).
    public var logPaths: [String] = []
    /// The server SDK whose protocol this speaks, as told to the service.
    public var sdkVersion = "5.2.0"
    public var sdkLanguage = "Cpp"
    /// Heartbeats every `heartbeatInterval` ± `heartbeatJitter`; the script's onHealthCheck has
    /// `healthCheckTimeout` to answer (unhealthy otherwise).
    public var heartbeatInterval: Duration = .seconds(60)
    public var heartbeatJitter: Duration = .seconds(10)
    public var healthCheckTimeout: Duration = .seconds(50)
    /// How long a request waits for its response; ActivateServerProcess has its own, shorter limit.
    public var requestTimeout: Duration = .seconds(20)
    public var activateTimeout: Duration = .seconds(6)
    /// Reconnection delays: doubling from `reconnectDelay` up to `maxReconnectDelay`.
    public var reconnectDelay: Duration = .milliseconds(500)
    public var maxReconnectDelay: Duration = .seconds(30)

    public init(webSocketURL: String, processId: String, hostId: String, fleetId: String, authToken: String) {
        self.webSocketURL = webSocketURL
        self.processId = processId
        self.hostId = hostId
        self.fleetId = fleetId
        self.authToken = authToken
    }

    /// The configuration from the environment, each value replaced by its flag when given. Throws
    /// ``FleetError/Code/misconfigured`` naming what is missing.
    public static func resolve(
        environment: [String: String],
        webSocketURL: String? = nil,
        processId: String? = nil,
        hostId: String? = nil,
        fleetId: String? = nil,
        authToken: String? = nil
    ) throws -> GameLiftConfiguration {
        func value(_ flag: String?, _ variable: String, _ option: String) throws -> String {
            if let flag, !flag.isEmpty { return flag }
            if let set = environment[variable], !set.isEmpty { return set }
            throw FleetError(.misconfigured, "--gamelift needs \(option) or \(variable)")
        }
        let url = try value(webSocketURL, "GAMELIFT_SDK_WEBSOCKET_URL", "--gamelift-url")
        guard let parsed = URL(string: url), ["ws", "wss"].contains(parsed.scheme?.lowercased() ?? ""),
            parsed.host?.isEmpty == false
        else {
            throw FleetError(.misconfigured, "the GameLift WebSocket URL \(url) is not a wss:// (or ws://) URL")
        }
        return GameLiftConfiguration(
            webSocketURL: url,
            processId: processId ?? environment["GAMELIFT_SDK_PROCESS_ID"].flatMap { $0.isEmpty ? nil : $0 }
                ?? UUID().uuidString.lowercased(),
            hostId: try value(hostId, "GAMELIFT_SDK_HOST_ID", "--gamelift-host-id"),
            fleetId: try value(fleetId, "GAMELIFT_SDK_FLEET_ID", "--gamelift-fleet-id"),
            authToken: try value(authToken, "GAMELIFT_SDK_AUTH_TOKEN", "--gamelift-auth-token")
        )
    }

    /// The URL to connect to: `endpoint` with the identity in its query (`pID`, `sdkVersion`, `sdkLanguage`,
    /// `ComputeId`, `FleetId`, `IdempotencyToken`, `Authorization`).
    func connectionURL(endpoint: String, authToken: String) throws -> URL {
        let parameters = [
            ("pID", processId), ("sdkVersion", sdkVersion), ("sdkLanguage", sdkLanguage), ("ComputeId", hostId),
            ("FleetId", fleetId), ("IdempotencyToken", idempotencyToken), ("Authorization", authToken),
        ]
        let query = parameters.map { "\($0)=\(Self.percentEncoded($1))" }.joined(separator: "&")
        let separator = endpoint.contains("?") ? "&" : "?"
        guard let url = URL(string: endpoint + separator + query) else {
            throw FleetError(.misconfigured, "the GameLift WebSocket URL \(endpoint) is not valid")
        }
        return url
    }

    /// Everything but unreserved characters (RFC 3986) percent-encoded: tokens keep their `+`, `/` and `=`.
    static func percentEncoded(_ value: String) -> String {
        var unreserved = CharacterSet.alphanumerics
        unreserved.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }
}
