import NIOCore
import RealtimeSession

/// The login validator in front of the script when a fleet manager runs the process: a login is refused until the
/// fleet has started the game session, then the fleet checks the player session (GameLift AcceptPlayerSession),
/// and only then the script's `onPlayerConnect` decides. Its refusal reason becomes the close frame's reason. Every
/// other question goes to the script alone; every notice to both.
final class FleetGate: SessionScript {
    private let fleet: any FleetAgent
    private let script: (any SessionScript)?
    /// The script asks about logins itself (it defines `onPlayerConnect`).
    private let scriptDecidesLogins: Bool
    private let status: ServerStatus
    /// The session's event loop: questions come and answers go there.
    private let loop: any EventLoop

    init(
        fleet: any FleetAgent,
        script: (any SessionScript)?,
        scriptDecidesLogins: Bool,
        status: ServerStatus,
        loop: any EventLoop
    ) {
        self.fleet = fleet
        self.script = script
        self.scriptDecidesLogins = scriptDecidesLogins
        self.status = status
        self.loop = loop
    }

    func ask(_ question: Question, answer: @escaping (Bool) -> Void) {
        ask(question) { (verdict: Verdict) in answer(verdict.allowed) }
    }

    func ask(_ question: Question, verdict: @escaping (Verdict) -> Void) {
        guard case .login(let player) = question.decision else {
            guard let script else { return verdict(.allow) }
            return script.ask(question, verdict: verdict)
        }
        switch status.health.gameSession {
        case .waiting: return verdict(.refuse("no game session yet"))
        case .ended: return verdict(.refuse("game session ended"))
        default: break
        }
        let reply = NIOLoopBound(verdict, eventLoop: loop)
        let (fleet, script, scriptDecidesLogins, loop) = (self.fleet, self.script, self.scriptDecidesLogins, self.loop)
        Task {
            let admitted = await fleet.admit(player)
            loop.execute {
                guard admitted.allowed, scriptDecidesLogins, let script else { return reply.value(admitted) }
                script.ask(question, verdict: reply.value)
                // Outside the session's batch: what the script was asked leaves now.
                script.flush()
            }
        }
    }

    func notify(_ notice: Notice) {
        script?.notify(notice)
        fleet.notify(notice)
    }

    var hearsMessagesToServer: Bool { script?.hearsMessagesToServer ?? false }

    func flush() {
        script?.flush()
    }
}
