import Foundation

extension BenchReport {
    /// The report of a `--find-max` search: the run's shape, one table row per step in the order measured, and the
    /// verdict.
    public static func text(_ result: FindMaxResult) -> String {
        let summary = FindMaxSummary(result)
        var lines: [String] = []
        if let first = summary.steps.first?.summary {
            let groups = first.target == "group" ? ", \(first.groups) group\(first.groups == 1 ? "" : "s")" : ""
            lines.append(
                "\(first.clients) clients\(groups), \(first.mode) messages of \(first.size) bytes to \(first.target); "
                    + "SLO \(summary.slo); steps of \(seconds(first.durationSeconds)) after "
                    + "\(seconds(first.warmupSeconds)) of warm-up"
            )
        }
        lines.append(
            pad("rate msg/s", 12) + pad("delivered/s", 13) + pad("p50 ms", 10) + pad("p99 ms", 10)
                + pad("loss %", 9) + "  SLO"
        )
        for step in summary.steps {
            var verdict = step.sloMet ? "met" : "missed " + step.missed.joined(separator: ",")
            if step.attempt > 1 { verdict += " (measured again)" }
            if step.generatorBehind { verdict += " (generator behind schedule)" }
            if step.summary.disconnects > 0 { verdict += " (\(step.summary.disconnects) clients lost)" }
            if let steal = step.summary.hostStealPercent, steal >= reportedSteal {
                verdict += " (host steal \(String(format: "%.1f", steal)) %)"
            }
            lines.append(
                pad(number(step.rate), 12) + pad(number(step.deliveredPerSecond), 13) + pad(fixed(step.p50Ms), 10)
                    + pad(fixed(step.p99Ms), 10) + pad(String(format: "%.3g", step.lossPercent), 9) + "  " + verdict
            )
        }
        lines.append(verdictLine(summary))
        if let failures = result.steps.last.map({ BenchSummary($0.result) }).flatMap(failures) {
            lines.append("failures    " + failures)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func verdictLine(_ summary: FindMaxSummary) -> String {
        let best = summary.maxRate.map { rate in
            "\(number(rate)) msg/s (\(number(summary.maxDeliveredPerSecond ?? 0)) deliveries/s)"
        }
        let above = summary.failedAt.map { "; \(number($0)) msg/s did not" } ?? ""
        let generator =
            summary.generatorLimited
            ? "; the step above fell behind its schedule: the bench, not the server, may be the limit" : ""
        switch summary.verdict {
        case RateSearch.Verdict.Kind.found.rawValue:
            return "highest rate meeting the SLO: \(best ?? "none")\(above)\(generator)"
        case RateSearch.Verdict.Kind.reachedMaximum.rawValue:
            return "every rate up to --max-rate met the SLO: \(best ?? "none"); the limit is higher"
        case RateSearch.Verdict.Kind.noneMet.rawValue:
            return "no rate met the SLO (lowest tried: \(number(summary.failedAt ?? 0)) msg/s)\(generator)"
        case RateSearch.Verdict.Kind.outOfSteps.rawValue:
            return "out of steps; highest rate meeting the SLO so far: \(best ?? "none")\(above)"
        default:
            return "search stopped: clients were lost; highest rate meeting the SLO before that: \(best ?? "none")"
        }
    }

    /// `--find-max --json`: the search as one line.
    public static func json(_ result: FindMaxResult) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(FindMaxSummary(result)), as: UTF8.self)
    }

    /// The CSV header of a search: a step's columns and whether it met the SLO.
    public static let findMaxCSVHeader = csvHeader + ",slo_met"

    /// `--find-max --csv FILE`: one row per step (appended when FILE already has the same header).
    public static func writeCSV(_ result: FindMaxResult, to path: String) throws {
        let rows = result.steps.map { csvRow(BenchSummary($0.result)) + ",\($0.met)" }
        try writeCSV(header: findMaxCSVHeader, rows: rows, to: path)
    }
}
