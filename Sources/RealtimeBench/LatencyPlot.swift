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

    /// A round upper bound for the latency axis (1, 2 or 5 times a power of ten) and its tick step.
    public static func axisLimit(_ value: Double) -> (limit: Double, step: Double) {
        guard value > 0 else { return (1, 0.2) }
        let magnitude = pow(10, (log10(value)).rounded(.down))
        for factor in [1.0, 2, 2.5, 5, 10] where factor * magnitude >= value {
            let limit = factor * magnitude
            return (limit, limit / 5)
        }
        return (10 * magnitude, 2 * magnitude)
    }

    public func svg(corrected: Histogram<UInt64>, uncorrected: Histogram<UInt64>) -> String {
        let maxNines = Self.nines(forCount: Swift.max(corrected.totalCount, uncorrected.totalCount))
        let lines = [
            ("corrected (from the scheduled send time)", "#d62728", Self.points(corrected, maxNines: maxNines)),
            ("uncorrected (from the actual send time)", "#1f77b4", Self.points(uncorrected, maxNines: maxNines)),
        ]
        let highest = lines.flatMap { $0.2.map(\.1) }.max() ?? 0
        let (limit, step) = Self.axisLimit(highest)
        let left = 80.0
        let right = width - 45
        let top = 70.0
        let bottom = height - 70
        func x(_ nines: Double) -> Double { left + (right - left) * nines / maxNines }
        func y(_ ms: Double) -> Double { bottom - (bottom - top) * ms / limit }

        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            viewBox="0 0 \(Int(width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(f(width / 2))" y="28" text-anchor="middle" font-size="18" font-weight="bold">\(escape(title))</text>
            <text x="\(f(width / 2))" y="50" text-anchor="middle" font-size="13" fill="#444">\(escape(subtitle))</text>

            """
        // Grid and ticks.
        var tick = 0.0
        while tick <= limit + step / 2 {
            svg += """
                <line x1="\(f(left))" y1="\(f(y(tick)))" x2="\(f(right))" y2="\(f(y(tick)))" stroke="#e0e0e0"/>
                <text x="\(f(left - 8))" y="\(f(y(tick) + 4))" text-anchor="end" font-size="12">\(Self.label(tick))</text>

                """
            tick += step
        }
        for nines in 0...Int(maxNines) {
            let position = x(Double(nines))
            svg += """
                <line x1="\(f(position))" y1="\(f(top))" x2="\(f(position))" y2="\(f(bottom))" stroke="#e0e0e0"/>
                <text x="\(f(position))" y="\(f(bottom + 20))" text-anchor="middle" font-size="12">\
                \(Self.percentileLabel(nines: nines))</text>

                """
        }
        svg += """
            <line x1="\(f(left))" y1="\(f(bottom))" x2="\(f(right))" y2="\(f(bottom))" stroke="black"/>
            <line x1="\(f(left))" y1="\(f(top))" x2="\(f(left))" y2="\(f(bottom))" stroke="black"/>
            <text x="\(f((left + right) / 2))" y="\(f(height - 22))" text-anchor="middle" font-size="14">\
            Percentile</text>
            <text x="22" y="\(f((top + bottom) / 2))" text-anchor="middle" font-size="14" \
            transform="rotate(-90 22 \(f((top + bottom) / 2)))">Latency (ms)</text>

            """
        for (_, color, points) in lines where !points.isEmpty {
            let path = points.map { "\(f(x($0.0))),\(f(y($0.1)))" }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2.5\" points=\"\(path)\"/>\n"
        }
        // Legend, top left inside the plot area.
        svg += "<rect x=\"\(f(left + 14))\" y=\"\(f(top + 10))\" width=\"330\" height=\"54\" fill=\"white\" "
        svg += "stroke=\"#bbb\"/>\n"
        for (offset, line) in lines.enumerated() {
            let row = top + 30 + Double(offset) * 22
            svg += """
                <line x1="\(f(left + 26))" y1="\(f(row - 4))" x2="\(f(left + 56))" y2="\(f(row - 4))" \
                stroke="\(line.1)" stroke-width="2.5"/>
                <text x="\(f(left + 64))" y="\(f(row))" font-size="13">\(escape(line.0))</text>

                """
        }
        svg += "</svg>\n"
        return svg
    }

    static func percentileLabel(nines: Int) -> String {
        nines == 0
            ? "0%" : nines == 1 ? "90%" : nines == 2 ? "99%" : "99." + String(repeating: "9", count: nines - 2) + "%"
    }

    static func label(_ value: Double) -> String {
        String(format: "%g", (value * 1e6).rounded() / 1e6)
    }

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
