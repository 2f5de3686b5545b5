/// One `--fail-if` condition: a metric, a comparison and a threshold, such as `p99>5ms`, `loss>0.1%` or
/// `throughput<50000`. The run exits 99 when any condition holds.
///
/// Metrics: `pN` (corrected latency at percentile N: `p50`, `p99`, `p99.9`), `min`, `max`, `mean`, each also as
/// `uncorrected.pN` …; a latency threshold takes a unit (`ns`, `us`, `ms`, `s`; a bare number means ms). `loss`: lost
/// deliveries in percent of the expected ones (the `%` is optional). `late`, `lost`: counts. `throughput`:
/// delivered messages per second; `sent`: sent messages per second (both accept `k` and `M`). Comparisons: `>`,
/// `>=`, `<`, `<=`.
public struct FailCondition: Sendable, Hashable, CustomStringConvertible {
    public enum Metric: Sendable, Hashable {
        case latencyPercentile(Double, corrected: Bool)
        case latencyMin(corrected: Bool)
        case latencyMax(corrected: Bool)
        case latencyMean(corrected: Bool)
        case lossPercent
        case late
        case lost
        case deliveredThroughput
        case sentThroughput
    }

    public enum Comparison: String, Sendable, Hashable, CaseIterable {
        case greaterOrEqual = ">="
        case lessOrEqual = "<="
        case greater = ">"
        case less = "<"

        func holds(_ value: Double, _ threshold: Double) -> Bool {
            switch self {
            case .greater: value > threshold
            case .greaterOrEqual: value >= threshold
            case .less: value < threshold
            case .lessOrEqual: value <= threshold
            }
        }
    }

    public let metric: Metric
    public let comparison: Comparison
    /// Nanoseconds for latencies, percent for loss, messages per second for throughputs, a count otherwise.
    public let threshold: Double
    /// The condition as it was written.
    public let description: String

    /// Parses a condition; throws a ``FailConditionError`` that says what is wrong.
    public init(parsing text: String) throws {
        let compact = text.filter { !$0.isWhitespace }
        guard
            let (comparison, range) = Comparison.allCases.lazy.compactMap({ comparison in
                compact.range(of: comparison.rawValue).map { (comparison, $0) }
            }).first
        else {
            throw FailConditionError("\"\(text)\": no comparison (use >, >=, < or <=, as in p99>5ms)")
        }
        let name = String(compact[..<range.lowerBound]).lowercased()
        let value = String(compact[range.upperBound...])
        guard !name.isEmpty, !value.isEmpty else {
            throw FailConditionError("\"\(text)\": expected METRIC\(comparison.rawValue)VALUE, as in p99>5ms")
        }
        let metric = try Self.metric(named: name, in: text)
        let threshold: Double?
        switch metric {
        case .latencyPercentile, .latencyMin, .latencyMax, .latencyMean:
            threshold = Quantity.latency(value).map { Double($0) }
        case .lossPercent:
            threshold = Quantity.rate(value.hasSuffix("%") ? String(value.dropLast()) : value)
        case .late, .lost, .deliveredThroughput, .sentThroughput:
            threshold = Quantity.rate(value)
        }
        guard let threshold else {
            throw FailConditionError("\"\(text)\": \"\(value)\" is not a valid threshold for \(name)")
        }
        self.metric = metric
        self.comparison = comparison
        self.threshold = threshold
        self.description = compact
    }

    private static func metric(named name: String, in text: String) throws -> Metric {
        var name = Substring(name)
        var corrected = true
        if name.hasPrefix("uncorrected.") {
            corrected = false
            name = name.dropFirst("uncorrected.".count)
        } else if name.hasPrefix("corrected.") {
            name = name.dropFirst("corrected.".count)
        }
        switch name {
        case "min": return .latencyMin(corrected: corrected)
        case "max": return .latencyMax(corrected: corrected)
        case "mean": return .latencyMean(corrected: corrected)
        case "loss" where corrected: return .lossPercent
        case "late" where corrected: return .late
        case "lost" where corrected: return .lost
        case "throughput" where corrected: return .deliveredThroughput
        case "sent" where corrected: return .sentThroughput
        default:
            if name.hasPrefix("p"), let percentile = Double(name.dropFirst()), percentile >= 0, percentile <= 100 {
                return .latencyPercentile(percentile, corrected: corrected)
            }
            throw FailConditionError(
                "\"\(text)\": unknown metric \"\(name)\" (use pN, min, max, mean, uncorrected.pN, loss, lost, late, "
                    + "throughput or sent)"
            )
        }
    }

    /// The metric's value in a result, in the threshold's unit.
    public func value(in result: BenchResult) -> Double {
        func histogram(_ corrected: Bool) -> LatencyHistogram {
            LatencyHistogram(corrected ? result.latency.corrected : result.latency.uncorrected)
        }
        switch metric {
        case .latencyPercentile(let percentile, let corrected): return Double(histogram(corrected).at(percentile))
        case .latencyMin(let corrected): return Double(histogram(corrected).min)
        case .latencyMax(let corrected): return Double(histogram(corrected).max)
        case .latencyMean(let corrected): return histogram(corrected).mean
        case .lossPercent: return result.counters.lossPercent
        case .late: return Double(result.counters.late)
        case .lost: return Double(result.counters.lost)
        case .deliveredThroughput: return result.throughput.deliveredMessages
        case .sentThroughput: return result.throughput.sentMessages
        }
    }

    public func holds(for result: BenchResult) -> Bool {
        comparison.holds(value(in: result), threshold)
    }
}

/// A `--fail-if` condition that cannot be parsed.
public struct FailConditionError: Error, Hashable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
