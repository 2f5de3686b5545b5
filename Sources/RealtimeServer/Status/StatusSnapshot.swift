/// What the server looks like at one moment: the status page's data and the source of the gauges.
public struct StatusSnapshot: Sendable, Hashable {
    public struct PlayerSummary: Sendable, Hashable, Codable {
        public var peerId: Int32
        public var playerSessionId: String
    }

    public struct GroupSummary: Sendable, Hashable, Codable {
        public var group: Int32
        public var members: [Int32]
    }

    /// Seconds since the server started (monotonic).
    public var uptime: Double
    public var gameSessionId: String
    public var maxPlayers: Int
    public var health: HealthState
    public var players: [PlayerSummary] = []
    /// Developer groups with at least one member, ascending.
    public var groups: [GroupSummary] = []
    public var totals: TrafficTotals
}

/// Running totals of the server's counters since it started.
public struct TrafficTotals: Sendable, Hashable, Codable {
    public var messagesReceivedReliable = 0
    public var messagesReceivedFast = 0
    public var bytesReceivedReliable = 0
    public var bytesReceivedFast = 0
    public var packetsSentReliable = 0
    public var packetsSentFast = 0
    public var bytesSentReliable = 0
    public var bytesSentFast = 0
    public var relayed = 0
    public var dropped = 0
    public var loginsAccepted = 0
    public var loginsRefused = 0

    public init() {}
}
