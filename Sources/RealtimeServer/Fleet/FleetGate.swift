import RealtimeSession

/// The login validator in front of the script when a fleet manager runs the process: a login is refused until the
/// fleet has started the game session, then the fleet checks the player session (GameLift AcceptPlayerSession),
/// and only then the script's `onPlayerConnect` decides. Its refusal reason becomes the close frame's reason. Every
/// other decision goes to the script alone; every notice to both.
final class FleetGate: SessionScript {
    private let fleet: any FleetAgent
    private let script: (any SessionScript)?
    /// The script asks about logins itself (it defines `onPlayerConnect`).
    private let scriptDecidesLogins: Bool
    private let status: ServerStatus

    init(fleet: any FleetAgent, script: (any SessionScript)?, scriptDecidesLogins: Bool, status: ServerStatus) {
        self.fleet = fleet
        self.script = script
        self.scriptDecidesLogins = scriptDecidesLogins
        self.status = status
    }

    func decide(_ decision: Decision) async -> Bool {
        await verdict(on: decision).allowed
    }

    func verdict(on decision: Decision) async -> Verdict {
        guard case .login(let player) = decision else {
            return await script?.verdict(on: decision) ?? .allow
        }
        switch status.health.gameSession {
        case .waiting: return .refuse("no game session yet")
        case .ended: return .refuse("game session ended")
        default: break
        }
        let admitted = await fleet.admit(player)
        guard admitted.allowed, scriptDecidesLogins, let script else { return admitted }
        return await script.verdict(on: decision)
    }

    func notify(_ notice: Notice) {
        script?.notify(notice)
        fleet.notify(notice)
    }
}
