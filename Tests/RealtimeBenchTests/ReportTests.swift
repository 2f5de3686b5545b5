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
}
