import Testing

@testable import RealtimeBench

@Suite("Rate search")
struct RateSearchTests {
    /// A server that meets the SLO up to `limit` messages/s (and, optionally, a generator that cannot offer more
    /// than `generatorLimit`): runs the search to its verdict and returns the rates it measured.
    static func search(
        _ search: RateSearch,
        limit: Double,
        generatorLimit: Double = .infinity,
        failAt: Int? = nil
    ) -> (rates: [Double], verdict: RateSearch.Verdict) {
        var search = search
        var rates: [Double] = []
        var action = search.begin()
        while case .measure(let rate) = action {
            rates.append(rate)
            let behind = rate > generatorLimit
            let outcome = RateSearch.Outcome(
                rate: rate,
                met: rate <= limit && !behind,
                generatorBehind: behind,
                failed: failAt == rates.count
            )
            action = search.stepEnded(outcome)
            #expect(rates.count < 100, "the search must end")
            if rates.count >= 100 { break }
        }
        guard case .finish(let verdict) = action else { preconditionFailure("no verdict") }
        return (rates, verdict)
    }

    @Test(
        "a table of servers: limit → the rates tried and the verdict",
        arguments: [
            // Doubling from 1000 to the first miss (16000), then bisecting until the bounds are within 5 %.
            (
                12_345.0,
                [1000.0, 2000, 4000, 8000, 16000, 12000, 14000, 13000, 12500],
                RateSearch.Verdict.Kind.found, 12000.0, 12500.0
            ),
            // Met everywhere up to the maximum.
            (1e9, [1000, 2000, 4000, 8000, 16000, 32000, 50000], .reachedMaximum, 50000, nil),
            // The first step misses: halve until one meets, then bisect.
            (300, [1000, 500, 250, 375, 312, 281, 296, 304], .found, 296, 304),
            // Nothing meets, down to the minimum.
            (0.5, [1000, 500, 250, 125, 62, 31, 15, 7, 3, 1], .noneMet, nil, 1),
        ] as [(Double, [Double], RateSearch.Verdict.Kind, Double?, Double?)]
    )
    func table(
        limit: Double,
        expectedRates: [Double],
        kind: RateSearch.Verdict.Kind,
        rate: Double?,
        failedAt: Double?
    ) {
        let (rates, verdict) = Self.search(RateSearch(start: 1000, maximum: 50000), limit: limit)
        #expect(rates == expectedRates)
        #expect(verdict.kind == kind)
        #expect(verdict.rate == rate)
        #expect(verdict.failedAt == failedAt)
        #expect(!verdict.generatorLimited)
    }

    @Test("the verdict says when the step that bounds the search was the generator's failure")
    func generatorLimited() {
        let (rates, verdict) = Self.search(
            RateSearch(start: 1000, maximum: 1_000_000),
            limit: 1e9,
            generatorLimit: 5000
        )
        #expect(rates.prefix(4) == [1000, 2000, 4000, 8000])
        #expect(verdict.kind == .found)
        #expect(verdict.rate.map { $0 >= 4000 && $0 <= 5000 } == true)
        #expect(verdict.generatorLimited)
    }

    @Test("a step that lost clients stops the search with the best rate so far")
    func aborted() {
        let (rates, verdict) = Self.search(RateSearch(start: 1000, maximum: 1_000_000), limit: 1e9, failAt: 3)
        #expect(rates == [1000, 2000, 4000])
        #expect(verdict.kind == .aborted)
        #expect(verdict.rate == 2000)
    }

    @Test("the step budget ends a search that would go on")
    func outOfSteps() {
        let (rates, verdict) = Self.search(
            RateSearch(start: 1000, maximum: 1_000_000, precision: 0.0001, maxSteps: 6),
            limit: 12_345
        )
        #expect(rates.count == 6)
        #expect(verdict.kind == .outOfSteps)
        #expect(verdict.rate == 12000)
    }

    @Test("a noisy step that meets the SLO above a miss still narrows the bounds")
    func noise() {
        var search = RateSearch(start: 1000, maximum: 1_000_000)
        #expect(search.begin() == .measure(rate: 1000))
        #expect(search.stepEnded(RateSearch.Outcome(rate: 1000, met: true)) == .measure(rate: 2000))
        #expect(search.stepEnded(RateSearch.Outcome(rate: 2000, met: false)) == .measure(rate: 1500))
        #expect(search.stepEnded(RateSearch.Outcome(rate: 1500, met: false)) == .measure(rate: 1250))
        #expect(search.stepEnded(RateSearch.Outcome(rate: 1250, met: true)) == .measure(rate: 1375))
    }
}

@Suite("Service level")
struct ServiceLevelTests {
    @Test("an SLO is comma-separated conditions that must all hold")
    func parsing() throws {
        let slo = try ServiceLevel(parsing: "p99<=5ms, loss<=0.1%")
        #expect(slo.conditions.count == 2)
        #expect(slo.description == "p99<=5ms,loss<=0.1%")
        var result = ReportTests.result()
        // p99 of the sample result is 0.99 ms, no loss.
        #expect(slo.isMet(by: result))
        result.counters.delivered = 9_900
        #expect(!slo.isMet(by: result))
        #expect(slo.missed(by: result).map(\.description) == ["loss<=0.1%"])
        #expect(try !ServiceLevel(parsing: "p99<=0.5ms").isMet(by: ReportTests.result()))
    }

    @Test("a bad SLO names what is wrong", arguments: ["", "p99<=5ms,", "p99", "p99<=5ms,nonsense<1"])
    func bad(_ text: String) {
        #expect(throws: FailConditionError.self) { try ServiceLevel(parsing: text) }
    }
}
