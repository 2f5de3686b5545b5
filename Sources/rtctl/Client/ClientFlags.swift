import ArgumentParser
import Foundation
import Logging
import NIOCore
import RealtimeClient
import RealtimeProtocol

/// The flags every client subcommand shares: where to connect, who to be, and how payloads are printed.
struct ClientFlags: ParsableArguments {
    static let defaultEndpoint = "127.0.0.1:1900"

    @Argument(
        help: ArgumentHelp(
            "HOST:PORT, [IPv6]:PORT, ws://HOST:PORT[/path] or wss://… (default: $RTCTL_ENDPOINT, else 127.0.0.1:1900).",
            valueName: "endpoint"
        )
    )
    var endpointArgument: String?

    @Option(
        name: .customLong("endpoint"),
        help: ArgumentHelp("The server's endpoint, instead of the positional argument.", valueName: "endpoint")
    )
    var endpointOption: String?

    @Option(
        help: ArgumentHelp(
            "The player session id to log in with (default: $RTCTL_PLAYER_SESSION_ID, else a generated one).",
            valueName: "id"
        )
    )
    var playerSessionId: String?

    @Option(help: ArgumentHelp("The login's connection payload, as UTF-8 text.", valueName: "text"))
    var connectPayload: String?

    @Option(help: ArgumentHelp("The login's connection payload, as base64.", valueName: "base64"))
    var connectPayloadBase64: String?

    @Flag(help: "Keep every message on the WebSocket (no UDP association).")
    var noUdp = false

    @Option(help: PayloadFormat.help)
    var payloadFormat: PayloadFormat = .auto

    @Option(help: ArgumentHelp("How long connecting and logging in may take.", valueName: "duration"))
    var connectTimeout: DurationArgument = DurationArgument(.seconds(10))

    @OptionGroup
    var tls: TLSFlags

    func validate() throws {
        if endpointArgument != nil, endpointOption != nil {
            throw ValidationError("give the endpoint either as an argument or with --endpoint, not both")
        }
        if connectPayload != nil, connectPayloadBase64 != nil {
            throw ValidationError("--connect-payload and --connect-payload-base64 contradict each other")
        }
        if let connectPayloadBase64, Base64.decode(connectPayloadBase64) == nil {
            throw ValidationError("--connect-payload-base64: not valid base64")
        }
        _ = try endpoint(environment: ProcessInfo.processInfo.environment)
    }

    /// The endpoint: the argument, else `--endpoint`, else `RTCTL_ENDPOINT`, else 127.0.0.1:1900.
    func endpoint(environment: [String: String]) throws -> Endpoint {
        try Self.endpoint(argument: endpointArgument, option: endpointOption, environment: environment)
    }

    /// The endpoint rule every command that connects shares (`bench` and `replay` too).
    static func endpoint(argument: String?, option: String?, environment: [String: String]) throws -> Endpoint {
        let fromEnvironment = environment["RTCTL_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 }
        let text = argument ?? option ?? fromEnvironment ?? defaultEndpoint
        do {
            return try Endpoint(parsing: text)
        } catch {
            let source = argument != nil || option != nil ? "endpoint" : "RTCTL_ENDPOINT"
            throw ValidationError("\(source): \(error)")
        }
    }

    /// The player session id: `--player-session-id`, else `RTCTL_PLAYER_SESSION_ID`, else `rtctl-<pid>-<random>`.
    func playerSessionId(environment: [String: String]) -> String {
        if let playerSessionId { return playerSessionId }
        if let id = environment["RTCTL_PLAYER_SESSION_ID"], !id.isEmpty { return id }
        return "rtctl-\(getpid())-\(String(UInt32.random(in: .min ... .max), radix: 16))"
    }

    func clientOptions(environment: [String: String], logger: Logger, noUDP: Bool? = nil) throws -> ClientOptions {
        var payload = ByteBuffer()
        if let connectPayload { payload.writeString(connectPayload) }
        if let connectPayloadBase64, let bytes = Base64.decode(connectPayloadBase64) { payload.writeBytes(bytes) }
        return ClientOptions(
            playerSessionId: playerSessionId(environment: environment),
            connectPayload: payload,
            noUDP: noUDP ?? noUdp,
            logger: logger,
            connectTimeout: .nanoseconds(Int64(connectTimeout.nanoseconds)),
            eventBufferSize: 4096,
            tls: try tls.clientTLS()
        )
    }

    /// Connects and logs in; a failure to do so is exit status 3.
    func connect(logger: Logger, noUDP: Bool? = nil) async throws -> RealtimeClient {
        let environment = ProcessInfo.processInfo.environment
        let endpoint = try endpoint(environment: environment)
        do {
            return try await RealtimeClient.connect(
                to: endpoint,
                options: try clientOptions(environment: environment, logger: logger, noUDP: noUDP)
            )
        } catch let error as RealtimeClientError {
            let description = "\(error)"
            let message = description.contains(endpoint.url) ? description : "\(endpoint.url): \(description)"
            if error.code.isConnectFailure { throw RtctlError.connectionFailed(message) }
            throw RtctlError.runtime(message)
        }
    }
}
