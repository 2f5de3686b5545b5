import Histogram

/// What a run measured. Latencies and connect times in nanoseconds.
public struct BenchResult: Sendable {
    public var configuration: BenchConfiguration
    /// Clients that logged in.
    public var clientsConnected: Int
    /// Clients whose UDP handshake completed (fast runs).
    public var clientsFastReady: Int
    /// Time from starting the TCP connection to the successful login, one value per client.
    public var connectTimes: Histogram<UInt64>
    /// From the first connection started to the last login.
    public var connectSeconds: Double
    public var counters: BenchCounters
    public var latency: LatencyRecorder
    /// The length of the measured period.
    public var measuredSeconds: Double
    /// The offered rate, messages per second (a `--find-max` step's own rate).
    public var rate: Double
    /// Clients whose connection closed before the bench closed it (since they connected).
    public var clientsDisconnected = 0
    /// What the first of them was told (close reason and code).
    public var firstDisconnect: String?
    /// The share of the machine's CPU a hypervisor took for other guests from the start of the measured period to the
    /// end of the drain, in percent (Linux only; nil elsewhere).
    public var hostStealPercent: Double?

    public init(
        configuration: BenchConfiguration,
        clientsConnected: Int,
        clientsFastReady: Int,
        connectTimes: Histogram<UInt64>,
        connectSeconds: Double,
        counters: BenchCounters,
        latency: LatencyRecorder,
        measuredSeconds: Double
    ) {
        self.configuration = configuration
        self.clientsConnected = clientsConnected
        self.clientsFastReady = clientsFastReady
        self.connectTimes = connectTimes
        self.connectSeconds = connectSeconds
        self.counters = counters
        self.latency = latency
        self.measuredSeconds = measuredSeconds
        self.rate = configuration.rate
    }

    /// The generator is *behind schedule* when it left measured messages unsent, or when more than 1 % of the measured
    /// messages it sent left more than ``behindThreshold`` after their scheduled time: the figures then measure the
    /// bench as much as the server (like wrk2, the corrected latency still charges the delay to the messages).
    public var generatorBehind: Bool {
        counters.unsent > 0 || LatencyHistogram(latency.sendDelay).at(99) > Self.behindThreshold
    }

    /// Send delays above this (10 ms) for more than 1 % of the messages mean the generator could not keep up.
    public static let behindThreshold: UInt64 = 10_000_000

    /// The run went wrong on the way: clients lost their connection or sends failed.
    public var hadFailures: Bool {
        counters.disconnects > 0 || counters.sendFailures > 0 || clientsDisconnected > 0
    }

    /// Throughput per second over the measured period.
    public struct Throughput: Sendable, Hashable {
        public var sentMessages: Double
        public var sentBytes: Double
        public var deliveredMessages: Double
        public var deliveredBytes: Double
    }

    public var throughput: Throughput {
        Self.throughput(counters, seconds: measuredSeconds)
    }

    /// Counts divided by the measured period (0 for an empty period).
    public static func throughput(_ counters: BenchCounters, seconds: Double) -> Throughput {
        guard seconds > 0 else {
            return Throughput(sentMessages: 0, sentBytes: 0, deliveredMessages: 0, deliveredBytes: 0)
        }
        return Throughput(
            sentMessages: Double(counters.sent) / seconds,
            sentBytes: Double(counters.sentBytes) / seconds,
            deliveredMessages: Double(counters.delivered) / seconds,
            deliveredBytes: Double(counters.deliveredBytes) / seconds
        )
    }

    /// The percentiles every report shows.
    public static let reportedPercentiles: [Double] = [50, 90, 99, 99.9, 99.99]
}
