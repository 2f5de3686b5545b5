/// When each message of an open-loop run is due: message `m` at `start + m / rate`, whatever happened to the
/// messages before it. A sender that falls behind sends its backlog at once; the messages keep their scheduled times,
/// so corrected latency charges the delay (no coordinated omission).
public struct OpenLoopSchedule: Sendable, Hashable {
    /// Nanoseconds on the monotonic clock.
    public let start: UInt64
    /// Messages per second.
    public let rate: Double
    /// Messages in the whole run (warm-up included).
    public let count: Int

    public init(start: UInt64, rate: Double, count: Int) {
        precondition(rate > 0 || count == 0, "a schedule with messages needs a positive rate")
        self.start = start
        self.rate = rate
        self.count = count
    }

    /// A schedule covering `seconds` at `rate` (the messages due strictly before `start + seconds`).
    public init(start: UInt64, rate: Double, seconds: Double) {
        let count = rate > 0 ? Int((rate * seconds).rounded(.up)) : 0
        self.init(start: start, rate: rate, count: count)
    }

    /// The scheduled time of message `index`, in nanoseconds.
    @inlinable
    public func time(of index: Int) -> UInt64 {
        start &+ UInt64((Double(index) * 1e9 / rate).rounded())
    }

    /// How many messages from `next` on are due at `now` (at most `limit`): the ones to send right away.
    public func due(from next: Int, at now: UInt64, limit: Int = .max) -> Int {
        var index = next
        while index < count, index - next < limit, time(of: index) <= now { index += 1 }
        return index - next
    }
}
