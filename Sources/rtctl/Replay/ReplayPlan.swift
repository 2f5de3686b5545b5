import NIOCore
import RealtimeServer

/// What a replay does, worked out from a recording: which players to play, what each sends and when, and what each
/// should receive. Peer ids here are the recorded ones; the replay maps them to the ids the server gives.
struct ReplayPlan: Sendable {
    struct Player: Hashable, Sendable {
        var peerId: Int32
        var playerSessionId: String
    }

    enum Step: Hashable, Sendable {
        case connect(Player)
        case send(
            player: Int32,
            opCode: Int32,
            payload: ByteBuffer,
            targetPlayer: Int32,
            targetGroup: Int32,
            reliable: Bool
        )
        case joinGroup(player: Int32, group: Int32)
        case leaveGroup(player: Int32, group: Int32)
        /// `received`: how many messages the player had received by then, to wait for before it leaves (at top
        /// speed its messages would otherwise still be on their way).
        case disconnect(player: Int32, received: Int)

        var player: Int32 {
            switch self {
            case .connect(let player): player.peerId
            case .send(let player, _, _, _, _, _), .joinGroup(let player, _), .leaveGroup(let player, _),
                .disconnect(let player, _):
                player
            }
        }

        var isSend: Bool {
            if case .send = self { return true }
            return false
        }
    }

    struct TimedStep: Hashable, Sendable {
        /// Seconds after the replay starts.
        var at: Double
        var step: Step
    }

    /// A message as verification compares it: the routing fields and the payload, with recorded peer ids; the
    /// channel and the times legitimately differ and are left out.
    struct Message: Hashable, Sendable, CustomStringConvertible {
        var opCode: Int32
        var sender: Int32
        var targetPlayer: Int32
        var targetGroup: Int32
        var payload: ByteBuffer

        var description: String {
            "op code \(opCode) from \(sender) to \(targetGroup != 0 ? "group \(targetGroup)" : "player \(targetPlayer)")"
                + " (\(payload.readableBytes) bytes)"
        }
    }

    var players: [Player] = []
    /// In time order; steps at the same time keep the recording's order.
    var steps: [TimedStep] = []
    /// What each recorded player received, in order, by receiver; only for players the recording saw receive
    /// (every player of a server recording, the recording player of a client's).
    var expected: [Int32: [Message]] = [:]

    var messageCount: Int { steps.count { $0.step.isSend } }
    var duration: Double { steps.last?.at ?? 0 }

    /// The plan of a recording. Messages the server script sent (sender -1) are not replayed: the script sends them
    /// again; they are expected all the same.
    init(_ recording: RecordingReader) {
        let clientRecording = recording.header.source == "listen"
        var known: [Int32: Player] = [:]
        var gone: Set<Int32> = []
        var listener: Int32?
        func player(_ peerId: Int32, _ sessionId: String?) -> Player {
            if let existing = known[peerId] { return existing }
            let player = Player(peerId: peerId, playerSessionId: sessionId ?? "replay-\(peerId)")
            known[peerId] = player
            players.append(player)
            return player
        }
        for event in recording.events {
            switch event.event {
            case "connected":
                guard let peerId = event.peerId, peerId > 0, known[peerId] == nil else { continue }
                if clientRecording { listener = peerId }
                steps.append(TimedStep(at: event.t, step: .connect(player(peerId, event.playerSessionId))))
            case "message":
                guard let message = Self.message(event) else { continue }
                let sender = message.sender
                if sender > 0 {
                    if known[sender] == nil {
                        // A sender a client recording saw but never saw connect: played from the start.
                        let new = player(sender, nil)
                        steps.insert(TimedStep(at: 0, step: .connect(new)), at: 0)
                    }
                    steps.append(
                        TimedStep(
                            at: event.t,
                            step: .send(
                                player: sender,
                                opCode: message.opCode,
                                payload: message.payload,
                                targetPlayer: message.targetPlayer,
                                targetGroup: message.targetGroup,
                                reliable: event.reliable ?? true
                            )
                        )
                    )
                }
                let receivers = clientRecording ? (listener.map { [$0] } ?? []) : (event.recipients ?? [])
                for receiver in receivers { expected[receiver, default: []].append(message) }
            case "joinGroup", "leaveGroup":
                // A player that disconnected left its groups with it: nothing to replay.
                guard let peerId = event.peerId, peerId > 0, known[peerId] != nil, !gone.contains(peerId),
                    let group = event.group
                else { continue }
                let step: Step =
                    event.event == "joinGroup"
                    ? .joinGroup(player: peerId, group: group) : .leaveGroup(player: peerId, group: group)
                steps.append(TimedStep(at: event.t, step: step))
            case "disconnected":
                guard let peerId = event.peerId, known[peerId] != nil, !clientRecording else { continue }
                gone.insert(peerId)
                let received = expected[peerId]?.count ?? 0
                steps.append(TimedStep(at: event.t, step: .disconnect(player: peerId, received: received)))
            default:
                continue
            }
        }
        if !clientRecording {
            for player in players where expected[player.peerId] == nil { expected[player.peerId] = [] }
        } else if let listener, expected[listener] == nil {
            expected[listener] = []
        }
        // Stable: steps at equal times keep the recording's order.
        steps = steps.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
    }

    static func message(_ event: RecordedEvent) -> Message? {
        guard let opCode = event.opCode, let payload = event.payloadBytes else { return nil }
        return Message(
            opCode: opCode,
            sender: event.sender ?? event.peerId ?? 0,
            targetPlayer: event.targetPlayer ?? 0,
            targetGroup: event.targetGroup ?? 0,
            payload: payload
        )
    }

    // MARK: - Timing

    /// How the recorded times become replay times.
    struct Timing: Sendable {
        var speed: Double = 1
        /// Messages per second, evenly spaced (the recorded times are ignored).
        var rate: Double?
        var topSpeed = false
        /// The longest pause kept between two steps, in seconds.
        var maxGap: Double?
        /// Only the first this many messages.
        var limit: Int?
    }

    /// The plan with its step times transformed; steps after the limit are left out.
    func timed(_ timing: Timing) -> ReplayPlan {
        var plan = self
        var result: [TimedStep] = []
        var previousRecorded = steps.first?.at ?? 0
        var clock = 0.0
        var sends = 0
        for step in steps {
            if step.step.isSend, let limit = timing.limit, sends >= limit { break }
            var gap = max(0, step.at - previousRecorded)
            previousRecorded = step.at
            if let maxGap = timing.maxGap { gap = min(gap, maxGap) }
            if timing.topSpeed {
                clock = 0
            } else if let rate = timing.rate {
                clock = step.step.isSend ? Double(sends) / rate : clock
            } else {
                clock += gap / timing.speed
            }
            if step.step.isSend { sends += 1 }
            result.append(TimedStep(at: clock, step: step.step))
        }
        plan.steps = result
        if timing.limit != nil {
            // Expectations of a limited replay cannot be known: verification compares what was replayed only.
            plan.expected = [:]
        }
        return plan
    }
}
