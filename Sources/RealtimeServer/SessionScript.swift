import RealtimeSession

/// The seam between the session and a server script: the server asks it the session's questions and tells it the
/// session's ``Notice``s, all on the session's event loop.
///
/// The server calls a script only when `configuration.session.hooks` is not empty; the session asks only about the
/// hooks listed there, so with no hooks no question is ever asked. Questions are pipelined: several may be open at
/// once, and the session carries out their answers in each sender's order.
public protocol SessionScript: Sendable {
    /// Asks a question. `answer` must be called exactly once, on the session's event loop: true allows (a login, a
    /// join or leave, a delivery).
    func ask(_ question: Question, answer: @escaping (Bool) -> Void)
    /// Asks a question whose refusal may carry a reason; by default ``ask(_:answer:)`` without one. A validator
    /// composed in front of a script (a fleet's player-session check) refuses logins with its own reason. `verdict`
    /// must be called exactly once, on the session's event loop.
    func ask(_ question: Question, verdict: @escaping (Verdict) -> Void)
    /// Something happened in the session: return at once.
    func notify(_ notice: Notice)
    /// Whether a player's message to the server (``Notice/messageToServer(_:from:)``) goes to the script.
    var hearsMessagesToServer: Bool { get }
    /// The session's batch of work is done: send what was asked and told since the last flush.
    func flush()
}

extension SessionScript {
    public func ask(_ question: Question, verdict: @escaping (Verdict) -> Void) {
        ask(question) { verdict($0 ? .allow : .refuse()) }
    }
}
