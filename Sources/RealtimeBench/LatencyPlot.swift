import Foundation
import Histogram

/// `--plot FILE.svg`: latency by percentile, corrected and uncorrected, as HdrHistogram's plots draw it. The
/// percentile axis is logarithmic in "nines" (90 %, 99 %, 99.9 %, …) so that the tail gets as much room as the
/// median; the latency axis is linear, in milliseconds.
public struct LatencyPlot {
    public var title: String
    public var subtitle: String
    public var width = 880.0
    public var height = 520.0

    public init(title: String, subtitle: String) {
        self.title = title
        self.subtitle = subtitle
    }

    /// One line: (nines, milliseconds) points, nines = log10(1 / (1 - percentile)).
    public static func points(_ histogram: Histogram<UInt64>, maxNines: Double) -> [(Double, Double)] {
        guard histogram.totalCount > 0 else { return [] }
        var points: [(Double, Double)] = []
        for step in histogram.percentiles(ticksPerHalfDistance: 10) {
            let level = step.percentileLevelIteratedTo
            guard level < 100 else { break }
            let nines = log10(100 / (100 - level))
            guard nines <= maxNines else { break }
            points.append((nines, Double(step.value) / 1e6))
        }
        points.append((maxNines, Double(histogram.max) / 1e6))
        return points
    }

    /// How many nines the data supports: about log10 of the sample count, between 2 and 6.
    public static func nines(forCount count: UInt64) -> Double {
        Swift.min(6, Swift.max(2, (log10(Double(Swift.max(count, 1)))).rounded(.down)))
    }

    /// A round upper bound for the latency axis (1, 2, 2.5 or 5 times a power of ten) and its tick step.
    public static func axisLimit(_ value: Double) -> (limit: Double, step: Double) {
        guard case .linear(let limit) = SVGChart.linearAxis(value).0 else { return (1, 0.2) }
        return (limit, limit / 5)
    }

    public func svg(corrected: Histogram<UInt64>, uncorrected: Histogram<UInt64>) -> String {
        let maxNines = Self.nines(forCount: Swift.max(corrected.totalCount, uncorrected.totalCount))
        let series = [
            SVGChart.Series(
                label: "corrected (from the scheduled send time)",
                color: "#d62728",
                points: Self.points(corrected, maxNines: maxNines)
            ),
            SVGChart.Series(
                label: "uncorrected (from the actual send time)",
                color: "#1f77b4",
                points: Self.points(uncorrected, maxNines: maxNines)
            ),
        ]
        let (scale, ticks) = SVGChart.linearAxis(series.flatMap { $0.points.map(\.1) }.max() ?? 0)
        let chart = SVGChart(
            x: SVGChart.Axis(
                label: "Percentile",
                scale: .linear(limit: maxNines),
                ticks: (0...Int(maxNines)).map { (Double($0), Self.percentileLabel(nines: $0)) }
            ),
            y: SVGChart.Axis(label: "Latency (ms)", scale: scale, ticks: ticks),
            series: series,
            left: 80,
            top: 70,
            right: width - 45,
            bottom: height - 70
        )
        return SVGChart.document(width: width, height: height, title: title, subtitle: subtitle, charts: [chart])
    }

    static func percentileLabel(nines: Int) -> String {
        nines == 0
            ? "0%" : nines == 1 ? "90%" : nines == 2 ? "99%" : "99." + String(repeating: "9", count: nines - 2) + "%"
    }
}
