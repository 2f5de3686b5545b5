#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A point in UTC wall-clock time, to the nanosecond, rendered as ISO 8601.
struct WallClockTime: Hashable, Sendable {
    var seconds: Int64
    var nanoseconds: Int32

    init(seconds: Int64, nanoseconds: Int32 = 0) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    static func now() -> WallClockTime {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return WallClockTime(seconds: Int64(spec.tv_sec), nanoseconds: Int32(spec.tv_nsec))
    }

    /// `2026-11-21T10:00:00.123456Z` with `fractionDigits` digits after the seconds (truncated, not rounded).
    func iso8601(fractionDigits: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        var text = Self.digits(Int(parts.tm_year) + 1900, 4)
        text += "-" + Self.digits(Int(parts.tm_mon) + 1, 2)
        text += "-" + Self.digits(Int(parts.tm_mday), 2)
        text += "T" + Self.digits(Int(parts.tm_hour), 2)
        text += ":" + Self.digits(Int(parts.tm_min), 2)
        text += ":" + Self.digits(Int(parts.tm_sec), 2)
        if fractionDigits > 0 {
            var fraction = Int(nanoseconds)
            for _ in 0..<(9 - min(fractionDigits, 9)) { fraction /= 10 }
            text += "." + Self.digits(fraction, min(fractionDigits, 9))
        }
        return text + "Z"
    }

    private static func digits(_ value: Int, _ width: Int) -> String {
        let plain = String(value)
        return plain.count >= width ? plain : String(repeating: "0", count: width - plain.count) + plain
    }
}
