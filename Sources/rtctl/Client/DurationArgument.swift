import ArgumentParser

/// A duration on the command line: a number with a unit (`250ms`, `1.5s`, `2m`, `1h`, `500us`), or a bare number of
/// seconds, as `timeout(1)` reads it.
struct DurationArgument: ExpressibleByArgument, Hashable, Sendable, CustomStringConvertible {
    var nanoseconds: Int64

    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self.nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    init?(argument: String) {
        let units: [(String, Double)] = [
            ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
        ]
        var number = Substring(argument)
        var scale = 1e9
        // Longest suffix first, so that "ms" is not read as "s".
        for (suffix, factor) in units.sorted(by: { $0.0.count > $1.0.count }) where argument.hasSuffix(suffix) {
            number = argument.dropLast(suffix.count)
            scale = factor
            break
        }
        guard let value = Double(number), value.isFinite, value >= 0, value * scale < 9.2e18,
            number.allSatisfy({ $0.isNumber || $0 == "." })
        else { return nil }
        self.nanoseconds = Int64((value * scale).rounded())
    }

    var duration: Duration { .nanoseconds(nanoseconds) }

    var description: String {
        if nanoseconds % 1_000_000_000 == 0 { return "\(nanoseconds / 1_000_000_000)s" }
        if nanoseconds % 1_000_000 == 0 { return "\(nanoseconds / 1_000_000)ms" }
        return "\(nanoseconds)ns"
    }

    var defaultValueDescription: String { description }
}
