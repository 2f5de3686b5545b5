import Logging
import NIOConcurrencyHelpers

/// How the game session ends and the exit status it leaves, as a value: 0 after a signal or `processEnding()`, the
/// script's `process.exit` code, 1 after a script failure (a hung callback, a dead script host). No I/O: each event
/// says what to do.
struct SessionEnd: Sendable, Equatable {
    /// What an event asks of the server.
    enum Action: Equatable, Sendable {
        /// Nothing: the end is already under way, or this is part of it.
        case none
        /// End the session (stop serving, close every player), logging why.
        case end(reason: String, failure: Bool)
    }

    private(set) var status: Int32 = 0
    private var failed = false
    /// The script ended the session or the server is stopping on a signal: what fails after that (a call cut short
    /// by the exit) is the end taking its course, not a failure.
    private(set) var ended = false
    /// The server is stopping the script host: its exit is expected.
    private var stoppingHost = false
    /// The script asked to end (`processEnding()` or `process.exit`): its host exits next.
    private var scriptEndSeen = false

    /// `processEnding()` (code 0) or `process.exit(code)`. A later end replaces the status of an earlier one (the
    /// last wins); a failure keeps its non-zero status.
    mutating func scriptEnded(code: Int32) -> Action {
        scriptEndSeen = true
        if !failed { status = code }
        ended = true
        return .end(reason: code == 0 ? "the script ended it" : "the script exited with status \(code)", failure: false)
    }

    /// A failure that ends the session (a callback that hung, a dead host): exit status 1.
    mutating func failure(_ reason: String) -> Action {
        guard !ended || failed else { return .none }
        failed = true
        if status == 0 { status = 1 }
        ended = true
        return .end(reason: reason, failure: true)
    }

    /// The host process exited: a failure unless the script or the server ended it.
    mutating func hostExited(status: Int32, lastErrors: [String]) -> Action {
        guard !scriptEndSeen, !stoppingHost else { return .none }
        let errors = lastErrors.isEmpty ? "" : "; its last errors:\n" + lastErrors.joined(separator: "\n")
        return failure("the script host exited unexpectedly with status \(status)\(errors)")
    }

    /// The server is stopping on a signal (status 0).
    mutating func stopping() {
        ended = true
    }

    /// The server is about to stop the script host.
    mutating func expectHostExit() {
        stoppingHost = true
    }
}

/// Where the script's requests go, and how the session ends: the one place that holds ``SessionEnd``, the trigger
/// that stops the serving session, and the requests that came before the session served (from `init` or
/// `onStartGameSession`), which go to it in order once it does.
final class SessionEnding: Sendable {
    private struct State {
        var end = SessionEnd()
        var trigger: (@Sendable () -> Void)?
        var session: SessionHost?
        var buffered: [ScriptRequest] = []
        var script: ScriptHost?
        /// The script ended the session before its host object existed: acknowledge when it does.
        var unacknowledgedEnd = false
    }

    private let state = NIOLockedValueBox(State())
    private let logger: Logger
    /// Where the script's state is shown (the admin listener, the fleet managers).
    private let serverStatus: ServerStatus?

    init(logger: Logger, status: ServerStatus? = nil) {
        self.logger = logger
        self.serverStatus = status
    }

    var status: Int32 { state.withLockedValue { $0.end.status } }

    /// A request of the script (on the bridge's event loop, in the order the script made them).
    func handle(_ request: ScriptRequest) {
        switch request {
        case .end(let code):
            let (action, script) = state.withLockedValue { state in
                state.unacknowledgedEnd = state.script == nil
                return (state.end.scriptEnded(code: code), state.script)
            }
            script?.acknowledgeEnd()
            self.serverStatus?.update { $0.script = .ended }
            carryOut(action)
        case .hung(let hook):
            self.serverStatus?.update { $0.script = .failed }
            fail("script callback \(hook) did not return in time")
        case .exited(let status, let lastErrors):
            let action = state.withLockedValue { $0.end.hostExited(status: status, lastErrors: lastErrors) }
            if case .end(_, failure: true) = action { self.serverStatus?.update { $0.script = .failed } }
            carryOut(action)
        case .send, .broadcastMembership, .opCodes:
            let session = state.withLockedValue { state -> SessionHost? in
                if state.session == nil { state.buffered.append(request) }
                return state.session
            }
            session?.perform(request)
        }
    }

    /// A failure that ends the session with status 1.
    func fail(_ reason: String) {
        carryOut(state.withLockedValue { $0.end.failure(reason) })
    }

    /// The server is stopping on a signal: what fails after that is the stop taking its course.
    func stopping() {
        state.withLockedValue { $0.end.stopping() }
    }

    /// The server is about to stop the script host (at shutdown): its exit is no failure.
    func expectHostExit() {
        state.withLockedValue { $0.end.expectHostExit() }
    }

    /// The script host has started.
    func attach(script: ScriptHost) {
        let acknowledge = state.withLockedValue { state in
            state.script = script
            defer { state.unacknowledgedEnd = false }
            return state.unacknowledgedEnd
        }
        if acknowledge { script.acknowledgeEnd() }
    }

    /// The session is serving: buffered requests go to it, then every later one; `trigger` ends it (at once when the
    /// session has already been ended).
    func attach(session: SessionHost, trigger: @escaping @Sendable () -> Void) {
        let ended = state.withLockedValue { state in
            // Under the lock, so that no later request overtakes the buffered ones (`perform` only enqueues).
            state.session = session
            for request in state.buffered { session.perform(request) }
            state.buffered = []
            state.trigger = trigger
            return state.end.ended
        }
        if ended { trigger() }
    }

    /// The session is over: later ends change nothing.
    func finish() {
        state.withLockedValue { $0.trigger = nil }
    }

    private func carryOut(_ action: SessionEnd.Action) {
        guard case .end(let reason, let failure) = action else { return }
        if failure {
            logger.error("ending the game session: \(reason)")
        } else {
            logger.info("ending the game session: \(reason)", metadata: ["status": "\(status)"])
        }
        state.withLockedValue { $0.trigger }?()
    }
}
