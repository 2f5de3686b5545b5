import Logging
import NIOConcurrencyHelpers

/// How the game session ends and the exit status it leaves: 0 after a signal or `processEnding()`, the script's
/// `process.exit` code, or 1 after a script failure (a hung callback, a dead script host).
final class SessionEnding: Sendable {
    private struct State {
        var status: Int32 = 0
        var failed = false
        var ended = false
        var trigger: (@Sendable () -> Void)?
    }

    private let state = NIOLockedValueBox(State())
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    var status: Int32 { state.withLockedValue { $0.status } }

    /// Ends the session with `status`. A later script `end` replaces the status of an earlier one (the last wins); a
    /// failure keeps a non-zero status.
    func end(status: Int32, reason: String, failure: Bool = false) {
        // Once the script has ended the session itself, what fails after (a hook call cut short by its exit) is
        // the end taking its course, not a failure.
        if failure, state.withLockedValue({ $0.ended && !$0.failed }) {
            logger.debug("after the end of the game session: \(reason)")
            return
        }
        if failure {
            logger.error("ending the game session: \(reason)")
        } else {
            logger.info("ending the game session: \(reason)", metadata: ["status": "\(status)"])
        }
        let trigger = state.withLockedValue { state -> (@Sendable () -> Void)? in
            if failure {
                state.failed = true
                if state.status == 0 { state.status = 1 }
            } else if !state.failed {
                state.status = status
            }
            state.ended = true
            return state.trigger
        }
        trigger?()
    }

    /// The server is stopping on a signal (status 0): what fails after that is the stop taking its course.
    func stopping() {
        state.withLockedValue { $0.ended = true }
    }

    /// The session is over: later ends change nothing.
    func finish() {
        state.withLockedValue { $0.trigger = nil }
    }

    /// What ends the serving session; called at once when the session has already been ended.
    func setTrigger(_ trigger: @escaping @Sendable () -> Void) {
        let ended = state.withLockedValue { state in
            state.trigger = trigger
            return state.ended
        }
        if ended { trigger() }
    }
}

/// Hands the script's requests to the session, in the order the script made them. Requests that come before the
/// session is serving (from `init` or `onStartGameSession`) wait for it.
final class ScriptRequestRouter: Sendable {
    private struct State {
        var session: SessionHost?
        var buffered: [ScriptRequest] = []
        var script: ScriptHost?
        var endSeen = false
        var endAcknowledged = false
        /// The server is stopping the host: its exit is expected.
        var stopping = false
    }

    private let state = NIOLockedValueBox(State())
    private let ending: SessionEnding
    private let status: ServerStatus

    init(ending: SessionEnding, status: ServerStatus) {
        self.ending = ending
        self.status = status
    }

    /// Called on the bridge's event loop for every request.
    func handle(_ request: ScriptRequest) {
        switch request {
        case .end(let code):
            let script = state.withLockedValue { state -> ScriptHost? in
                state.endSeen = true
                state.endAcknowledged = state.script != nil
                return state.script
            }
            script?.acknowledgeEnd()
            self.status.update { $0.script = .ended }
            ending.end(
                status: code,
                reason: code == 0 ? "the script ended it" : "the script exited with status \(code)"
            )
        case .hung(let hook):
            self.status.update { $0.script = .failed }
            ending.end(status: 1, reason: "script callback \(hook) did not return in time", failure: true)
        case .exited(let status, let lastErrors):
            guard !state.withLockedValue({ $0.endSeen || $0.stopping }) else { return }
            let errors = lastErrors.isEmpty ? "" : "; its last errors:\n" + lastErrors.joined(separator: "\n")
            self.status.update { $0.script = .failed }
            ending.end(
                status: 1,
                reason: "the script host exited unexpectedly with status \(status)\(errors)",
                failure: true
            )
        case .send, .broadcastMembership, .opCodes:
            let session = state.withLockedValue { state -> SessionHost? in
                if state.session == nil { state.buffered.append(request) }
                return state.session
            }
            session?.perform(request)
        }
    }

    /// The server is about to stop the script host (at shutdown): its exit is no failure.
    func expectExit() {
        state.withLockedValue { $0.stopping = true }
    }

    /// The script host has started.
    func attach(script: ScriptHost) {
        let acknowledge = state.withLockedValue { state in
            state.script = script
            defer { state.endAcknowledged = state.endSeen }
            return state.endSeen && !state.endAcknowledged
        }
        if acknowledge { script.acknowledgeEnd() }
    }

    /// The session is serving: buffered requests go to it, then every later one.
    func attach(session: SessionHost) {
        state.withLockedValue { state in
            // Under the lock, so that no later request overtakes the buffered ones (`perform` only enqueues).
            state.session = session
            for request in state.buffered { session.perform(request) }
            state.buffered = []
        }
    }
}
