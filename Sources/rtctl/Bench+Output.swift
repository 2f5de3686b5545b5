import Foundation
import RealtimeBench
import Synchronization

extension Rtctl.Bench {
    /// A single run's report on stdout (or `--json`), then `--csv`, `--hgrm` and `--plot`.
    func write(_ result: BenchResult) throws {
        let summary = BenchSummary(result)
        if json {
            StandardStreams.writeToStandardOutput(try BenchReport.json(summary) + "\n")
        } else {
            StandardStreams.writeToStandardOutput(BenchReport.text(summary))
        }
        try writingFiles {
            if let csv { try BenchReport.writeCSV(summary, to: csv) }
            if let hgrm {
                try BenchReport.hgrm(result.latency.corrected).write(toFile: hgrm, atomically: true, encoding: .utf8)
                try BenchReport.hgrm(result.latency.uncorrected).write(
                    toFile: BenchReport.uncorrectedPath(for: hgrm),
                    atomically: true,
                    encoding: .utf8
                )
            }
            if let plot {
                let chart = LatencyPlot(
                    title: "rtctl bench: latency by percentile",
                    subtitle: "\(summary.clients) clients, \(summary.mode) to \(summary.target), "
                        + "\(BenchReport.number(summary.rate)) msg/s, \(summary.size) B, "
                        + "\(summary.delivered) deliveries in \(summary.durationSeconds) s"
                )
                let svg = chart.svg(corrected: result.latency.corrected, uncorrected: result.latency.uncorrected)
                try svg.write(toFile: plot, atomically: true, encoding: .utf8)
            }
        }
    }

    /// A search's table and verdict on stdout (or `--json`), then `--csv` and `--plot`.
    func write(_ result: FindMaxResult) throws {
        if json {
            StandardStreams.writeToStandardOutput(try BenchReport.json(result) + "\n")
        } else {
            StandardStreams.writeToStandardOutput(BenchReport.text(result))
        }
        try writingFiles {
            if let csv { try BenchReport.writeCSV(result, to: csv) }
            if let plot, let first = result.steps.first.map({ BenchSummary($0.result) }) {
                let groups = first.target == "group" ? " in \(first.groups) groups" : ""
                let chart = CurvePlot(
                    title: "rtctl bench --find-max: SLO \(result.slo)",
                    subtitle: "\(first.clients) clients\(groups), \(first.mode) to \(first.target), \(first.size) B; "
                        + (result.best.map {
                            "highest rate meeting it: \(BenchReport.number($0.result.rate)) msg/s ("
                                + "\(BenchReport.number(BenchSummary($0.result).throughput.deliveredMessagesPerSecond)) "
                                + "deliveries/s)"
                        } ?? "no rate met it")
                )
                try chart.svg(result).write(toFile: plot, atomically: true, encoding: .utf8)
            }
        }
    }

    private func writingFiles(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch {
            throw RtctlError.runtime("bench: cannot write the output: \(error.localizedDescription)")
        }
    }

    static func describe(_ condition: FailCondition, in result: BenchResult) -> String {
        let value = condition.value(in: result)
        switch condition.metric {
        case .latencyPercentile, .latencyMin, .latencyMax, .latencyMean:
            return String(format: "%.3f ms", value / 1e6)
        case .lossPercent:
            return String(format: "%.4g%%", value)
        case .late, .lost:
            return String(Int(value))
        case .deliveredThroughput, .sentThroughput:
            return String(format: "%.0f/s", value)
        }
    }
}

/// The progress line on stderr: rewritten in place, cleared at the end.
final class BenchProgressLine: Sendable {
    let enabled: Bool
    private let last = Mutex<(time: Double, sent: Int, received: Int)?>(nil)

    init(enabled: Bool) {
        self.enabled = enabled
    }

    func show(_ progress: BenchProgress) {
        guard enabled else { return }
        var text: String
        switch progress.phase {
        case .connecting, .preparing:
            text = String(
                format: "connecting %d clients, %.1f s of %.1f s",
                progress.clientsConnected,
                progress.elapsed,
                progress.total
            )
        case .warmup, .measuring, .draining:
            let previous = last.withLock { value in
                defer { value = (progress.elapsed, progress.sent, progress.received) }
                return value
            }
            var rates = ""
            if let previous, progress.elapsed > previous.time {
                let span = progress.elapsed - previous.time
                rates = String(
                    format: " (%.0f/s, %.0f/s)",
                    Double(progress.sent - previous.sent) / span,
                    Double(progress.received - previous.received) / span
                )
            }
            text =
                progress.phase.rawValue + " at \(BenchReport.number(progress.rate)) msg/s"
                + String(
                    format: " %.1f s of %.1f s: sent %d, received %d",
                    progress.elapsed,
                    progress.total,
                    progress.sent,
                    progress.received
                ) + rates
        }
        StandardStreams.writeToStandardError("\r\u{1B}[K" + text)
    }

    /// A `--find-max` step ended: one line that stays above the progress line.
    func stepEnded(_ result: BenchResult, met: Bool) {
        guard enabled else { return }
        let summary = BenchSummary(result)
        let figures = String(
            format: "p99 %.3f ms, loss %.3g %%",
            summary.corrected.p99Ms,
            summary.lossPercent
        )
        StandardStreams.writeToStandardError(
            "\r\u{1B}[Kstep \(BenchReport.number(summary.rate)) msg/s: "
                + "\(BenchReport.number(summary.throughput.deliveredMessagesPerSecond)) delivered/s, \(figures): "
                + (met ? "met" : "missed") + "\n"
        )
    }

    func clear() {
        guard enabled else { return }
        StandardStreams.writeToStandardError("\r\u{1B}[K")
    }
}
