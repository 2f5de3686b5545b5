/// Parsing of the bench's quantities: durations (`10s`, `500ms`, `2m`), rates (`12500`, `12.5k`, `1M`, `1000/s`)
/// and latencies with a unit.
public enum Quantity {
    /// A duration in nanoseconds: a non-negative number and a unit (`ns`, `us`, `µs`, `ms`, `s`, `m`, `h`).
    /// A bare number means seconds.
    public static func duration(_ text: String) -> UInt64? {
        let units: [(String, Double)] = [
            ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
        ]
        return scaled(text, units: units, bare: 1e9).flatMap { $0 < 1e19 ? UInt64($0.rounded()) : nil }
    }

    /// A latency in nanoseconds, for `--fail-if`: like ``duration(_:)`` but a bare number means milliseconds.
    public static func latency(_ text: String) -> UInt64? {
        let units: [(String, Double)] = [("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9)]
        return scaled(text, units: units, bare: 1e6).flatMap { $0 < 1e19 ? UInt64($0.rounded()) : nil }
    }

    /// A count or a rate: a non-negative number with an optional `k` (thousand) or `M` (million) and an optional
    /// `/s`.
    public static func rate(_ text: String) -> Double? {
        var text = Substring(text)
        if text.hasSuffix("/s") { text = text.dropLast(2) }
        return scaled(String(text), units: [("k", 1e3), ("K", 1e3), ("M", 1e6)], bare: 1)
    }

    private static func scaled(_ text: String, units: [(String, Double)], bare: Double) -> Double? {
        // Longest unit first, so that "ms" is not read as "m" + "s".
        for (unit, factor) in units.sorted(by: { $0.0.count > $1.0.count }) where text.hasSuffix(unit) {
            return number(String(text.dropLast(unit.count))).map { $0 * factor }
        }
        return number(text).map { $0 * bare }
    }

    private static func number(_ text: String) -> Double? {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
            let value = Double(text), value.isFinite
        else { return nil }
        return value
    }
}
