import ArgumentParser
import RealtimeBench

/// A duration on the command line: a number with a unit (`250ms`, `1.5s`, `2m`, `1h`, `500us`), or a bare number of
/// seconds, as `timeout(1)` reads it.
struct DurationArgument: ExpressibleByArgument, Hashable, Sendable, CustomStringConvertible {
    var nanoseconds: Int64

    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self.nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    init?(argument: String) {
        guard let nanoseconds = Quantity.duration(argument), nanoseconds <= UInt64(Int64.max) else { return nil }
        self.nanoseconds = Int64(nanoseconds)
    }

    var duration: Duration { .nanoseconds(nanoseconds) }

    var description: String {
        if nanoseconds % 1_000_000_000 == 0 { return "\(nanoseconds / 1_000_000_000)s" }
        if nanoseconds % 1_000_000 == 0 { return "\(nanoseconds / 1_000_000)ms" }
        if nanoseconds % 1_000 == 0 { return "\(nanoseconds / 1_000)us" }
        return "\(nanoseconds)ns"
    }

    var defaultValueDescription: String { description }
}
