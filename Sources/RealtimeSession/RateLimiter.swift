import NIOCore

/// How many messages a player may send per second on one channel (`serve --rate-limit`, `--burst`,
/// `--rate-limit-kick`).
public struct RateLimit: Hashable, Sendable {
    /// Messages per second the bucket refills with; 0 turns the limit off.
    public var perSecond: Int
    /// The bucket's size: how many messages may arrive at once after a quiet spell.
    public var burst: Int
    /// A sender that keeps offering more than ``farOverFactor`` times the rate for this long is disconnected;
    /// nil never disconnects.
    public var kickAfter: TimeAmount?

    public init(perSecond: Int, burst: Int, kickAfter: TimeAmount?) {
        self.perSecond = perSecond
        self.burst = burst
        self.kickAfter = kickAfter
    }

    public static let defaultPerSecond = 1000
    public static let defaultBurst = 1000
    public static let defaultKickAfter = TimeAmount.seconds(10)
    public static let `default` = RateLimit(
        perSecond: defaultPerSecond,
        burst: defaultBurst,
        kickAfter: defaultKickAfter
    )
    public static let off = RateLimit(perSecond: 0, burst: 0, kickAfter: nil)

    /// "Far over the limit": offering more than this many times the rate, second after second.
    public static let farOverFactor = 2
    /// Drops are reported at most once per interval per sender.
    public static let reportInterval = TimeAmount.seconds(10)

    public var isOff: Bool { perSecond <= 0 }
}

/// A token bucket for one sender on one channel, with the bookkeeping its policy needs: drops are reported at most
/// once per ``RateLimit/reportInterval``, and a sender far over the limit for ``RateLimit/kickAfter`` is told to go.
///
/// A value type with no clock of its own: every event carries the time.
public struct RateLimiter: Sendable {
    public enum Verdict: Equatable, Sendable {
        /// Within the limit.
        case pass
        /// Over the limit: drop it, silently (it is counted in the next report).
        case drop
        /// Over the limit: drop it and log that `dropped` messages were dropped since the last report.
        case dropAndReport(dropped: Int)
        /// Far over the limit for too long: drop it and disconnect the sender.
        case kick
    }

    public let limit: RateLimit
    private var tokens: Double
    private var refilledAt: NIODeadline
    private var droppedSinceReport = 0
    private var reportedAt: NIODeadline?
    /// Messages offered since `windowStart` (one-second windows), and since when every window was far over.
    private var windowStart: NIODeadline
    private var offeredInWindow = 0
    private var farOverSince: NIODeadline?

    /// A full bucket (the clock starts with the first message).
    public init(_ limit: RateLimit) {
        self.limit = limit
        self.tokens = Double(max(limit.burst, 1))
        self.refilledAt = .uptimeNanoseconds(0)
        self.windowStart = .uptimeNanoseconds(0)
    }

    /// A message arrived: may it pass?
    public mutating func admit(at now: NIODeadline) -> Verdict {
        guard !limit.isOff else { return .pass }
        trackOffered(at: now)
        refill(at: now)
        if tokens >= 1 {
            tokens -= 1
            return .pass
        }
        if let kickAfter = limit.kickAfter, let since = farOverSince, now - since >= kickAfter {
            return .kick
        }
        droppedSinceReport += 1
        if let reportedAt, now - reportedAt < RateLimit.reportInterval { return .drop }
        reportedAt = now
        defer { droppedSinceReport = 0 }
        return .dropAndReport(dropped: droppedSinceReport)
    }

    /// Takes a token if there is one (a throttled channel's check: it waits rather than drops).
    public mutating func take(at now: NIODeadline) -> Bool {
        guard !limit.isOff else { return true }
        refill(at: now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// How long until the next token.
    public func nextToken(at now: NIODeadline) -> TimeAmount {
        guard !limit.isOff else { return .zero }
        let elapsed = Double((now - refilledAt).nanoseconds) / 1e9
        let missing = max(0, 1 - tokens - elapsed * Double(limit.perSecond))
        return .nanoseconds(Int64((missing / Double(limit.perSecond) * 1e9).rounded(.up)))
    }

    private mutating func refill(at now: NIODeadline) {
        let elapsed = Double((now - refilledAt).nanoseconds) / 1e9
        guard elapsed > 0 else { return }
        tokens = min(Double(max(limit.burst, 1)), tokens + elapsed * Double(limit.perSecond))
        refilledAt = now
    }

    /// Closes one-second windows: a window that saw more than ``RateLimit/farOverFactor`` times the rate keeps (or
    /// starts) the far-over spell; any other window ends it.
    private mutating func trackOffered(at now: NIODeadline) {
        let elapsed = now - windowStart
        if elapsed >= .seconds(1) {
            let seconds = Double(elapsed.nanoseconds) / 1e9
            let farOver = Double(offeredInWindow) > seconds * Double(limit.perSecond * RateLimit.farOverFactor)
            farOverSince = farOver ? (farOverSince ?? windowStart) : nil
            windowStart = now
            offeredInWindow = 0
        }
        offeredInWindow += 1
    }
}
