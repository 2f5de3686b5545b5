import Histogram
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RealtimeClient
import RealtimeProtocol

/// How far a run is, for a progress line.
public struct BenchProgress: Sendable {
    public enum Phase: String, Sendable {
        case connecting, preparing, warmup, measuring, draining
    }

    public var phase: Phase
    /// Seconds since the phase (connecting) or the schedule (the others) started.
    public var elapsed: Double
    /// The planned length of the phase (connecting) or of the whole schedule.
    public var total: Double
    public var clientsConnected: Int
    /// Messages sent and deliveries received since the schedule started, warm-up included.
    public var sent: Int
    public var received: Int
}

/// Runs the bench: connects the clients at the connect rate, spreads them over groups, waits until they are ready,
/// sends on an open-loop schedule at the aggregate rate, drains, closes the clients and returns the figures.
///
/// The clients share one event-loop group, one thread per core by default; each loop's clients are driven by one
/// ``LoopDriver`` that both sends and records, so the hot path crosses no thread and takes no lock.
public struct BenchRunner: Sendable {
    public var configuration: BenchConfiguration
    public var endpoint: Endpoint
    public var logger: Logger
    /// How long the clients may take to get ready (UDP handshakes, group joins) once connected.
    public var readyTimeout: TimeAmount = .seconds(20)
    /// Deliveries after the drain deadline are counted as late for this long, then the clients close.
    public static let lateGrace = TimeAmount.milliseconds(250)

    public init(configuration: BenchConfiguration, endpoint: Endpoint, logger: Logger) {
        self.configuration = configuration
        self.endpoint = endpoint
        self.logger = logger
    }

