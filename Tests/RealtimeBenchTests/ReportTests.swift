import Foundation
import Testing

@testable import RealtimeBench

@Suite("Reports")
struct ReportTests {
    static func result() -> BenchResult {
        var latency = LatencyRecorder()
        for index in 1...10_000 {
            latency.record(scheduled: 0, sent: UInt64(index) * 10, received: UInt64(index) * 100)
        }
        var counters = BenchCounters()
        counters.sent = 1_250
        counters.sentBytes = 20_000
        counters.expected = 10_000
        counters.delivered = 10_000
        counters.deliveredBytes = 160_000
        return BenchResult(
            configuration: BenchConfiguration(),
            clientsConnected: 64,
            clientsFastReady: 64,
            connectTimes: LatencyRecorder.makeHistogram(),
            connectSeconds: 0.1,
            counters: counters,
            latency: latency,
            measuredSeconds: 1
        )
    }

    @Test("the CSV row has one field per header column")
    func csv() {
        let summary = BenchSummary(Self.result())
        let header = BenchReport.csvHeader.split(separator: ",")
        let row = BenchReport.csvRow(summary).split(separator: ",", omittingEmptySubsequences: false)
        #expect(header.count == row.count)
        #expect(header.first == "clients" && row.first == "64")
        #expect(header.contains("corrected_p99_ms") && header.contains("delivered_msg_per_s"))
    }

