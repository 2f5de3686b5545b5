import Histogram
import NIOCore
import RealtimeClient
import RealtimeProtocol

/// The clients that share one event loop, the sending schedule for them and the figures of what they receive.
///
/// Everything mutable here lives on `loop` (the clients' handlers call in on it, the schedule fires on it, the runner
/// submits its requests to it), so nothing is locked and nothing is allocated per message: one payload buffer is
/// stamped in place before each send, the next send is a scheduled callback with this object as its handler, and the
/// histograms are this loop's own (merged when a step ends). Only the `let`s may be read from elsewhere.
final class LoopDriver: NIOScheduledCallbackHandler, @unchecked Sendable {
    struct Slot {
        var client: RealtimeClient?
        var targetPlayer: Int32 = RealtimeConstants.noTarget
        var targetGroup: Int32 = RealtimeConstants.noTarget
        /// Deliveries one message from this client causes.
        var recipients = 0
        var fastReady = false
        var disconnected = false
        /// Written to in this burst, not flushed yet.
        var unflushed = false
    }

    /// A copy of the figures, for the progress line, the readiness checks and the end of a step.
    struct Snapshot: Sendable {
        var counters: BenchCounters
        var sentTotal: Int
        var receivedTotal: Int
        /// The step's schedule is all sent (or counted unsent).
        var scheduleDone: Bool
        var fastReady: Int
        var memberships: [Int32: Int]
        /// Clients that lost their connection since they connected (whatever the step).
        var disconnected: Int
        /// What the first of them was told.
        var firstDisconnect: String?
    }

    let loop: any EventLoop
    /// The run-wide index of the client in each slot: fixed at creation, readable from any thread.
    let clientIndices: [Int]
    private var slots: [Slot]
    private let opCode: OpCode
    private let reliable: Bool
    private var payload: ByteBuffer
    private var schedule = OpenLoopSchedule(start: 0, rate: 0, count: 0)
    private var window = MeasurementWindow(start: .max, end: .max, drainDeadline: .max)
    private var next = 0
    /// The slots written to in the current burst.
    private var unflushed: [Int] = []
    private var pending: NIOScheduledCallback?
    private var closing = false

    private var recorder = LatencyRecorder()
    private var counters = BenchCounters()
    private var sentTotal = 0
    private var receivedTotal = 0
    private var fastReadyCount = 0
    private var memberships: [Int32: Int] = [:]
    private var disconnected = 0
    private var disconnectedAtStepStart = 0
    private var firstDisconnect: String?

    /// At most this many overdue messages are sent in a row before the loop reads its sockets again.
    static let maxBurst = 256
    /// The shortest time between two sending wake-ups of a loop, in nanoseconds (0.1 ms): what it adds to a message's
    /// send delay at most, charged to the corrected latency like any other delay.
    static let sendQuantum: UInt64 = 100_000

    init(loop: any EventLoop, clientIndices: [Int], configuration: BenchConfiguration) {
        self.loop = loop
        self.clientIndices = clientIndices
        self.slots = Array(repeating: Slot(), count: clientIndices.count)
        self.unflushed.reserveCapacity(clientIndices.count)
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
        loop.preconditionInEventLoop()
        slots[slot].targetPlayer = player
        slots[slot].targetGroup = group
        slots[slot].recipients = recipients
    }

    func snapshot() -> Snapshot {
        loop.preconditionInEventLoop()
        var counters = self.counters
        counters.disconnects = disconnected - disconnectedAtStepStart
        return Snapshot(
            counters: counters,
            sentTotal: sentTotal,
            receivedTotal: receivedTotal,
            scheduleDone: next >= schedule.count,
            fastReady: fastReadyCount,
            memberships: memberships,
            disconnected: disconnected,
            firstDisconnect: firstDisconnect
        )
    }

