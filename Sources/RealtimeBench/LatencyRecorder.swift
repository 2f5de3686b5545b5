import Histogram

/// The measurement window of a run, in nanoseconds on the monotonic clock.
///
/// A message is *measured* when its scheduled send time is in `[start, end)`: messages scheduled during the warm-up
/// are sent and delivered like the others but left out of every figure. A delivery of a measured message that arrives
/// after `drainDeadline` (`end` plus the drain period) is *late*: counted apart, not in the latency figures.
public struct MeasurementWindow: Sendable, Hashable {
    public var start: UInt64
    public var end: UInt64
    public var drainDeadline: UInt64

    public init(start: UInt64, end: UInt64, drainDeadline: UInt64) {
        self.start = start
        self.end = end
        self.drainDeadline = drainDeadline
    }

    public func isMeasured(scheduled: UInt64) -> Bool { scheduled >= start && scheduled < end }

    public var seconds: Double { Double(end - start) / 1e9 }
}

/// Message counts of a run or of a part of it (one event loop), all restricted to measured messages.
public struct BenchCounters: Sendable, Hashable {
    /// Messages handed to the clients.
    public var sent = 0
    public var sentBytes = 0
    /// Deliveries the sends should cause: each message counts its recipients at send time.
    public var expected = 0
    /// Deliveries received by the drain deadline (the latency figures count exactly these).
    public var delivered = 0
    public var deliveredBytes = 0
    /// Deliveries received after the drain deadline.
    public var late = 0
    /// Sends the client refused (connection closed).
    public var sendFailures = 0
    /// Messages the generator had not sent yet when the step ended (it fell behind its schedule): neither sent nor
    /// expected, so they count as no loss of the server's.
    public var unsent = 0
    /// Messages with the bench's op code that carry no timestamps.
    public var malformed = 0
    /// Clients that lost their connection during the run.
    public var disconnects = 0

    public init() {}

    /// Deliveries that never arrived: expected, neither delivered nor late. Never negative (a message relayed twice
    /// would otherwise hide a loss).
    public var lost: Int { max(0, expected - delivered - late) }

    /// ``lost`` as a percentage of ``expected`` (0 when nothing was expected).
    public var lossPercent: Double { expected == 0 ? 0 : Double(lost) * 100 / Double(expected) }

    public mutating func add(_ other: BenchCounters) {
        sent += other.sent
        sentBytes += other.sentBytes
        expected += other.expected
        delivered += other.delivered
        deliveredBytes += other.deliveredBytes
        late += other.late
        sendFailures += other.sendFailures
        unsent += other.unsent
        malformed += other.malformed
        disconnects += other.disconnects
    }
}

/// Latency of deliveries in nanoseconds, two ways: *corrected* from the scheduled send time (what a player waiting
/// for the message sees, stalls of the sender or the server included, as wrk2 measures) and *uncorrected* from the
/// moment the client actually sent it; and the generator's own *send delay* (actual minus scheduled send time, one
/// value per measured message sent), which tells whether the bench kept its schedule.
public struct LatencyRecorder: Sendable {
    /// One hour in nanoseconds: anything longer is recorded as one hour.
    public static let highestTrackable: UInt64 = 3_600_000_000_000

    public private(set) var corrected: Histogram<UInt64>
    public private(set) var uncorrected: Histogram<UInt64>
    public private(set) var sendDelay: Histogram<UInt64>

    public init() {
        corrected = Self.makeHistogram()
        uncorrected = Self.makeHistogram()
        sendDelay = Self.makeHistogram()
    }

    /// A histogram for nanosecond latencies, 1 ns to 1 hour, 3 significant digits.
    public static func makeHistogram() -> Histogram<UInt64> {
        Histogram(
            lowestDiscernibleValue: 1,
            highestTrackableValue: highestTrackable,
            numberOfSignificantValueDigits: .three
        )
    }

    /// Records one delivery received at `received` of a message scheduled at `scheduled` and sent at `sent`.
    public mutating func record(scheduled: UInt64, sent: UInt64, received: UInt64) {
        corrected.record(Self.clamped(received, minus: scheduled))
        uncorrected.record(Self.clamped(received, minus: sent))
    }

    /// Records that a message scheduled at `scheduled` left at `sent`.
    public mutating func recordSend(scheduled: UInt64, sent: UInt64) {
        sendDelay.record(Self.clamped(sent, minus: scheduled))
    }

    public mutating func add(_ other: LatencyRecorder) {
        corrected.add(other.corrected)
        uncorrected.add(other.uncorrected)
        sendDelay.add(other.sendDelay)
    }

    private static func clamped(_ end: UInt64, minus start: UInt64) -> UInt64 {
        end > start ? min(end - start, highestTrackable) : 0
    }
}
