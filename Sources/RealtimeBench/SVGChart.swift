import Foundation

/// One line chart drawn as SVG: axes with grid lines and tick labels, polylines, optional dashed reference lines and
/// a legend. ``LatencyPlot`` and ``CurvePlot`` lay out their data with it; ``document(width:height:title:subtitle:charts:)``
/// puts one or more charts into an image.
struct SVGChart {
    /// How values map to the axis: linear from 0 to `limit`, or logarithmic between two powers of ten.
    enum Scale {
        case linear(limit: Double)
        case log(low: Double, high: Double)

        func fraction(_ value: Double) -> Double {
            switch self {
            case .linear(let limit):
                return limit > 0 ? value / limit : 0
            case .log(let low, let high):
                let clamped = Swift.max(value, low)
                return (log10(clamped) - log10(low)) / (log10(high) - log10(low))
            }
        }
    }

    struct Axis {
        var label: String
        var scale: Scale
        /// Values with grid lines and their labels.
        var ticks: [(Double, String)]
    }

    struct Series {
        var label: String
        var color: String
        var points: [(Double, Double)]
        var dashed = false
    }

    var x: Axis
    var y: Axis
    var series: [Series]
    /// Where the plot area is in the image.
    var left: Double
    var top: Double
    var right: Double
    var bottom: Double
    var legendWidth = 330.0

    private func px(_ value: Double) -> Double { left + (right - left) * Swift.min(1, x.scale.fraction(value)) }
    private func py(_ value: Double) -> Double { bottom - (bottom - top) * Swift.min(1, y.scale.fraction(value)) }

    /// The chart's elements.
    func body() -> String {
        var svg = ""
        for (value, label) in y.ticks {
            svg += """
                <line x1="\(f(left))" y1="\(f(py(value)))" x2="\(f(right))" y2="\(f(py(value)))" stroke="#e0e0e0"/>
                <text x="\(f(left - 8))" y="\(f(py(value) + 4))" text-anchor="end" font-size="12">\(label)</text>

                """
        }
        for (value, label) in x.ticks {
            svg += """
                <line x1="\(f(px(value)))" y1="\(f(top))" x2="\(f(px(value)))" y2="\(f(bottom))" stroke="#e0e0e0"/>
                <text x="\(f(px(value)))" y="\(f(bottom + 20))" text-anchor="middle" font-size="12">\(label)</text>

                """
        }
        let middle = (top + bottom) / 2
        svg += """
            <line x1="\(f(left))" y1="\(f(bottom))" x2="\(f(right))" y2="\(f(bottom))" stroke="black"/>
            <line x1="\(f(left))" y1="\(f(top))" x2="\(f(left))" y2="\(f(bottom))" stroke="black"/>
            <text x="\(f((left + right) / 2))" y="\(f(bottom + 44))" text-anchor="middle" font-size="14">\
            \(Self.escape(x.label))</text>
            <text x="\(f(left - 58))" y="\(f(middle))" text-anchor="middle" font-size="14" \
            transform="rotate(-90 \(f(left - 58)) \(f(middle)))">\(Self.escape(y.label))</text>

            """
        for line in series where !line.points.isEmpty {
            let path = line.points.map { "\(f(px($0.0))),\(f(py($0.1)))" }.joined(separator: " ")
            let dash = line.dashed ? " stroke-dasharray=\"6 4\"" : ""
            svg += "<polyline fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"2.5\"\(dash) points=\"\(path)\"/>\n"
        }
        // Legend, top left inside the plot area.
        let height = 10 + Double(series.count) * 22
        svg += "<rect x=\"\(f(left + 14))\" y=\"\(f(top + 10))\" width=\"\(f(legendWidth))\" height=\"\(f(height))\" "
        svg += "fill=\"white\" stroke=\"#bbb\"/>\n"
        for (offset, line) in series.enumerated() {
            let row = top + 30 + Double(offset) * 22
            let dash = line.dashed ? " stroke-dasharray=\"6 4\"" : ""
            svg += """
                <line x1="\(f(left + 26))" y1="\(f(row - 4))" x2="\(f(left + 56))" y2="\(f(row - 4))" \
                stroke="\(line.color)" stroke-width="2.5"\(dash)/>
                <text x="\(f(left + 64))" y="\(f(row))" font-size="13">\(Self.escape(line.label))</text>

                """
        }
        return svg
    }

    /// A whole image: white background, a centred title and subtitle, then the charts.
    static func document(width: Double, height: Double, title: String, subtitle: String, charts: [SVGChart]) -> String {
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            viewBox="0 0 \(Int(width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(f(width / 2))" y="28" text-anchor="middle" font-size="18" font-weight="bold">\(escape(title))</text>
            <text x="\(f(width / 2))" y="50" text-anchor="middle" font-size="13" fill="#444">\(escape(subtitle))</text>

            """
        for chart in charts { svg += chart.body() }
        svg += "</svg>\n"
        return svg
    }

    /// A round upper bound for a linear axis (1, 2, 2.5 or 5 times a power of ten) and its five ticks.
    static func linearAxis(_ highest: Double, format: (Double) -> String = label) -> (Scale, [(Double, String)]) {
        var limit = 1.0
        if highest > 0 {
            let magnitude = pow(10, (log10(highest)).rounded(.down))
            limit = [1.0, 2, 2.5, 5, 10].lazy.map { $0 * magnitude }.first { $0 >= highest } ?? 10 * magnitude
        }
        return (.linear(limit: limit), (0...5).map { Double($0) * limit / 5 }.map { ($0, format($0)) })
    }

    /// A logarithmic axis from the power of ten at or below `lowest` to the one at or above `highest`.
    static func logAxis(_ lowest: Double, _ highest: Double) -> (Scale, [(Double, String)]) {
        let low = pow(10, (log10(Swift.max(lowest, 1e-6))).rounded(.down))
        var high = pow(10, (log10(Swift.max(highest, low))).rounded(.up))
        if high <= low { high = low * 10 }
        var ticks: [(Double, String)] = []
        var tick = low
        while tick <= high * 1.0001 {
            ticks.append((tick, label(tick)))
            tick *= 10
        }
        return (.log(low: low, high: high), ticks)
    }

    static func label(_ value: Double) -> String {
        String(format: "%g", (value * 1e6).rounded() / 1e6)
    }

    static func f(_ value: Double) -> String { String(format: "%.1f", value) }
    private func f(_ value: Double) -> String { Self.f(value) }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
