/// An error of the fleet integrations: equal on its code, with a readable one-line description.
public struct FleetError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The peer could not be reached.
        public static let connectFailed = Code(rawValue: "connectFailed")
        /// No answer in time.
        public static let timedOut = Code(rawValue: "timedOut")
        /// The peer answered something that does not follow its protocol.
        public static let badResponse = Code(rawValue: "badResponse")
        /// The peer answered with an error status.
        public static let refused = Code(rawValue: "refused")
        /// The service refused the credentials (GameLift's WebSocket handshake answered 403): fatal.
        public static let forbidden = Code(rawValue: "forbidden")
        /// The configuration is incomplete (a missing URL, fleet id, …).
        public static let misconfigured = Code(rawValue: "misconfigured")
        /// The connection closed before the answer.
        public static let closed = Code(rawValue: "closed")

        public var description: String { rawValue }
    }

    public let code: Code
    private let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public static func == (lhs: FleetError, rhs: FleetError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

/// Runs `operation`, failing with ``FleetError/Code/timedOut`` when it takes longer than `limit`.
func withTimeout<Result: Sendable>(
    _ limit: Duration,
    _ what: @autoclosure () -> String,
    _ operation: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    let description = what()
    return try await withThrowingTaskGroup(of: Result.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw FleetError(.timedOut, "\(description): no answer within \(limit)")
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

/// Where and why JSON could not be decoded, in one line.
func describe(_ error: DecodingError) -> String {
    switch error {
    case .keyNotFound(let key, _): "no \(key.stringValue)"
    case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
        "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
    @unknown default: "\(error)"
    }
}
