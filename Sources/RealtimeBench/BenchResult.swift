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
