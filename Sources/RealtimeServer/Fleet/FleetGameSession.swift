/// A game session as a fleet manager starts it, handed to the script's `onStartGameSession(gameSession)`.
///
/// The script's object carries each field twice: under GameLift's own name, as the service sends it
/// (`GameSessionId`, `Name`, `MaximumPlayerSessionCount`, `GameProperties`, …), and in lower camel case
/// (`gameSessionId`, `name`, `maximumPlayerSessionCount`, `gameProperties`, …). `GameProperties` is an object of
/// strings. Fields the fleet manager did not send are absent.
public struct FleetGameSession: Sendable, Hashable, Codable {
    public var gameSessionId: String
    public var name: String?
    public var fleetId: String?
    public var maximumPlayerSessionCount: Int?
    public var port: Int?
    public var ipAddress: String?
    public var dnsName: String?
    public var gameSessionData: String?
    public var matchmakerData: String?
    public var gameProperties: [String: String]

    public init(
        gameSessionId: String,
        name: String? = nil,
        fleetId: String? = nil,
        maximumPlayerSessionCount: Int? = nil,
        port: Int? = nil,
        ipAddress: String? = nil,
        dnsName: String? = nil,
        gameSessionData: String? = nil,
        matchmakerData: String? = nil,
        gameProperties: [String: String] = [:]
    ) {
        self.gameSessionId = gameSessionId
        self.name = name
        self.fleetId = fleetId
        self.maximumPlayerSessionCount = maximumPlayerSessionCount
        self.port = port
        self.ipAddress = ipAddress
        self.dnsName = dnsName
        self.gameSessionData = gameSessionData
        self.matchmakerData = matchmakerData
        self.gameProperties = gameProperties
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case gameSessionId, name, fleetId, maximumPlayerSessionCount, port, ipAddress, dnsName, gameSessionData
        case matchmakerData, gameProperties
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        for key in CodingKeys.allCases {
            for name in [key.stringValue, key.stringValue.prefix(1).uppercased() + key.stringValue.dropFirst()] {
                let codingKey = DynamicKey(name)
                switch key {
                case .gameSessionId: try container.encode(gameSessionId, forKey: codingKey)
                case .name: try container.encodeIfPresent(self.name, forKey: codingKey)
                case .fleetId: try container.encodeIfPresent(fleetId, forKey: codingKey)
                case .maximumPlayerSessionCount:
                    try container.encodeIfPresent(maximumPlayerSessionCount, forKey: codingKey)
                case .port: try container.encodeIfPresent(port, forKey: codingKey)
                case .ipAddress: try container.encodeIfPresent(ipAddress, forKey: codingKey)
                case .dnsName: try container.encodeIfPresent(dnsName, forKey: codingKey)
                case .gameSessionData: try container.encodeIfPresent(gameSessionData, forKey: codingKey)
                case .matchmakerData: try container.encodeIfPresent(matchmakerData, forKey: codingKey)
                case .gameProperties: try container.encode(gameProperties, forKey: codingKey)
                }
            }
        }
    }
}

/// A change of the game session by the fleet manager, handed to the script's `onUpdateGameSession(update)` as
/// `{updateReason, backfillTicketId, gameSession}` (and the same under GameLift's names).
public struct FleetGameSessionUpdate: Sendable, Hashable, Encodable {
    public var updateReason: String?
    public var backfillTicketId: String?
    public var gameSession: FleetGameSession

    public init(updateReason: String?, backfillTicketId: String?, gameSession: FleetGameSession) {
        self.updateReason = updateReason
        self.backfillTicketId = backfillTicketId
        self.gameSession = gameSession
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        for name in ["updateReason", "UpdateReason"] {
            try container.encodeIfPresent(updateReason, forKey: DynamicKey(name))
        }
        for name in ["backfillTicketId", "BackfillTicketId"] {
            try container.encodeIfPresent(backfillTicketId, forKey: DynamicKey(name))
        }
        for name in ["gameSession", "GameSession"] { try container.encode(gameSession, forKey: DynamicKey(name)) }
    }
}
