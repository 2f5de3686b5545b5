/// Delays between reconnection attempts: doubling from `initial` up to `maximum`, each with up to a quarter of
/// random jitter (so that many processes that lost the service together do not come back in step); back to
/// `initial` after a connection succeeded.
struct ReconnectBackoff: Sendable {
    let initial: Duration
    let maximum: Duration
    private(set) var attempt = 0

    init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = max(initial, maximum)
    }

    /// The delay before the next attempt, given a random fraction in 0..<1 for the jitter.
    mutating func nextDelay(jitter: Double = Double.random(in: 0..<1)) -> Duration {
        let factor = 1 << min(attempt, 20)
        attempt += 1
        let base = min(initial * factor, maximum)
        return base - base * (0.25 * min(max(jitter, 0), 1))
    }

    /// A connection succeeded.
    mutating func reset() {
        attempt = 0
    }
}
