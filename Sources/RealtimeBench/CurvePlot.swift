/// `--find-max --plot FILE.svg`: the curve of a rate search. Top: deliveries per second against the offered rate,
/// with the ideal (every expected delivery) dashed. Bottom: corrected p50 and p99 latency against the offered rate on
/// a logarithmic axis, with the SLO's latency bound dashed. Steps are drawn in rate order; steps that delivered nothing
/// have no latency points.
public struct CurvePlot {
    public var title: String
    public var subtitle: String
    public var width = 880.0
    public var height = 900.0

    public init(title: String, subtitle: String) {
        self.title = title
        self.subtitle = subtitle
    }

    public func svg(_ result: FindMaxResult) -> String {
        let steps = result.steps.map { ($0.result.rate, BenchSummary($0.result)) }.sorted { $0.0 < $1.0 }
        let (xScale, xTicks) = SVGChart.linearAxis(steps.map(\.0).max() ?? 0, format: BenchReport.compact)
        let xAxis = SVGChart.Axis(label: "Offered rate (messages/s)", scale: xScale, ticks: xTicks)

        let delivered = steps.map { ($0.0, $0.1.throughput.deliveredMessagesPerSecond) }
        let ideal = steps.map { ($0.0, Double($0.1.expected) / Swift.max($0.1.durationSeconds, 1e-9)) }
        let (yScale, yTicks) = SVGChart.linearAxis(
            (delivered + ideal).map(\.1).max() ?? 0,
            format: BenchReport.compact
        )
        let throughput = SVGChart(
            x: xAxis,
            y: SVGChart.Axis(label: "Deliveries/s", scale: yScale, ticks: yTicks),
            series: [
                SVGChart.Series(label: "delivered", color: "#2ca02c", points: delivered),
                SVGChart.Series(label: "expected (every recipient)", color: "#7f7f7f", points: ideal, dashed: true),
            ],
            left: 90,
            top: 80,
            right: width - 45,
            bottom: 440
        )

        // Steps that delivered nothing have no latency to draw.
        let measured = steps.filter { $0.1.corrected.count > 0 }
        let p50 = measured.map { ($0.0, Swift.max($0.1.corrected.p50Ms, 0.001)) }
        let p99 = measured.map { ($0.0, Swift.max($0.1.corrected.p99Ms, 0.001)) }
        var series = [
            SVGChart.Series(label: "p99 (corrected)", color: "#d62728", points: p99),
            SVGChart.Series(label: "p50 (corrected)", color: "#1f77b4", points: p50),
        ]
        if let bound = Self.latencyBound(result.slo), let last = steps.last {
            series.append(
                SVGChart.Series(
                    label: "SLO p\(SVGChart.label(bound.percentile)) bound",
                    color: "#ff7f0e",
                    points: [(0, bound.ms), (last.0, bound.ms)],
                    dashed: true
                )
            )
        }
        let values = (p50 + p99).map(\.1) + series.dropFirst(2).flatMap { $0.points.map(\.1) }
        let (latencyScale, latencyTicks) = SVGChart.logAxis(values.min() ?? 0.01, values.max() ?? 1)
        let latency = SVGChart(
            x: xAxis,
            y: SVGChart.Axis(label: "Latency (ms)", scale: latencyScale, ticks: latencyTicks),
            series: series,
            left: 90,
            top: 520,
            right: width - 45,
            bottom: height - 70,
            legendWidth: 200
        )
        return SVGChart.document(
            width: width,
            height: height,
            title: title,
            subtitle: subtitle,
            charts: [throughput, latency]
        )
    }

    /// The SLO's first corrected latency percentile bound, in milliseconds.
    static func latencyBound(_ slo: ServiceLevel) -> (percentile: Double, ms: Double)? {
        for condition in slo.conditions {
            if case .latencyPercentile(let percentile, corrected: true) = condition.metric {
                return (percentile, condition.threshold / 1e6)
            }
        }
        return nil
    }
}
