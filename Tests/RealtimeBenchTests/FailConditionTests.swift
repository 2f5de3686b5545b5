import Histogram
import Testing

@testable import RealtimeBench

@Suite("--fail-if")
struct FailConditionTests {
    @Test(
        "conditions parse to a metric, a comparison and a threshold in base units",
        arguments: [
            ("p99>5ms", FailCondition.Metric.latencyPercentile(99, corrected: true), ">", 5e6),
            ("p99.9 >= 2.5ms", .latencyPercentile(99.9, corrected: true), ">=", 2.5e6),
            ("uncorrected.p50<300us", .latencyPercentile(50, corrected: false), "<", 3e5),
            ("max>1s", .latencyMax(corrected: true), ">", 1e9),
            ("p90>2", .latencyPercentile(90, corrected: true), ">", 2e6),
            ("loss>0.1%", .lossPercent, ">", 0.1),
            ("loss>0", .lossPercent, ">", 0),
            ("throughput<50000", .deliveredThroughput, "<", 50_000),
            ("throughput<=100k", .deliveredThroughput, "<=", 100_000),
            ("sent<1M", .sentThroughput, "<", 1_000_000),
            ("late>0", .late, ">", 0),
        ]
    )
    func parsing(_ text: String, _ metric: FailCondition.Metric, _ comparison: String, _ threshold: Double) throws {
        let condition = try FailCondition(parsing: text)
        #expect(condition.metric == metric)
        #expect(condition.comparison.rawValue == comparison)
        #expect(abs(condition.threshold - threshold) <= threshold * 1e-12)
    }

    @Test(
        "malformed conditions are refused with a reason",
        arguments: ["p99", "p99>", ">5ms", "p101>1ms", "speed>1", "p99>fast", "loss>x%", "uncorrected.loss>1"]
    )
    func malformed(_ text: String) {
        #expect(throws: FailConditionError.self) { try FailCondition(parsing: text) }
    }

    @Test("a condition holds against a result's figures")
    func holds() throws {
        var latency = LatencyRecorder()
        for index in 0..<100 {
            // 99 deliveries at 1 ms, one at 10 ms.
            latency.record(scheduled: 0, sent: 0, received: index == 99 ? 10_000_000 : 1_000_000)
        }
        var counters = BenchCounters()
        counters.sent = 100
        counters.expected = 1000
        counters.delivered = 990
        let result = BenchResult(
            configuration: BenchConfiguration(),
            clientsConnected: 1,
            clientsFastReady: 1,
            connectTimes: LatencyRecorder.makeHistogram(),
            connectSeconds: 0,
            counters: counters,
            latency: latency,
            measuredSeconds: 10
        )
        #expect(try FailCondition(parsing: "p99>2ms").holds(for: result) == false)
        #expect(try FailCondition(parsing: "max>2ms").holds(for: result))
        #expect(try FailCondition(parsing: "loss>0.1%").holds(for: result))  // 1 %
        #expect(try FailCondition(parsing: "loss>1%").holds(for: result) == false)
        #expect(try FailCondition(parsing: "throughput<100").holds(for: result))  // 99/s
        #expect(try FailCondition(parsing: "sent>=10").holds(for: result))
    }
}

@Suite("Quantities")
struct QuantityTests {
    @Test("durations")
    func durations() {
        #expect(Quantity.duration("10s") == 10_000_000_000)
        #expect(Quantity.duration("500ms") == 500_000_000)
        #expect(Quantity.duration("2m") == 120_000_000_000)
        #expect(Quantity.duration("1.5s") == 1_500_000_000)
        #expect(Quantity.duration("250us") == 250_000)
        #expect(Quantity.duration("3") == 3_000_000_000)
        #expect(Quantity.duration("0") == 0)
        for bad in ["", "s", "-1s", "10 s", "1e3s", "10x", "inf"] { #expect(Quantity.duration(bad) == nil, "\(bad)") }
    }

    @Test("rates")
    func rates() {
        #expect(Quantity.rate("12500") == 12_500)
        #expect(Quantity.rate("12.5k") == 12_500)
        #expect(Quantity.rate("1M") == 1_000_000)
        #expect(Quantity.rate("1000/s") == 1_000)
        #expect(Quantity.rate("fast") == nil)
    }
}