    /// From now on a disconnect is the bench's own doing, not a failure.
    func beginClosing() {
        loop.preconditionInEventLoop()
        closing = true
        pending?.cancel()
        pending = nil
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
        case .disconnected(let reason, let code):
            slots[slot].disconnected = true
            guard !closing else { return }
            disconnected += 1
            if firstDisconnect == nil {
                let text = reason.isEmpty ? "connection closed" : reason
                firstDisconnect = code.map { "\(text) (close code \($0))" } ?? text
            }
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

    /// Starts a step: forgets the last step's figures and sends on `schedule` until it is done or ``endStep()``.
    /// Gets ready to count a step's deliveries in `window`: every driver must be ready before any sends, since its
    /// clients receive what the others send (a driver that learnt the window late would miss, or reset, deliveries).
    func prepare(window: MeasurementWindow) {
        loop.preconditionInEventLoop()
        pending?.cancel()
        pending = nil
        self.window = window
        schedule = OpenLoopSchedule(start: 0, rate: 0, count: 0)
        next = 0
        counters = BenchCounters()
        recorder = LatencyRecorder()
        disconnectedAtStepStart = disconnected
    }

    /// Sends on `schedule` until it is done or ``endStep()``; after ``prepare(window:)`` on every driver.
    func start(schedule: OpenLoopSchedule) {
        loop.preconditionInEventLoop()
        self.schedule = schedule
        self.next = 0
        if schedule.count > 0, !slots.isEmpty { scheduleNext() }
    }

    /// Ends the step: stops sending (a generator that fell behind leaves due messages unsent, counted as such) and
    /// returns the step's figures. Deliveries keep arriving; they belong to no step any more.
    func endStep() -> (Snapshot, LatencyRecorder) {
        loop.preconditionInEventLoop()
        pending?.cancel()
        pending = nil
        // Only messages already due count: a step that ends early (every client lost) leaves the rest unscheduled.
        let now = NIODeadline.now().uptimeNanoseconds
        while next < schedule.count, schedule.time(of: next) <= now {
            if window.isMeasured(scheduled: schedule.time(of: next)) { counters.unsent += 1 }
            next += 1
        }
        next = schedule.count
        let figures = (snapshot(), recorder)
        window = MeasurementWindow(start: .max, end: .max, drainDeadline: .max)
        return figures
    }

    func handleScheduledCallback(eventLoop: some EventLoop) {
        pending = nil
        let now = NIODeadline.now().uptimeNanoseconds
        // Everything due goes now, however late: the backlog keeps its scheduled times.
        let due = schedule.due(from: next, at: now, limit: Self.maxBurst)
        for _ in 0..<due {
            send(next, scheduled: schedule.time(of: next))
            next += 1
        }
        // One flush per client for the whole burst: several datagrams to one socket leave with one sendmmsg.
        for slot in unflushed {
            slots[slot].unflushed = false
            slots[slot].client?.flushOnEventLoop()
        }
        unflushed.removeAll(keepingCapacity: true)
        if next < schedule.count, !closing { scheduleNext() }
    }

    func didCancelScheduledCallback(eventLoop: some EventLoop) {}

    private func scheduleNext() {
        // At high rates the loop wakes once per quantum and sends everything due, rather than once per message.
        let at = max(schedule.time(of: next), NIODeadline.now().uptimeNanoseconds + Self.sendQuantum)
        pending = try? loop.scheduleCallback(at: .uptimeNanoseconds(at), handler: self)
    }

    private func send(_ index: Int, scheduled: UInt64) {
        let slot = index % slots.count
        let measured = window.isMeasured(scheduled: scheduled)
        sentTotal += 1
        guard let client = slots[slot].client, !slots[slot].disconnected else {
            if measured { counters.sendFailures += 1 }
            return
        }
        let now = NIODeadline.now().uptimeNanoseconds
        BenchPayload.stamp(&payload, scheduled: scheduled, sent: now)
        do {
            try client.sendOnEventLoop(
                opCode: opCode,
                payload: payload,
                targetPlayer: slots[slot].targetPlayer,
                targetGroup: slots[slot].targetGroup,
                reliable: reliable,
                flush: false
            )
            if !slots[slot].unflushed {
                slots[slot].unflushed = true
                unflushed.append(slot)
            }
        } catch {
            if measured { counters.sendFailures += 1 }
            return
        }
        guard measured else { return }
        counters.sent += 1
        counters.sentBytes += payload.readableBytes
        counters.expected += slots[slot].recipients
        recorder.recordSend(scheduled: scheduled, sent: now)
    }
}
