import Logging
import NIOCore
import NIOPosix
import RealtimeClient

/// How far a run is, for a progress line.
public struct BenchProgress: Sendable {
    public enum Phase: String, Sendable {
        case connecting, preparing, warmup, measuring, draining
    }

    public var phase: Phase
    /// Seconds since the phase (connecting) or the step's schedule (the others) started.
    public var elapsed: Double
    /// The planned length of the phase (connecting) or of the whole step.
    public var total: Double
    public var clientsConnected: Int
    /// Messages sent and deliveries received since the step started, warm-up included.
    public var sent: Int
    public var received: Int
    /// The offered rate of the step (messages per second).
    public var rate: Double = 0
}

/// Runs the bench: connects the clients (``BenchClients``), then measures one step at the configured rate
/// (``run(progress:)``) or searches for the highest rate that meets an SLO (``findMax(slo:search:progress:step:)``),
/// and closes the clients.
///
/// A step sends on an open-loop schedule at the step's aggregate rate for the warm-up and the duration, then waits
/// for the drain; at the drain deadline the generator stops, whatever it has not sent yet is counted as unsent. The
/// drain ends early once every measured message was sent and every expected delivery arrived. A step whose clients
/// have all lost their connection ends at once.
public struct BenchRunner: Sendable {
    public var configuration: BenchConfiguration
    public var endpoint: Endpoint
    public var logger: Logger
    /// How long the clients may take to get ready (UDP handshakes, group joins) once connected.
    public var readyTimeout: TimeAmount = .seconds(20)
    /// Deliveries after the drain deadline are counted as late for this long, then the step ends.
    public static let lateGrace = TimeAmount.milliseconds(250)
    /// How often a `--find-max` step that misses the SLO is measured before it counts as missed.
    public static let attemptsPerRate = 2
    /// How often, at most, while the host stole more than `--max-steal` of the CPU during the latest miss.
    public static let attemptsUnderSteal = 4
    /// `--max-steal`'s default, in percent of the machine's CPU.
    public static let defaultMaxSteal = 5.0
    /// Datagrams read with one system call (recvmmsg) on each client's UDP socket.
    static let datagramReadBatch = 8

    public init(configuration: BenchConfiguration, endpoint: Endpoint, logger: Logger) {
        self.configuration = configuration
        self.endpoint = endpoint
        self.logger = logger
    }

    /// One step at ``BenchConfiguration/rate``.
    public func run(progress: (@Sendable (BenchProgress) -> Void)? = nil) async throws -> BenchResult {
        try await withClients(progress: progress) { clients in
            try await measure(clients, rate: configuration.rate, progress: progress)
        }
    }

    /// Searches for the highest rate that meets `slo`: steps at the rates `search` asks for, on one set of clients.
    /// `step` is told each step's result as it ends. Stops early when clients disconnect. A miss while a hypervisor
    /// took more than `maxSteal` percent of the machine's CPU is measured again (``measureAgain(_:met:attempt:maxSteal:)``).
    public func findMax(
        slo: ServiceLevel,
        search: RateSearch,
        maxSteal: Double = BenchRunner.defaultMaxSteal,
        progress: (@Sendable (BenchProgress) -> Void)? = nil,
        step: (@Sendable (BenchResult, Bool) -> Void)? = nil
    ) async throws -> FindMaxResult {
        try await withClients(progress: progress) { clients in
            var search = search
            var steps: [FindMaxResult.Step] = []
            var action = search.begin()
            while case .measure(let rate) = action {
                var result: BenchResult
                var met: Bool
                var attempt = 0
                repeat {
                    attempt += 1
                    result = try await measure(clients, rate: rate, progress: progress)
                    // A rate the generator could not offer on time was not shown to be sustained.
                    met = slo.isMet(by: result) && !result.generatorBehind
                    step?(result, met)
                    steps.append(FindMaxResult.Step(result: result, met: met, attempt: attempt))
                } while Self.measureAgain(result, met: met, attempt: attempt, maxSteal: maxSteal)
                action = search.stepEnded(
                    RateSearch.Outcome(
                        rate: rate,
                        met: met,
                        generatorBehind: result.generatorBehind,
                        failed: result.counters.disconnects > 0
                    )
                )
            }
            guard case .finish(let verdict) = action else { preconditionFailure("a search ends with a verdict") }
            return FindMaxResult(slo: slo, verdict: verdict, steps: steps)
        }
    }

    /// Whether a search measures its rate again after `attempt` steps at it ended with `result`. A miss is measured
    /// once more before it counts (one stall of a shared machine in a short step is enough to miss a p99 bound), and
    /// up to ``attemptsUnderSteal`` times while the host stole more than `maxSteal` percent of the CPU during it (a
    /// p99 measured then is the host's as much as the server's). Lost clients end the search at once.
    static func measureAgain(_ result: BenchResult, met: Bool, attempt: Int, maxSteal: Double) -> Bool {
        guard !met, !result.hadFailures else { return false }
        if attempt < attemptsPerRate { return true }
        return attempt < attemptsUnderSteal && (result.hostStealPercent ?? 0) > maxSteal
    }

