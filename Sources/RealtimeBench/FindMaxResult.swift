/// What a `--find-max` search measured: every step in order and the verdict.
public struct FindMaxResult: Sendable {
    public struct Step: Sendable {
        public var result: BenchResult
        public var met: Bool
        /// 1, or 2 for a rate measured again after a miss.
        public var attempt: Int

        public init(result: BenchResult, met: Bool, attempt: Int = 1) {
            self.result = result
            self.met = met
            self.attempt = attempt
        }
    }

    public var slo: ServiceLevel
    public var verdict: RateSearch.Verdict
    public var steps: [Step]

    /// The step at the verdict's rate (the last one measured at it).
    public var best: Step? {
        guard let rate = verdict.rate else { return nil }
        return steps.last { $0.met && $0.result.rate == rate }
    }

    /// Some step lost clients or had sends fail.
    public var hadFailures: Bool { steps.contains { $0.result.hadFailures } }
}

/// ``FindMaxResult`` as plain values (`--json`): the verdict, then the curve, one entry per step in the order they
/// were measured, each with its figures at the top and the step's whole ``BenchSummary`` under `summary`.
public struct FindMaxSummary: Codable, Sendable, Hashable {
    public struct Step: Codable, Sendable, Hashable {
        /// Offered messages per second.
        public var rate: Double
        public var sloMet: Bool
        /// 2 when the rate was measured again after a miss.
        public var attempt: Int
        /// The SLO conditions this step missed.
        public var missed: [String]
        public var deliveredPerSecond: Double
        public var p50Ms: Double
        public var p99Ms: Double
        public var lossPercent: Double
        public var generatorBehind: Bool
        public var summary: BenchSummary
    }

    public var slo: String
    /// `found`, `reachedMaximum`, `noneMet`, `outOfSteps` or `aborted`.
    public var verdict: String
    /// The highest rate that met the SLO (messages per second offered), absent when none did.
    public var maxRate: Double?
    /// Deliveries per second at that rate.
    public var maxDeliveredPerSecond: Double?
    /// The lowest rate that missed the SLO, when one did.
    public var failedAt: Double?
    /// The step that bounds the search missed because the generator fell behind: the server may do more.
    public var generatorLimited: Bool
    public var steps: [Step]

    public init(_ result: FindMaxResult) {
        slo = result.slo.description
        verdict = result.verdict.kind.rawValue
        maxRate = result.verdict.rate
        maxDeliveredPerSecond = result.best.map { BenchSummary($0.result).throughput.deliveredMessagesPerSecond }
        failedAt = result.verdict.failedAt
        generatorLimited = result.verdict.generatorLimited
        steps = result.steps.map { step in
            let summary = BenchSummary(step.result)
            return Step(
                rate: summary.rate,
                sloMet: step.met,
                attempt: step.attempt,
                missed: result.slo.missed(by: step.result).map(\.description),
                deliveredPerSecond: summary.throughput.deliveredMessagesPerSecond,
                p50Ms: summary.corrected.p50Ms,
                p99Ms: summary.corrected.p99Ms,
                lossPercent: summary.lossPercent,
                generatorBehind: summary.generator.behindSchedule,
                summary: summary
            )
        }
    }
}
