import Histogram

/// Read access to a latency histogram that answers 0 when it is empty.
public struct LatencyHistogram: Sendable {
    public let histogram: Histogram<UInt64>

    public init(_ histogram: Histogram<UInt64>) {
        self.histogram = histogram
    }

    public var isEmpty: Bool { histogram.totalCount == 0 }
    public var count: UInt64 { histogram.totalCount }
    public func at(_ percentile: Double) -> UInt64 { isEmpty ? 0 : histogram.valueAtPercentile(percentile) }
    public var min: UInt64 { isEmpty ? 0 : histogram.min }
    public var max: UInt64 { isEmpty ? 0 : histogram.max }
    public var mean: Double { isEmpty ? 0 : histogram.mean }
}

/// The figures of a run as plain values, in the units reports use: milliseconds for latencies and connect times,
/// per second for throughputs. `--json` prints it; `--csv` flattens it.
public struct BenchSummary: Codable, Sendable, Hashable {
    public struct Latency: Codable, Sendable, Hashable {
        public var count: UInt64
        public var minMs: Double
        public var p50Ms: Double
        public var p90Ms: Double
        public var p99Ms: Double
        public var p999Ms: Double
        public var p9999Ms: Double
        public var maxMs: Double
        public var meanMs: Double

        init(_ histogram: Histogram<UInt64>) {
            let latency = LatencyHistogram(histogram)
            count = latency.count
            minMs = BenchSummary.milliseconds(latency.min)
            p50Ms = BenchSummary.milliseconds(latency.at(50))
            p90Ms = BenchSummary.milliseconds(latency.at(90))
            p99Ms = BenchSummary.milliseconds(latency.at(99))
            p999Ms = BenchSummary.milliseconds(latency.at(99.9))
            p9999Ms = BenchSummary.milliseconds(latency.at(99.99))
            maxMs = BenchSummary.milliseconds(latency.max)
            meanMs = (latency.mean / 1e3).rounded() / 1e3
        }

        /// The values in report order, with their labels.
        public var columns: [(String, Double)] {
            [
                ("min", minMs), ("p50", p50Ms), ("p90", p90Ms), ("p99", p99Ms), ("p99.9", p999Ms), ("p99.99", p9999Ms),
                ("max", maxMs),
            ]
        }
    }

    public struct Connect: Codable, Sendable, Hashable {
        public var clients: Int
        public var seconds: Double
        public var p50Ms: Double
        public var p90Ms: Double
        public var p99Ms: Double
        public var maxMs: Double
    }

    /// Whether the generator kept its schedule (``BenchResult/generatorBehind``).
    public struct Generator: Codable, Sendable, Hashable {
        public var behindSchedule: Bool
        /// Measured messages not sent by the end of the step.
        public var unsent: Int
        /// Actual minus scheduled send time of the measured messages sent.
        public var sendDelayP50Ms: Double
        public var sendDelayP99Ms: Double
        public var sendDelayMaxMs: Double
    }

    public struct Throughput: Codable, Sendable, Hashable {
        public var sentMessagesPerSecond: Double
        public var sentBytesPerSecond: Double
        public var deliveredMessagesPerSecond: Double
        public var deliveredBytesPerSecond: Double
    }

    public var clients: Int
    public var groups: Int
    public var target: String
    /// `fast` or `reliable`.
    public var mode: String
    public var size: Int
    public var rate: Double
    public var durationSeconds: Double
    public var warmupSeconds: Double
    public var connect: Connect
    public var fastReady: Int
    public var sent: Int
    public var expected: Int
    public var delivered: Int
    public var lost: Int
    public var lossPercent: Double
    public var late: Int
    public var sendFailures: Int
    /// Clients that lost their connection during the measured step.
    public var disconnects: Int
    /// Clients that lost their connection since they connected (all steps of a search).
    public var clientsDisconnected: Int
    /// The first lost client's close reason.
    public var firstDisconnect: String?
    public var generator: Generator
    /// ``BenchResult/hostStealPercent``, to 0.1 %.
    public var hostStealPercent: Double?
    public var throughput: Throughput
    public var corrected: Latency
    public var uncorrected: Latency

    public init(_ result: BenchResult) {
        let configuration = result.configuration
        clients = configuration.clients
        groups = configuration.groups
        target = configuration.target.rawValue
        mode = configuration.reliable ? "reliable" : "fast"
        size = configuration.size
        rate = result.rate
        durationSeconds = result.measuredSeconds
        warmupSeconds = Double(configuration.warmup.nanoseconds) / 1e9
        let connectTimes = LatencyHistogram(result.connectTimes)
        connect = Connect(
            clients: result.clientsConnected,
            seconds: (result.connectSeconds * 1e3).rounded() / 1e3,
            p50Ms: Self.milliseconds(connectTimes.at(50)),
            p90Ms: Self.milliseconds(connectTimes.at(90)),
            p99Ms: Self.milliseconds(connectTimes.at(99)),
            maxMs: Self.milliseconds(connectTimes.max)
        )
        fastReady = result.clientsFastReady
        let counters = result.counters
        sent = counters.sent
        expected = counters.expected
        delivered = counters.delivered
        lost = counters.lost
        lossPercent = (counters.lossPercent * 1e4).rounded() / 1e4
        late = counters.late
        sendFailures = counters.sendFailures
        disconnects = counters.disconnects
        clientsDisconnected = result.clientsDisconnected
        firstDisconnect = result.firstDisconnect
        let sendDelay = LatencyHistogram(result.latency.sendDelay)
        generator = Generator(
            behindSchedule: result.generatorBehind,
            unsent: counters.unsent,
            sendDelayP50Ms: Self.milliseconds(sendDelay.at(50)),
            sendDelayP99Ms: Self.milliseconds(sendDelay.at(99)),
            sendDelayMaxMs: Self.milliseconds(sendDelay.max)
        )
        hostStealPercent = result.hostStealPercent.map { ($0 * 10).rounded() / 10 }
        let throughput = result.throughput
        self.throughput = Throughput(
            sentMessagesPerSecond: throughput.sentMessages.rounded(),
            sentBytesPerSecond: throughput.sentBytes.rounded(),
            deliveredMessagesPerSecond: throughput.deliveredMessages.rounded(),
            deliveredBytesPerSecond: throughput.deliveredBytes.rounded()
        )
        corrected = Latency(result.latency.corrected)
        uncorrected = Latency(result.latency.uncorrected)
    }

    /// Nanoseconds as milliseconds with microsecond precision.
    static func milliseconds(_ nanoseconds: UInt64) -> Double {
        (Double(nanoseconds) / 1e3).rounded() / 1e3
    }
}