    private func withClients<Result: Sendable>(
        progress: (@Sendable (BenchProgress) -> Void)?,
        _ body: (BenchClients) async throws -> Result
    ) async throws -> Result {
        let threads = max(1, configuration.threads ?? System.coreCount)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        do {
            let clients = try await BenchClients.connect(on: group, runner: self, progress: progress)
            let result: Result
            do {
                result = try await body(clients)
            } catch {
                await clients.close()
                throw error
            }
            await clients.close()
            try await group.shutdownGracefully()
            return result
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// One step: warm-up and measured period at `rate`, the drain, and the figures.
    private func measure(
        _ clients: BenchClients,
        rate: Double,
        progress: (@Sendable (BenchProgress) -> Void)?
    ) async throws -> BenchResult {
        let configuration = self.configuration
        let drivers = clients.drivers
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
        for driver in drivers {
            try await driver.loop.submit { driver.prepare(window: window) }.get()
        }
        for (offset, driver) in drivers.enumerated() {
            let share = rate * Double(driver.clientIndices.count) / Double(max(configuration.clients, 1))
            // Loops take turns rather than sending at the same instants.
            let shift = share > 0 ? UInt64(Double(offset) * 1e9 / rate) : 0
            let schedule = OpenLoopSchedule(start: start + shift, rate: share, seconds: seconds - Double(shift) / 1e9)
            try await driver.loop.submit { driver.start(schedule: schedule) }.get()
        }
        let endAt = window.drainDeadline + UInt64(Self.lateGrace.nanoseconds)
        let total = Double(endAt - start) / 1e9
        var cpuAtStart: HostCPUTimes?
        while true {
            let now = NIODeadline.now().uptimeNanoseconds
            if now >= window.start, cpuAtStart == nil { cpuAtStart = HostCPUTimes.now() }
            if now >= endAt { break }
            let snapshots = try await clients.snapshots()
            // With every client gone there is nothing left to measure.
            if snapshots.reduce(0, { $0 + $1.disconnected }) >= configuration.clients { break }
            // Everything measured was sent and has arrived: the rest of the drain would add nothing.
            if now >= window.end, snapshots.allSatisfy(\.scheduleDone) {
                var counters = BenchCounters()
                for snapshot in snapshots { counters.add(snapshot.counters) }
                if counters.delivered + counters.late >= counters.expected { break }
            }
            if let progress, now >= start {
                let phase: BenchProgress.Phase =
                    now < window.start ? .warmup : now < window.end ? .measuring : .draining
                progress(
                    BenchProgress(
                        phase: phase,
                        elapsed: Double(now - start) / 1e9,
                        total: total,
                        clientsConnected: configuration.clients - snapshots.reduce(0) { $0 + $1.disconnected },
                        sent: snapshots.reduce(0) { $0 + $1.sentTotal },
                        received: snapshots.reduce(0) { $0 + $1.receivedTotal },
                        rate: rate
                    )
                )
            }
            // Awake at the measured period's start, for its CPU times.
            let untilStart = cpuAtStart == nil && now < window.start ? window.start - now : .max
            try await Task.sleep(nanoseconds: min(250_000_000, endAt - now, untilStart))
        }
        var counters = BenchCounters()
        var latency = LatencyRecorder()
        var fastReady = 0
        var disconnected = 0
        var firstDisconnect: String?
        for driver in drivers {
            let (snapshot, recorder) = try await driver.loop.submit { driver.endStep() }.get()
            counters.add(snapshot.counters)
            latency.add(recorder)
            fastReady += snapshot.fastReady
            disconnected += snapshot.disconnected
            firstDisconnect = firstDisconnect ?? snapshot.firstDisconnect
        }
        var result = BenchResult(
            configuration: configuration,
            clientsConnected: configuration.clients,
            clientsFastReady: fastReady,
            connectTimes: clients.connectTimes,
            connectSeconds: clients.connectSeconds,
            counters: counters,
            latency: latency,
            measuredSeconds: window.seconds
        )
        result.rate = rate
        result.clientsDisconnected = disconnected
        result.firstDisconnect = firstDisconnect
        if let cpuAtStart, let cpuAtEnd = HostCPUTimes.now() {
            // To 0.1 %, as reported: the search's --max-steal compares the figure it shows.
            result.hostStealPercent = cpuAtEnd.stealPercent(since: cpuAtStart).map { ($0 * 10).rounded() / 10 }
        }
        return result
    }
}
