import RealtimeSession

/// The seam for a server script: the server asks it the session's ``Decision``s and tells it the session's
/// ``Notice``s.
///
/// The server calls a script only when `configuration.session.hooks` is not empty; the session asks only about the
/// hooks listed there, so with no hooks no decision ever occurs. A decision is awaited before the packet's connection
/// reads its next packet, which keeps each sender's order.
public protocol SessionScript: Sendable {
    /// Answers a question of the session: true allows (a login, a join or leave, a delivery).
    func decide(_ decision: Decision) async -> Bool
    /// Answers a question with a reason when it refuses; by default ``decide(_:)`` without a reason. A validator
    /// composed in front of a script (a fleet's player-session check) refuses logins with its own reason.
    func verdict(on decision: Decision) async -> Verdict
    /// Something happened in the session. Called on the session's event loop: return at once.
    func notify(_ notice: Notice)
}

extension SessionScript {
    public func verdict(on decision: Decision) async -> Verdict {
        await decide(decision) ? .allow : .refuse()
    }
}
