import Histogram
import Testing

@testable import RealtimeBench

@Suite("Latency arithmetic")
struct LatencyTests {
    @Test("the histogram gives percentiles of recorded nanoseconds to 3 significant digits")
    func histogramPercentiles() {
        var recorder = LatencyRecorder()
        // 1 µs, 2 µs, …, 1000 µs, each delivered right when sent.
        for micros in 1...1000 {
            let nanos = UInt64(micros) * 1000
            recorder.record(scheduled: 0, sent: 0, received: nanos)
        }
        let latency = LatencyHistogram(recorder.corrected)
        #expect(latency.count == 1000)
        #expect(latency.min == 1000)
        #expect(latency.histogram.valuesAreEquivalent(latency.at(50), 500_000))
        #expect(latency.histogram.valuesAreEquivalent(latency.at(99), 990_000))
        #expect(latency.histogram.valuesAreEquivalent(latency.max, 1_000_000))
        #expect(abs(latency.mean - 500_500) / 500_500 < 0.001)
    }

    @Test("an empty histogram reads as zeros")
    func emptyHistogram() {
        let latency = LatencyHistogram(LatencyRecorder.makeHistogram())
        #expect(latency.isEmpty)
        #expect(latency.at(99) == 0 && latency.min == 0 && latency.max == 0 && latency.mean == 0)
    }

    @Test("corrected latency charges a stall to every message it delayed; uncorrected does not")
    func simulatedStall() {
        // 1000 messages/s for 1 s; the sender (or the server) stalls from 200 ms to 300 ms. The open-loop sender sends
        // its backlog at 300 ms, and every message arrives 50 µs after it was actually sent.
        let schedule = OpenLoopSchedule(start: 0, rate: 1000, count: 1000)
        let stallStart: UInt64 = 200_000_000
        let stallEnd: UInt64 = 300_000_000
        let transit: UInt64 = 50_000
        var recorder = LatencyRecorder()
        var next = 0
        var now: UInt64 = 0
        while next < schedule.count {
            now = schedule.time(of: next)
            if now >= stallStart && now < stallEnd { now = stallEnd }
            let due = schedule.due(from: next, at: now)
            for _ in 0..<due {
                recorder.record(scheduled: schedule.time(of: next), sent: now, received: now + transit)
                next += 1
            }
        }
        let corrected = LatencyHistogram(recorder.corrected)
        let uncorrected = LatencyHistogram(recorder.uncorrected)
        #expect(corrected.count == 1000 && uncorrected.count == 1000)
        // Uncorrected: the stall is invisible, every message took 50 µs.
        #expect(uncorrected.histogram.valuesAreEquivalent(uncorrected.max, transit))
        // Corrected: the 100 messages scheduled during the stall waited up to 100 ms: 10 % of the distribution.
        #expect(corrected.histogram.valuesAreEquivalent(corrected.at(50), transit))
        #expect(corrected.histogram.valuesAreEquivalent(corrected.at(89), transit))
        #expect(corrected.at(95) > 45_000_000 && corrected.at(95) < 55_000_000)
        #expect(corrected.histogram.valuesAreEquivalent(corrected.max, 100_000_000 + transit))
        #expect(corrected.count - UInt64(recorder.corrected.count(within: 0...transit)) == 100)
    }

    @Test("a delivery seen before its send time (clock granularity) records as 0, not as a wrap-around")
    func negativeLatency() {
        var recorder = LatencyRecorder()
        recorder.record(scheduled: 10, sent: 20, received: 5)
        #expect(recorder.corrected.max == 0 && recorder.uncorrected.max == 0)
    }

    @Test("merging recorders adds their counts")
    func merging() {
        var one = LatencyRecorder()
        var two = LatencyRecorder()
        one.record(scheduled: 0, sent: 0, received: 1000)
        two.record(scheduled: 0, sent: 500, received: 3000)
        one.add(two)
        #expect(one.corrected.totalCount == 2)
        #expect(one.corrected.valuesAreEquivalent(one.corrected.max, 3000))
        #expect(one.uncorrected.valuesAreEquivalent(one.uncorrected.max, 2500))
    }
}

