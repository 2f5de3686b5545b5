import DequeModule
import RealtimeProtocol

/// The number of a question for the script; its answer comes back with it (``GameSession/decide(_:allow:)``).
public struct DecisionID: Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(_ rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public var description: String { "d\(rawValue)" }
}

/// A question for the script, by number.
public struct Question: Hashable, Sendable {
    public var id: DecisionID
    public var decision: Decision
}

extension GameSession {
    /// What a player sent that is not carried out yet: it waits behind the oldest unanswered question of that player.
    enum Pending: Sendable {
        /// Asked; the answer has not come.
        case asked(DecisionID, Decision)
        /// Answered, waiting for the questions before it.
        case answered(Decision, allow: Bool)
        /// A packet that needs no question now, or whose question depends on what comes before it.
        case waiting(Packet, fast: Bool)
    }

    /// Who asked a question.
    enum Asker: Sendable {
        case player(Int32)
        case login(ConnectionID)
    }

    /// Packets a player may have waiting behind unanswered questions; more are dropped (``DropReason/scriptBacklog``).
    public static let maxBacklog = 1024

    /// A packet from a logged-in peer, on either channel, in the order it arrived: carried out now when nothing of
    /// that peer waits for the script, else queued behind it. Delivery questions are asked at once even then
    /// (several in flight per sender), and their answers are carried out in the order the packets came.
    mutating func handle(_ packet: Packet, from peerId: Int32, fast: Bool) -> Effects {
        guard backlogs[peerId] != nil else {
            let effects = carryOut(packet, from: peerId, fast: fast)
            if let question = effects.questions.last {
                backlogs[peerId] = [.asked(question.id, question.decision)]
            }
            return effects
        }
        guard backlogs[peerId]!.count < Self.maxBacklog else {
            return .drop(.scriptBacklog, peerId: peerId, "too many packets waiting for the script")
        }
        if packet.opCode.isDeveloper {
            switch classify(packet, from: peerId, fast: fast) {
            case .drop(let effects):
                return effects
            case .ask(let decision):
                let question = ask(decision, by: .player(peerId))
                backlogs[peerId]!.append(.asked(question.id, decision))
                return .asking(question)
            case .toServer, .deliver:
                break
            }
        }
        backlogs[peerId]!.append(.waiting(packet, fast: fast))
        return Effects()
    }

    /// Registers a question and returns it (with its number) for the script.
    mutating func ask(_ decision: Decision, by asker: Asker) -> Question {
        let id = DecisionID(nextDecision)
        nextDecision += 1
        askers[id] = asker
        return Question(id: id, decision: decision)
    }

    /// The script answered question `id`. A player's answers are carried out in the order its packets came: this one
    /// and whatever waited behind it, up to the next unanswered question.
    public mutating func decide(_ id: DecisionID, allow: Bool) -> Effects {
        decide(id, verdict: allow ? .allow : .refuse())
    }

    /// The script (or a validator in front of it, a fleet's player-session check) answered question `id`; a refused
    /// login is closed with the verdict's reason.
    public mutating func decide(_ id: DecisionID, verdict: Verdict) -> Effects {
        let allow = verdict.allowed
        switch askers.removeValue(forKey: id) {
        case nil:
            return Effects()
        case .login(let connection):
            return decideLogin(on: connection, allow: allow, reason: verdict.reason)
        case .player(let peerId):
            guard
                let index = backlogs[peerId]?.firstIndex(where: {
                    if case .asked(id, _) = $0 { return true } else { return false }
                }),
                case .asked(_, let decision) = backlogs[peerId]![index]
            else { return Effects() }
            backlogs[peerId]![index] = .answered(decision, allow: allow)
            return drain(peerId)
        }
    }

    /// Carries out a player's backlog from its head, up to the first unanswered question.
    private mutating func drain(_ peerId: Int32) -> Effects {
        var effects = Effects()
        while let head = backlogs[peerId]?.first {
            switch head {
            case .asked:
                return effects
            case .answered(let decision, let allow):
                popBacklog(peerId)
                effects.append(apply(decision, allow: allow))
            case .waiting(let packet, let fast):
                popBacklog(peerId)
                let outcome = carryOut(packet, from: peerId, fast: fast)
                effects.append(outcome)
                if let question = outcome.questions.last {
                    backlogs[peerId, default: []].prepend(.asked(question.id, question.decision))
                    return effects
                }
            }
        }
        return effects
    }

    private mutating func popBacklog(_ peerId: Int32) {
        backlogs[peerId]!.removeFirst()
        if backlogs[peerId]!.isEmpty { backlogs[peerId] = nil }
    }

    /// The script answered `onPlayerConnect` for the login on `connection`.
    private mutating func decideLogin(on connection: ConnectionID, allow: Bool, reason: String?) -> Effects {
        guard case .loggingIn(let player, let queued) = connectionState(connection) else { return Effects() }
        pendingLogins -= 1
        guard allow, !shuttingDown else {
            releaseLogin(player)
            return refuseDecided(
                player,
                reason: shuttingDown ? "server shutting down" : reason ?? "rejected by script"
            )
        }
        return accept(player, queued: queued)
    }
}

extension Effects {
    static func asking(_ question: Question) -> Effects {
        var effects = Effects()
        effects.questions.append(question)
        return effects
    }
}