    public func run(progress: (@Sendable (BenchProgress) -> Void)? = nil) async throws -> BenchResult {
        let threads = max(1, configuration.threads ?? System.coreCount)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        do {
            let result = try await run(on: group, progress: progress)
            try await group.shutdownGracefully()
            return result
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    private func run(
        on group: MultiThreadedEventLoopGroup,
        progress: (@Sendable (BenchProgress) -> Void)?
    ) async throws -> BenchResult {
        let configuration = self.configuration
        let loops = Array(group.makeIterator())
        let drivers = loops.enumerated().map { offset, loop in
            LoopDriver(
                loop: loop,
                clientIndices: Array(stride(from: offset, to: configuration.clients, by: loops.count)),
                configuration: configuration
            )
        }
        let clients = NIOLockedValueBox([RealtimeClient?](repeating: nil, count: configuration.clients))
        do {
            let (connectTimes, connectSeconds) = try await connectAll(drivers, clients: clients, progress: progress)
            let peers = clients.withLockedValue { $0.map { $0?.peerId ?? 0 } }
            try await prepare(drivers, clients: clients.withLockedValue { $0.compactMap(\.self) }, peers: peers)
            let window = try await sendAll(drivers, progress: progress)
            let now = NIODeadline.now().uptimeNanoseconds
            let collectAt = window.drainDeadline + UInt64(Self.lateGrace.nanoseconds)
            if collectAt > now { try await Task.sleep(nanoseconds: collectAt - now) }
            var counters = BenchCounters()
            var latency = LatencyRecorder()
            var fastReady = 0
            for driver in drivers {
                let (snapshot, recorder) = try await driver.loop.submit {
                    driver.beginClosing()
                    return (driver.snapshot(), driver.recorder)
                }.get()
                counters.add(snapshot.counters)
                latency.add(recorder)
                fastReady += snapshot.fastReady
            }
            await closeAll(drivers, clients: clients)
            return BenchResult(
                configuration: configuration,
                clientsConnected: configuration.clients,
                clientsFastReady: fastReady,
                connectTimes: connectTimes,
                connectSeconds: connectSeconds,
                counters: counters,
                latency: latency,
                measuredSeconds: window.seconds
            )
        } catch {
            await closeAll(drivers, clients: clients)
            throw error
        }
    }

    // MARK: - Connecting

    private func connectAll(
        _ drivers: [LoopDriver],
        clients: NIOLockedValueBox<[RealtimeClient?]>,
        progress: (@Sendable (BenchProgress) -> Void)?
    ) async throws -> (Histogram<UInt64>, Double) {
        let configuration = self.configuration
        let endpoint = self.endpoint
        let logger = self.logger
        let start = NIODeadline.now().uptimeNanoseconds
        let planned = Double(configuration.clients) / configuration.connectRate
        let connected = NIOLockedValueBox(0)
        let failure = NIOLockedValueBox<BenchError?>(nil)
        var times = LatencyRecorder.makeHistogram()
        try await withThrowingTaskGroup(of: UInt64?.self) { tasks in
            var lastReport = start
            for index in 0..<configuration.clients {
                // A failure stops the ramp at once.
                if let error = failure.withLockedValue({ $0 }) { throw error }
                let due = start + UInt64(Double(index) * 1e9 / configuration.connectRate)
                var now = NIODeadline.now().uptimeNanoseconds
                if due > now {
                    try await Task.sleep(nanoseconds: due - now)
                    now = NIODeadline.now().uptimeNanoseconds
                }
                if let progress, now - lastReport >= 250_000_000 {
                    lastReport = now
                    progress(
                        BenchProgress(
                            phase: .connecting,
                            elapsed: Double(now - start) / 1e9,
                            total: planned,
                            clientsConnected: connected.withLockedValue { $0 },
                            sent: 0,
                            received: 0
                        )
                    )
                }
                let driver = drivers[index % drivers.count]
                let slot = index / drivers.count
                tasks.addTask {
                    let began = NIODeadline.now().uptimeNanoseconds
                    let options = ClientOptions(
                        playerSessionId: "bench-\(index)",
                        noUDP: configuration.reliable,
                        eventLoopGroup: driver.loop,
                        logger: logger,
                        eventHandler: driver.handler(slot: slot),
                        tls: configuration.tls
                    )
                    let client: RealtimeClient
                    do {
                        client = try await RealtimeClient.connect(to: endpoint, options: options)
                    } catch {
                        let clients = configuration.clients
                        failure.withLockedValue {
                            if $0 == nil {
                                $0 = BenchError(
                                    .connectFailed,
                                    "client \(index + 1) of \(clients) could not connect to \(endpoint): \(error)"
                                )
                            }
                        }
                        return nil
                    }
                    let took = NIODeadline.now().uptimeNanoseconds - began
                    clients.withLockedValue { $0[index] = client }
                    try await driver.loop.submit { driver.attach(client, slot: slot) }.get()
                    connected.withLockedValue { $0 += 1 }
                    return took
                }
            }
            for try await took in tasks {
                if let took { times.record(took) }
            }
            if let error = failure.withLockedValue({ $0 }) { throw error }
        }
        return (times, Double(NIODeadline.now().uptimeNanoseconds - start) / 1e9)
    }

    // MARK: - Getting ready

    /// Waits for the UDP handshakes (fast runs), sets every client's target, and for group runs makes the clients
    /// join their groups and checks with the server that every group is complete.
    private func prepare(_ drivers: [LoopDriver], clients: [RealtimeClient], peers: [Int32]) async throws {
        let configuration = self.configuration
        let deadline = NIODeadline.now() + readyTimeout
        if !configuration.reliable {
            try await waitUntil(deadline, drivers, what: "UDP handshakes") { snapshots in
                let ready = snapshots.reduce(0) { $0 + $1.fastReady }
                return ready >= configuration.clients ? nil : "\(ready) of \(configuration.clients)"
            }
        }
        let recipients = configuration.recipientCounts()
        for driver in drivers {
            let targets = driver.slots.indices.map { slot -> (Int32, Int32, Int) in
                let index = driver.slots[slot].index
                switch configuration.target {
                case .group:
                    return (RealtimeConstants.noTarget, configuration.group(ofClient: index), recipients[index])
                case .player:
                    return (peers[(index + 1) % peers.count], RealtimeConstants.noTarget, recipients[index])
                case .server:
                    return (RealtimeConstants.serverPeerId, RealtimeConstants.noTarget, 0)
                }
            }
            try await driver.loop.submit {
                for (slot, target) in targets.enumerated() {
                    driver.setTarget(slot: slot, player: target.0, group: target.1, recipients: target.2)
                }
            }.get()
        }
        guard configuration.target == .group else { return }
        var sizes = [Int32: Int]()
        for index in 0..<configuration.clients { sizes[configuration.group(ofClient: index), default: 0] += 1 }
        let first = Dictionary(
            (0..<min(configuration.groups, clients.count)).map { (configuration.group(ofClient: $0), clients[$0]) },
            uniquingKeysWith: { first, _ in first }
        )
        for attempt in 0... {
            // Joining twice changes nothing, so a retry re-sends every join (a fast join may be lost on UDP).
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                for (index, client) in clients.enumerated() {
                    tasks.addTask { try await client.joinGroup(configuration.group(ofClient: index)) }
                }
                try await tasks.waitForAll()
            }
            for (group, client) in first { try await client.requestGroupMembership(group) }
            let retryAt = min(deadline, NIODeadline.now() + .seconds(1))
            do {
                try await waitUntil(retryAt, drivers, what: "group membership") { snapshots in
                    var seen = [Int32: Int]()
                    for snapshot in snapshots { seen.merge(snapshot.memberships) { max($0, $1) } }
                    let incomplete = sizes.filter { group, size in (seen[group] ?? 0) < size }
                    return incomplete.isEmpty ? nil : "\(incomplete.count) of \(sizes.count) groups incomplete"
                }
                return
            } catch let error as BenchError where NIODeadline.now() < deadline {
                logger.debug("group membership incomplete; joining again", metadata: ["attempt": "\(attempt)"])
                _ = error
            }
        }
    }

    /// Polls the drivers until `pending` returns nil; throws ``BenchError/Code/notReady`` with its last answer at
    /// `deadline`.
    private func waitUntil(
        _ deadline: NIODeadline,
        _ drivers: [LoopDriver],
        what: String,
        pending: ([LoopDriver.Snapshot]) -> String?
    ) async throws {
        while true {
            var snapshots: [LoopDriver.Snapshot] = []
            for driver in drivers { snapshots.append(try await driver.loop.submit { driver.snapshot() }.get()) }
            guard let missing = pending(snapshots) else { return }
            if NIODeadline.now() >= deadline {
                throw BenchError(.notReady, "the clients were not ready in time: \(what): \(missing)")
            }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    // MARK: - Sending

    private func sendAll(
        _ drivers: [LoopDriver],
        progress: (@Sendable (BenchProgress) -> Void)?
    ) async throws -> MeasurementWindow {
        let configuration = self.configuration
        let warmup = UInt64(configuration.warmup.nanoseconds)
        let duration = UInt64(configuration.duration.nanoseconds)
        let drain = UInt64(configuration.drain.nanoseconds)
        let start = NIODeadline.now().uptimeNanoseconds + 20_000_000
        let window = MeasurementWindow(
            start: start + warmup,
            end: start + warmup + duration,
            drainDeadline: start + warmup + duration + drain
        )
        let seconds = Double(warmup + duration) / 1e9
        var done: [EventLoopFuture<Void>] = []
        for (offset, driver) in drivers.enumerated() {
            let share = configuration.rate * Double(driver.slots.count) / Double(max(configuration.clients, 1))
            // Loops take turns rather than sending at the same instants.
            let shift = share > 0 ? UInt64(Double(offset) * 1e9 / configuration.rate) : 0
            let schedule = OpenLoopSchedule(start: start + shift, rate: share, seconds: seconds - Double(shift) / 1e9)
            done.append(try await driver.loop.submit { driver.start(schedule: schedule, window: window) }.get())
        }
        let all = EventLoopFuture.andAllSucceed(done, on: drivers[0].loop)
        let total = Double(warmup + duration + drain) / 1e9
        while true {
            let now = NIODeadline.now().uptimeNanoseconds
            if now >= window.drainDeadline { break }
            if let progress, now >= start {
                var sent = 0
                var received = 0
                for driver in drivers {
                    let snapshot = try await driver.loop.submit { driver.snapshot() }.get()
                    sent += snapshot.sentTotal
                    received += snapshot.receivedTotal
                }
                let phase: BenchProgress.Phase =
                    now < window.start ? .warmup : now < window.end ? .measuring : .draining
                progress(
                    BenchProgress(
                        phase: phase,
                        elapsed: Double(now - start) / 1e9,
                        total: total,
                        clientsConnected: configuration.clients,
                        sent: sent,
                        received: received
                    )
                )
            }
            try await Task.sleep(nanoseconds: min(250_000_000, window.drainDeadline - now))
        }
        try await all.get()
        return window
    }

    // MARK: - Closing

    private func closeAll(_ drivers: [LoopDriver], clients: NIOLockedValueBox<[RealtimeClient?]>) async {
        for driver in drivers { try? await driver.loop.submit { driver.beginClosing() }.get() }
        let all = clients.withLockedValue { $0.compactMap(\.self) }
        await withTaskGroup(of: Void.self) { tasks in
            for client in all { tasks.addTask { await client.close() } }
        }
    }
}
