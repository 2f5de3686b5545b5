/// The rate search of `rtctl bench --find-max`, as a value: started with ``begin()`` and told how each step went, it answers with the next rate to
/// measure or with its verdict. No clock, no sockets: a table of step outcomes decides the rate.
///
/// It doubles the rate from ``start`` while steps meet the SLO, then bisects between the highest rate that met it and
/// the lowest that did not, until the two are within ``precision`` of each other (or ``maxSteps`` were measured). A
/// first step that fails halves instead, down to ``minimum``. Rates are whole messages per second.
public struct RateSearch: Sendable, Hashable {
    /// What one step showed.
    public struct Outcome: Sendable, Hashable {
        public var rate: Double
        /// Every SLO condition held.
        public var met: Bool
        /// The generator could not keep this rate (``BenchResult/generatorBehind``): a failure that may be the bench's.
        public var generatorBehind: Bool
        /// Clients were lost: the search stops.
        public var failed: Bool

        public init(rate: Double, met: Bool, generatorBehind: Bool = false, failed: Bool = false) {
            self.rate = rate
            self.met = met
            self.generatorBehind = generatorBehind
            self.failed = failed
        }
    }

    public struct Verdict: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable, Codable {
            /// `rate` met the SLO and a rate within the precision above it did not.
            case found
            /// Every rate up to the maximum met it: the server's limit is higher.
            case reachedMaximum
            /// Not even the minimum rate met it.
            case noneMet
            /// The search ran out of steps; `rate` is the best so far.
            case outOfSteps
            /// Clients were lost; `rate` is the best before that.
            case aborted
        }

        public var kind: Kind
        /// The highest rate that met the SLO (nil: none did).
        public var rate: Double?
        /// The lowest rate that failed it, when known.
        public var failedAt: Double?
        /// The failure that bounds the search was the generator's: the server may sustain more than `rate`.
        public var generatorLimited: Bool
    }

    public enum Action: Sendable, Hashable {
        case measure(rate: Double)
        case finish(Verdict)
    }

    public var start: Double
    public var maximum: Double
    public var minimum: Double
    /// Stop when the failing rate is within this fraction above the passing one (0.05: 5 %).
    public var precision: Double
    public var maxSteps: Int

    private var best: Double?
    private var failedAt: Double?
    private var failedByGenerator = false
    private var steps = 0

    public init(start: Double, maximum: Double, minimum: Double = 1, precision: Double = 0.05, maxSteps: Int = 24) {
        precondition(start >= minimum && maximum >= start && minimum >= 1, "rates: minimum <= start <= maximum")
        self.start = start.rounded()
        self.maximum = maximum.rounded()
        self.minimum = minimum
        self.precision = precision
        self.maxSteps = max(1, maxSteps)
    }

    public func begin() -> Action {
        .measure(rate: start)
    }

    public mutating func stepEnded(_ outcome: Outcome) -> Action {
        steps += 1
        if outcome.failed { return .finish(verdict(.aborted)) }
        if outcome.met {
            best = max(best ?? 0, outcome.rate)
        } else if failedAt == nil || outcome.rate < failedAt! {
            failedAt = outcome.rate
            failedByGenerator = outcome.generatorBehind
        }
        guard let next = nextRate() else { return .finish(verdict(conclusion())) }
        if steps >= maxSteps { return .finish(verdict(.outOfSteps)) }
        return .measure(rate: next)
    }

    /// nil: the bounds are close enough, or there is nothing left to try.
    private func nextRate() -> Double? {
        switch (best, failedAt) {
        case (let low?, nil):
            // Doubling.
            return low >= maximum ? nil : min(maximum, low * 2)
        case (nil, let high?):
            // Even the first rate failed: halve.
            let next = (high / 2).rounded(.down)
            return next < minimum || next >= high ? nil : next
        case (let low?, let high?):
            let middle = ((low + high) / 2).rounded(.down)
            return high - low <= precision * low || middle <= low || middle >= high ? nil : middle
        case (nil, nil):
            return start
        }
    }

    private func conclusion() -> Verdict.Kind {
        switch (best, failedAt) {
        case (nil, _): .noneMet
        case (_, nil): .reachedMaximum
        default: .found
        }
    }

    private func verdict(_ kind: Verdict.Kind) -> Verdict {
        Verdict(kind: kind, rate: best, failedAt: failedAt, generatorLimited: failedAt != nil && failedByGenerator)
    }
}