@Suite("Open-loop schedule")
struct OpenLoopScheduleTests {
    @Test("message n is due at start + n / rate")
    func times() {
        let schedule = OpenLoopSchedule(start: 1_000, rate: 4, count: 8)
        #expect(schedule.time(of: 0) == 1_000)
        #expect(schedule.time(of: 1) == 1_000 + 250_000_000)
        #expect(schedule.time(of: 7) == 1_000 + 1_750_000_000)
        let covering = OpenLoopSchedule(start: 0, rate: 12_500, seconds: 2)
        #expect(covering.count == 25_000)
        #expect(OpenLoopSchedule(start: 0, rate: 0, seconds: 10).count == 0)
    }

    @Test("a sender that fell behind gets its whole backlog at once, up to the burst limit")
    func backlog() {
        let schedule = OpenLoopSchedule(start: 0, rate: 1000, count: 100)
        #expect(schedule.due(from: 0, at: 0) == 1)
        #expect(schedule.due(from: 1, at: 999_999) == 0)
        #expect(schedule.due(from: 1, at: 10_000_000) == 10)
        #expect(schedule.due(from: 1, at: 10_000_000, limit: 4) == 4)
        #expect(schedule.due(from: 90, at: .max) == 10)
    }
}

@Suite("Counts and throughput")
struct CountsTests {
    @Test("lost = expected - delivered - late, as a percentage of expected; never negative")
    func loss() {
        var counters = BenchCounters()
        counters.expected = 10_000
        counters.delivered = 9_990
        counters.late = 4
        #expect(counters.lost == 6)
        #expect(abs(counters.lossPercent - 0.06) < 1e-9)
        counters.delivered = 10_010
        #expect(counters.lost == 0)
        #expect(BenchCounters().lossPercent == 0)
    }

    @Test("throughput is counts over the measured seconds")
    func throughput() {
        var counters = BenchCounters()
        counters.sent = 125_000
        counters.sentBytes = 125_000 * 16
        counters.delivered = 1_000_000
        counters.deliveredBytes = 16_000_000
        let throughput = BenchResult.throughput(counters, seconds: 10)
        #expect(throughput.sentMessages == 12_500)
        #expect(throughput.sentBytes == 200_000)
        #expect(throughput.deliveredMessages == 100_000)
        #expect(throughput.deliveredBytes == 1_600_000)
        #expect(BenchResult.throughput(counters, seconds: 0).deliveredMessages == 0)
    }

    @Test("the measurement window excludes the warm-up and ends before its end")
    func window() {
        let window = MeasurementWindow(start: 1_000, end: 2_000, drainDeadline: 3_000)
        #expect(!window.isMeasured(scheduled: 999))
        #expect(window.isMeasured(scheduled: 1_000))
        #expect(window.isMeasured(scheduled: 1_999))
        #expect(!window.isMeasured(scheduled: 2_000))
    }

    @Test("recipients: the whole group, the sender included; one player; nobody for the server")
    func recipients() {
        var configuration = BenchConfiguration()
        configuration.clients = 10
        configuration.groups = 3
        #expect(configuration.recipientCounts() == [4, 3, 3, 4, 3, 3, 4, 3, 3, 4])
        #expect(configuration.group(ofClient: 0) == 1 && configuration.group(ofClient: 5) == 3)
        configuration.target = .player
        #expect(configuration.recipientCounts() == Array(repeating: 1, count: 10))
        configuration.target = .server
        #expect(configuration.recipientCounts() == Array(repeating: 0, count: 10))
    }

    @Test("payload timestamps round-trip, and a short payload is not the bench's")
    func payload() {
        var payload = BenchPayload.make(size: 32)
        BenchPayload.stamp(&payload, scheduled: 123_456_789, sent: 987_654_321)
        #expect(payload.readableBytes == 32)
        let stamps = BenchPayload.timestamps(of: payload)
        #expect(stamps?.scheduled == 123_456_789 && stamps?.sent == 987_654_321)
        #expect(BenchPayload.timestamps(of: BenchPayload.make(size: 16).getSlice(at: 0, length: 15)!) == nil)
    }
}
