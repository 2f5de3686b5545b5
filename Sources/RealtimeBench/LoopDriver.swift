import NIOCore
import RealtimeClient
import RealtimeProtocol

/// The clients that share one event loop, the sending schedule for them and the figures of what they receive.
///
/// Everything here runs on `loop` (the clients' handlers call in on it, the schedule fires on it), so nothing is
/// locked and nothing is allocated per message: one payload buffer is stamped in place before each send, the next
/// send is a scheduled callback with this object as its handler, and the histograms are this loop's own (merged
/// when the run ends).
final class LoopDriver: NIOScheduledCallbackHandler, @unchecked Sendable {
    struct Slot {
        /// The client's index in the whole run.
        var index: Int
        var client: RealtimeClient?
        var targetPlayer: Int32 = RealtimeConstants.noTarget
        var targetGroup: Int32 = RealtimeConstants.noTarget
        /// Deliveries one message from this client causes.
        var recipients = 0
        var fastReady = false
        var disconnected = false
    }

    /// A copy of the counters, for the progress line and the final figures.
    struct Snapshot: Sendable {
        var counters: BenchCounters
        var sentTotal: Int
        var receivedTotal: Int
        var fastReady: Int
        var memberships: [Int32: Int]
    }

    let loop: any EventLoop
    private(set) var slots: [Slot]
    private let opCode: OpCode
    private let reliable: Bool
    private var payload: ByteBuffer
    private var schedule = OpenLoopSchedule(start: 0, rate: 0, count: 0)
    private var window = MeasurementWindow(start: .max, end: .max, drainDeadline: .max)
    private var next = 0
    private var finished: EventLoopPromise<Void>?
    private var closing = false

    private(set) var recorder = LatencyRecorder()
    private(set) var counters = BenchCounters()
    private var sentTotal = 0
    private var receivedTotal = 0
    private var fastReadyCount = 0
    private var memberships: [Int32: Int] = [:]

    /// At most this many overdue messages are sent in a row before the loop reads its sockets again.
    static let maxBurst = 256

    init(loop: any EventLoop, clientIndices: [Int], configuration: BenchConfiguration) {
        self.loop = loop
        self.slots = clientIndices.map { Slot(index: $0) }
        self.opCode = OpCode(configuration.opCode)
        self.reliable = configuration.reliable
        self.payload = BenchPayload.make(size: configuration.size)
    }

    // MARK: - Setting up (on the loop)

    func attach(_ client: RealtimeClient, slot: Int) {
        loop.preconditionInEventLoop()
        slots[slot].client = client
    }

    func setTarget(slot: Int, player: Int32, group: Int32, recipients: Int) {
        slots[slot].targetPlayer = player
        slots[slot].targetGroup = group
        slots[slot].recipients = recipients
    }

    func snapshot() -> Snapshot {
        Snapshot(
            counters: counters,
            sentTotal: sentTotal,
            receivedTotal: receivedTotal,
            fastReady: fastReadyCount,
            memberships: memberships
        )
    }

    /// From now on a disconnect is the bench's own doing, not a failure.
    func beginClosing() {
        closing = true
    }

    // MARK: - Events from the clients (on the loop)

    /// The event handler for the client in `slot`.
    func handler(slot: Int) -> @Sendable (ClientEvent) -> Void {
        { [self] event in self.handle(event, slot: slot) }
    }

    private func handle(_ event: ClientEvent, slot: Int) {
        switch event {
        case .message(let packet):
            guard packet.opCode == opCode else { return }
            received(packet.payload)
        case .fastReady:
            if !slots[slot].fastReady {
                slots[slot].fastReady = true
                fastReadyCount += 1
            }
        case .groupMembership(let group, let players):
            memberships[group] = players.count
        case .disconnected:
            slots[slot].disconnected = true
            if !closing { counters.disconnects += 1 }
        case .connected:
            break
        }
    }

    private func received(_ payload: ByteBuffer) {
        receivedTotal += 1
        guard let stamps = BenchPayload.timestamps(of: payload) else {
            counters.malformed += 1
            return
        }
        guard window.isMeasured(scheduled: stamps.scheduled) else { return }
        let now = NIODeadline.now().uptimeNanoseconds
        guard now <= window.drainDeadline else {
            counters.late += 1
            return
        }
        counters.delivered += 1
        counters.deliveredBytes += payload.readableBytes
        recorder.record(scheduled: stamps.scheduled, sent: stamps.sent, received: now)
    }

    // MARK: - Sending (on the loop)

    /// Starts sending on `schedule`; the future completes once the last message was sent.
    func start(schedule: OpenLoopSchedule, window: MeasurementWindow) -> EventLoopFuture<Void> {
        loop.preconditionInEventLoop()
        self.schedule = schedule
        self.window = window
        self.next = 0
        let promise = loop.makePromise(of: Void.self)
        finished = promise
        if schedule.count == 0 || slots.isEmpty {
            finished = nil
            promise.succeed()
        } else {
            scheduleNext()
        }
        return promise.futureResult
    }

    func handleScheduledCallback(eventLoop: some EventLoop) {
        let now = NIODeadline.now().uptimeNanoseconds
        // Everything due goes now, however late: the backlog keeps its scheduled times.
        let due = schedule.due(from: next, at: now, limit: Self.maxBurst)
        for _ in 0..<due {
            send(next, scheduled: schedule.time(of: next))
            next += 1
        }
        if next >= schedule.count {
            finished?.succeed()
            finished = nil
        } else {
            scheduleNext()
        }
    }

    func didCancelScheduledCallback(eventLoop: some EventLoop) {
        finished?.fail(ChannelError.ioOnClosedChannel)
        finished = nil
    }

    private func scheduleNext() {
        do {
            _ = try loop.scheduleCallback(at: .uptimeNanoseconds(schedule.time(of: next)), handler: self)
        } catch {
            finished?.fail(error)
            finished = nil
        }
    }

    private func send(_ index: Int, scheduled: UInt64) {
        let slot = slots[index % slots.count]
        let measured = window.isMeasured(scheduled: scheduled)
        sentTotal += 1
        guard let client = slot.client, !slot.disconnected else {
            if measured { counters.sendFailures += 1 }
            return
        }
        BenchPayload.stamp(&payload, scheduled: scheduled, sent: NIODeadline.now().uptimeNanoseconds)
        do {
            try client.sendOnEventLoop(
                opCode: opCode,
                payload: payload,
                targetPlayer: slot.targetPlayer,
                targetGroup: slot.targetGroup,
                reliable: reliable
            )
        } catch {
            if measured { counters.sendFailures += 1 }
            return
        }
        guard measured else { return }
        counters.sent += 1
        counters.sentBytes += payload.readableBytes
        counters.expected += slot.recipients
    }
}
