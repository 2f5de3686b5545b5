import Foundation
import RealtimeServer

/// A request to the GameLift service: a text frame of JSON with `Action`, `RequestId` and the action's fields.
struct GameLiftRequest<Fields: Encodable & Sendable>: Encodable, Sendable {
    var action: String
    var requestId: String
    var fields: Fields

    private enum CodingKeys: String, CodingKey {
        case action = "Action"
        case requestId = "RequestId"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(action, forKey: .action)
        try container.encode(requestId, forKey: .requestId)
        try fields.encode(to: encoder)
    }

    var jsonText: String {
        get throws {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(self), as: UTF8.self)
        }
    }
}

/// The fields of each request the process sends.
enum GameLiftFields {
    struct ActivateServerProcess: Encodable, Sendable {
        var SdkVersion: String
        var SdkLanguage: String
        var Port: Int
        var LogPaths: [String]
    }

    struct Heartbeat: Encodable, Sendable {
        var HealthStatus: Bool
    }

    struct GameSession: Encodable, Sendable {
        var GameSessionId: String
    }

    struct PlayerSession: Encodable, Sendable {
        var GameSessionId: String
        var PlayerSessionId: String
    }

    struct CreationPolicy: Encodable, Sendable {
        var GameSessionId: String
        var PlayerSessionPolicy: String
    }

    struct DescribePlayerSessions: Encodable, Sendable {
        var GameSessionId: String?
        var PlayerId: String?
        var PlayerSessionId: String?
        var PlayerSessionStatusFilter: String?
        var NextToken: String?
        var Limit: Int?
    }

    struct None: Encodable, Sendable {}
}

/// A message from the service: a response (it has a `RequestId`) or a push (it has none).
enum GameLiftInbound: Sendable {
    case response(GameLiftResponse)
    case push(GameLiftPush)

    private struct Envelope: Decodable {
        var Action: String?
        var RequestId: String?
        var StatusCode: Int?
        var ErrorMessage: String?
    }

    /// Parses one text frame; throws ``FleetError/Code/badResponse`` for anything else.
    init(text: String) throws {
        let data = Data(text.utf8)
        let envelope: Envelope
        do {
            envelope = try JSONDecoder().decode(Envelope.self, from: data)
        } catch {
            throw FleetError(.badResponse, "a GameLift message that is not a JSON object: \(text.prefix(200))")
        }
        guard let action = envelope.Action, !action.isEmpty else {
            throw FleetError(.badResponse, "a GameLift message without an Action: \(text.prefix(200))")
        }
        if let requestId = envelope.RequestId, !requestId.isEmpty {
            self = .response(
                GameLiftResponse(
                    action: action,
                    requestId: requestId,
                    statusCode: envelope.StatusCode ?? 200,
                    errorMessage: envelope.ErrorMessage ?? "",
                    json: data
                )
            )
        } else {
            self = .push(try GameLiftPush(action: action, json: data))
        }
    }
}

/// The service's answer to a request.
public struct GameLiftResponse: Sendable, Hashable {
    public var action: String
    public var requestId: String
    /// 200, or an error status with ``errorMessage``.
    public var statusCode: Int
    public var errorMessage: String
    /// The whole message (DescribePlayerSessions carries `PlayerSessions` and `NextToken`).
    public var json: Data

    public var succeeded: Bool { statusCode == 200 }
}

/// What the service pushes to the process.
enum GameLiftPush: Sendable, Hashable {
    case createGameSession(FleetGameSessionMessage)
    case updateGameSession(FleetGameSessionUpdateMessage)
    /// `TerminationTime` in milliseconds since 1970, if given.
    case terminateProcess(terminationTime: Int64?)
    case refreshConnection(endpoint: String, authToken: String)
    case unknown(action: String)

    init(action: String, json: Data) throws {
        let decoder = JSONDecoder()
        do {
            switch action {
            case "CreateGameSession":
                self = .createGameSession(try decoder.decode(FleetGameSessionMessage.self, from: json))
            case "UpdateGameSession":
                self = .updateGameSession(try decoder.decode(FleetGameSessionUpdateMessage.self, from: json))
            case "TerminateProcess":
                self = .terminateProcess(terminationTime: try decoder.decode(Terminate.self, from: json).time)
            case "RefreshConnection":
                let refresh = try decoder.decode(Refresh.self, from: json)
                self = .refreshConnection(endpoint: refresh.RefreshConnectionEndpoint, authToken: refresh.AuthToken)
            default:
                self = .unknown(action: action)
            }
        } catch let error as DecodingError {
            throw FleetError(.badResponse, "a GameLift \(action) push that cannot be read: \(describe(error))")
        }
    }

    private struct Terminate: Decodable {
        var time: Int64?
        private enum CodingKeys: String, CodingKey { case time = "TerminationTime" }
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            time = try container.decodeLenientIntegerIfPresent(forKey: .time)
        }
    }

    private struct Refresh: Decodable {
        var RefreshConnectionEndpoint: String
        var AuthToken: String
    }
}

/// The fields of a CreateGameSession push (and of the game session inside UpdateGameSession).
struct FleetGameSessionMessage: Decodable, Sendable, Hashable {
    var gameSession: FleetGameSession

    private enum CodingKeys: String, CodingKey {
        case GameSessionId, Name, GameSessionName, FleetId, MaximumPlayerSessionCount, Port, IpAddress, DnsName
        case GameSessionData, MatchmakerData, GameProperties
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        gameSession = FleetGameSession(
            gameSessionId: try container.decode(String.self, forKey: .GameSessionId),
            name: try container.decodeIfPresent(String.self, forKey: .Name)
                ?? container.decodeIfPresent(String.self, forKey: .GameSessionName),
            fleetId: try container.decodeIfPresent(String.self, forKey: .FleetId),
            maximumPlayerSessionCount: try container.decodeLenientIntegerIfPresent(forKey: .MaximumPlayerSessionCount)
                .map(Int.init),
            port: try container.decodeLenientIntegerIfPresent(forKey: .Port).map(Int.init),
            ipAddress: try container.decodeIfPresent(String.self, forKey: .IpAddress),
            dnsName: try container.decodeIfPresent(String.self, forKey: .DnsName),
            gameSessionData: try container.decodeIfPresent(String.self, forKey: .GameSessionData),
            matchmakerData: try container.decodeIfPresent(String.self, forKey: .MatchmakerData),
            gameProperties: try container.decodeIfPresent([String: String].self, forKey: .GameProperties) ?? [:]
        )
    }
}

/// An UpdateGameSession push: `GameSession`, `UpdateReason`, `BackfillTicketId`.
struct FleetGameSessionUpdateMessage: Decodable, Sendable, Hashable {
    var update: FleetGameSessionUpdate

    private enum CodingKeys: String, CodingKey { case GameSession, UpdateReason, BackfillTicketId }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        update = FleetGameSessionUpdate(
            updateReason: try container.decodeIfPresent(String.self, forKey: .UpdateReason),
            backfillTicketId: try container.decodeIfPresent(String.self, forKey: .BackfillTicketId),
            gameSession: try container.decode(FleetGameSessionMessage.self, forKey: .GameSession).gameSession
        )
    }
}

extension KeyedDecodingContainer {
    /// An integer sent as a number or as a string of digits (JSON from protobuf writes int64 as strings).
    func decodeLenientIntegerIfPresent(forKey key: Key) throws -> Int64? {
        if let number = try? decodeIfPresent(Int64.self, forKey: key) { return number }
        guard let text = try decodeIfPresent(String.self, forKey: key) else { return nil }
        guard let number = Int64(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "\(text) is not an integer")
        }
        return number
    }
}