    @Test("--csv appends a row to a file that has the same header")
    func csvAppends() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID()).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let summary = BenchSummary(Self.result())
        try BenchReport.writeCSV(summary, to: path)
        try BenchReport.writeCSV(summary, to: path)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0] == Substring(BenchReport.csvHeader))
    }

    @Test("JSON and text reports carry the figures")
    func jsonAndText() throws {
        let summary = BenchSummary(Self.result())
        let json = try BenchReport.json(summary)
        let decoded = try JSONDecoder().decode(BenchSummary.self, from: Data(json.utf8))
        #expect(decoded == summary)
        #expect(summary.throughput.deliveredMessagesPerSecond == 10_000)
        #expect(summary.corrected.p99Ms > 0.98 && summary.corrected.p99Ms < 1.0)
        let text = BenchReport.text(summary)
        #expect(text.contains("delivered 10000 msg/s"))
        #expect(text.contains("corrected"))
    }

    @Test("the hgrm spectrum is HdrHistogram's text format in milliseconds; the uncorrected file's name")
    func hgrm() {
        let text = BenchReport.hgrm(Self.result().latency.corrected)
        #expect(text.hasPrefix("       Value     Percentile TotalCount 1/(1-Percentile)"))
        #expect(text.contains("#[Max     ="))
        #expect(BenchReport.uncorrectedPath(for: "out/run.hgrm") == "out/run-uncorrected.hgrm")
        #expect(BenchReport.uncorrectedPath(for: "run") == "run-uncorrected")
    }

    @Test("the plot has both lines, nines on the percentile axis and labelled axes")
    func plot() {
        let result = Self.result()
        let svg = LatencyPlot(title: "t", subtitle: "s").svg(
            corrected: result.latency.corrected,
            uncorrected: result.latency.uncorrected
        )
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.components(separatedBy: "<polyline").count == 3)
        for label in ["90%", "99%", "99.9%", "99.99%", "Percentile", "Latency (ms)", "corrected", "uncorrected"] {
            #expect(svg.contains(label), "\(label)")
        }
        #expect(LatencyPlot.nines(forCount: 10_000) == 4)
        #expect(LatencyPlot.nines(forCount: 10) == 2)
        #expect(LatencyPlot.axisLimit(1.3) == (2, 0.4))
        #expect(LatencyPlot.axisLimit(0.07) == (0.1, 0.02))
    }

    @Test("lost clients and failed sends are in the report and in JSON; a clean run has no failures line")
    func failures() throws {
        var result = Self.result()
        #expect(BenchReport.failures(BenchSummary(result)) == nil)
        #expect(!BenchReport.text(BenchSummary(result)).contains("failures"))
        result.counters.disconnects = 3
        result.counters.sendFailures = 120
        result.clientsDisconnected = 3
        result.firstDisconnect = "keep-alive timeout (close code 1001)"
        #expect(result.hadFailures)
        let summary = BenchSummary(result)
        let text = BenchReport.text(summary)
        #expect(text.contains("failures    3 of 64 clients disconnected during the run"))
        #expect(text.contains("120 sends failed; first: keep-alive timeout (close code 1001)"))
        let object = try JSONDecoder().decode(BenchSummary.self, from: Data(try BenchReport.json(summary).utf8))
        #expect(object.disconnects == 3 && object.sendFailures == 120 && object.clientsDisconnected == 3)
    }

    @Test("a generator that left messages unsent or sent late says it is behind schedule instead of blaming the server")
    func behindSchedule() {
        var result = Self.result()
        for _ in 0..<1_000 { result.latency.recordSend(scheduled: 0, sent: 50_000) }
        #expect(!result.generatorBehind)
        #expect(BenchReport.text(BenchSummary(result)).contains("generator   on schedule"))
        // 2 % of the sends left 20 ms late: more than 1 % beyond 10 ms.
        for _ in 0..<20 { result.latency.recordSend(scheduled: 0, sent: 20_000_000) }
        #expect(result.generatorBehind)
        var unsent = Self.result()
        unsent.counters.unsent = 1
        #expect(unsent.generatorBehind)
        let summary = BenchSummary(result)
        #expect(summary.generator.behindSchedule && summary.generator.sendDelayP99Ms >= 19)
        #expect(BenchReport.text(summary).contains("BEHIND SCHEDULE: the bench could not offer 1000 msg/s"))
        #expect(BenchReport.csvRow(summary).split(separator: ",").contains("true"))
    }

    @Test("the hypervisor's steal time during a step is reported, and named in the text when it is noticeable")
    func hostSteal() throws {
        let line = "cpu  4705 150 1120 16250 520 0 30 900 0 0"
        let earlier = try #require(HostCPUTimes(line: line[...]))
        #expect(earlier == HostCPUTimes(total: 23_675, steal: 900))
        let later = HostCPUTimes(total: earlier.total + 1_000, steal: earlier.steal + 125)
        #expect(later.stealPercent(since: earlier) == 12.5)
        #expect(earlier.stealPercent(since: earlier) == nil)
        for bad in ["cpu0 1 2 3 4 5 6 7 8", "cpu  1 2 3", "cpu  1 2 3 4 5 6 7 x 9", "intr 1 2 3 4 5 6 7 8 9"] {
            #expect(HostCPUTimes(line: bad[...]) == nil)
        }
        #if os(Linux)
        #expect(HostCPUTimes.now() != nil)
        #endif

        var result = Self.result()
        result.hostStealPercent = 0.42
        var summary = BenchSummary(result)
        #expect(summary.hostStealPercent == 0.4)
        #expect(!BenchReport.text(summary).contains("host  "))
        result.hostStealPercent = 12.345
        summary = BenchSummary(result)
        #expect(
            BenchReport.text(summary).contains(
                "host        the hypervisor took 12.3 % of the CPU during the step (steal time)"
            )
        )
        let object = try JSONDecoder().decode(BenchSummary.self, from: Data(try BenchReport.json(summary).utf8))
        #expect(object.hostStealPercent == 12.3)
        let header = BenchReport.csvHeader.split(separator: ",")
        let row = BenchReport.csvRow(summary).split(separator: ",", omittingEmptySubsequences: false)
        let column = try #require(header.firstIndex(of: "host_steal_percent"))
        #expect(row[column] == "12.3")
        #expect(
            BenchReport.csvRow(BenchSummary(Self.result())).split(separator: ",", omittingEmptySubsequences: false)[
                column
            ] == ""
        )
    }

    @Test("a search measures a miss once more, and up to four times while the host steals more than --max-steal")
    func measureAgain() {
        var result = Self.result()
        func again(_ attempt: Int, met: Bool = false, steal: Double? = nil) -> Bool {
            result.hostStealPercent = steal
            return BenchRunner.measureAgain(result, met: met, attempt: attempt, maxSteal: 5)
        }
        #expect(!again(1, met: true, steal: 40))
        #expect(again(1) && !again(2))
        #expect(again(1, steal: 0.5) && !again(2, steal: 5) && !again(2, steal: 4.9))
        #expect(again(2, steal: 5.1) && again(3, steal: 30) && !again(4, steal: 30))
        result.counters.disconnects = 1
        #expect(!again(1, steal: 30))
    }

    @Test("a search's report: a row per step, the verdict, JSON with the curve, CSV rows and a two-panel plot")
    func findMax() throws {
        let slo = try ServiceLevel(parsing: "p99<=5ms,loss<=0.1%")
        var steps: [FindMaxResult.Step] = []
        for (rate, met) in [(1000.0, true), (2000, true), (4000, false), (3000, true)] {
            var result = Self.result()
            result.rate = rate
            if !met { result.counters.delivered = 5_000 }
            steps.append(FindMaxResult.Step(result: result, met: met))
        }
        let verdict = RateSearch.Verdict(kind: .found, rate: 3000, failedAt: 4000, generatorLimited: false)
        let result = FindMaxResult(slo: slo, verdict: verdict, steps: steps)
        let text = BenchReport.text(result)
        #expect(text.contains("SLO p99<=5ms,loss<=0.1%"))
        #expect(text.contains("missed loss<=0.1%"))
        #expect(text.contains("highest rate meeting the SLO: 3000 msg/s (10000 deliveries/s); 4000 msg/s did not"))
        let summary = try JSONDecoder().decode(FindMaxSummary.self, from: Data(try BenchReport.json(result).utf8))
        #expect(summary.verdict == "found" && summary.maxRate == 3000 && summary.failedAt == 4000)
        #expect(summary.steps.map(\.rate) == [1000, 2000, 4000, 3000])
        #expect(summary.steps.map(\.sloMet) == [true, true, false, true])
        #expect(summary.steps[2].missed == ["loss<=0.1%"] && summary.steps[2].lossPercent == 50)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("curve-\(UUID()).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try BenchReport.writeCSV(result, to: path)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 5 && lines[0].hasSuffix(",slo_met") && lines[3].hasSuffix(",false"))
        var again = result
        again.steps[2].attempt = 2
        #expect(BenchReport.text(again).contains("missed loss<=0.1% (measured again)"))
        #expect(FindMaxSummary(again).steps.map(\.attempt) == [1, 1, 2, 1])
        again.steps[2].result.hostStealPercent = 8.04
        #expect(BenchReport.text(again).contains("missed loss<=0.1% (measured again) (host steal 8.0 %)"))
        let svg = CurvePlot(title: "t", subtitle: "s").svg(result)
        // Delivered and expected, then p99, p50 and the SLO's bound.
        #expect(svg.components(separatedBy: "<polyline").count == 6)
        for label in ["Offered rate (messages/s)", "Deliveries/s", "Latency (ms)", "SLO p99 bound", "4k"] {
            #expect(svg.contains(label), "\(label)")
        }
    }
}
