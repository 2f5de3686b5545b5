import Foundation
import Histogram

/// The ways a result is written out: a text report, one JSON object, CSV rows and HdrHistogram percentile
/// spectra.
public enum BenchReport {
    /// The human-readable report (stdout without `--json`).
    public static func text(_ summary: BenchSummary) -> String {
        var lines: [String] = []
        let groups = summary.target == "group" ? ", \(summary.groups) group\(summary.groups == 1 ? "" : "s")" : ""
        lines.append(
            "\(summary.clients) clients\(groups), \(summary.mode) messages of \(summary.size) bytes to "
                + "\(summary.target), \(number(summary.rate)) msg/s for \(seconds(summary.durationSeconds)) after "
                + "\(seconds(summary.warmupSeconds)) of warm-up"
        )
        let connect = summary.connect
        lines.append(
            "connect     \(connect.clients) clients in \(seconds(connect.seconds)): p50 \(ms(connect.p50Ms))  "
                + "p90 \(ms(connect.p90Ms))  p99 \(ms(connect.p99Ms))  max \(ms(connect.maxMs))"
        )
        lines.append(
            "messages    sent \(summary.sent), expected deliveries \(summary.expected), delivered \(summary.delivered), "
                + "lost \(summary.lost) (\(percent(summary.lossPercent))), late \(summary.late)"
                + (summary.generator.unsent > 0 ? ", unsent \(summary.generator.unsent)" : "")
        )
        if let failures = failures(summary) { lines.append("failures    " + failures) }
        lines.append("generator   " + generator(summary))
        if let steal = hostSteal(summary) { lines.append("host        " + steal) }
        let throughput = summary.throughput
        lines.append(
            "throughput  sent \(number(throughput.sentMessagesPerSecond)) msg/s "
                + "(\(bytes(throughput.sentBytesPerSecond))/s), delivered "
                + "\(number(throughput.deliveredMessagesPerSecond)) msg/s (\(bytes(throughput.deliveredBytesPerSecond))/s)"
        )
        let header = summary.corrected.columns.map { pad($0.0, 9) }.joined()
        lines.append("latency ms  " + pad("", 0) + header)
        lines.append("corrected   " + summary.corrected.columns.map { pad(fixed($0.1), 9) }.joined())
        lines.append("uncorrected " + summary.uncorrected.columns.map { pad(fixed($0.1), 9) }.joined())
        return lines.joined(separator: "\n") + "\n"
    }

    /// The failures line: lost clients and failed sends, nil when there were none.
    public static func failures(_ summary: BenchSummary) -> String? {
        guard summary.sendFailures > 0 || summary.disconnects > 0 || summary.clientsDisconnected > 0 else {
            return nil
        }
        var text =
            "\(summary.clientsDisconnected) of \(summary.clients) clients disconnected during the run"
            + " (\(summary.disconnects) in the measured step), \(summary.sendFailures) sends failed"
        if let first = summary.firstDisconnect { text += "; first: \(first)" }
        return text
    }

    /// The generator line: on schedule, or behind it and by how much.
    static func generator(_ summary: BenchSummary) -> String {
        let generator = summary.generator
        let delays = "send delay p50 \(ms(generator.sendDelayP50Ms)), p99 \(ms(generator.sendDelayP99Ms))"
        guard generator.behindSchedule else { return "on schedule (\(delays))" }
        let unsent = generator.unsent > 0 ? ", \(generator.unsent) messages never sent" : ""
        return "BEHIND SCHEDULE: the bench could not offer \(number(summary.rate)) msg/s (\(delays), max "
            + "\(ms(generator.sendDelayMaxMs))\(unsent)); these figures are the bench's limit as much as the server's"
    }

    /// The host line when a hypervisor took a noticeable share of the CPU during the step (``reportedSteal``), else nil.
    static func hostSteal(_ summary: BenchSummary) -> String? {
        guard let steal = summary.hostStealPercent, steal >= reportedSteal else { return nil }
        return
            "the hypervisor took \(String(format: "%.1f", steal)) % of the CPU during the step (steal time): the latency figures "
            + "include the host's delays"
    }

    /// Steal time below this share of the CPU, in percent, goes unmentioned in the text reports.
    static let reportedSteal = 1.0

    /// `--json`: the summary as one line.
    public static func json(_ summary: BenchSummary) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(summary), as: UTF8.self)
    }

    /// The CSV header `--csv` writes above its rows.
    public static let csvHeader = csvFields(nil).map(\.0).joined(separator: ",")

    /// One CSV row (no newline) under ``csvHeader``.
    public static func csvRow(_ summary: BenchSummary) -> String {
        csvFields(summary).map(\.1).joined(separator: ",")
    }

    private static func csvFields(_ summary: BenchSummary?) -> [(String, String)] {
        func field(_ name: String, _ value: (BenchSummary) -> Any) -> (String, String) {
            (name, summary.map { "\(value($0))" } ?? "")
        }
        var fields = [
            field("clients") { $0.clients }, field("groups") { $0.groups }, field("target") { $0.target },
            field("mode") { $0.mode }, field("size") { $0.size }, field("rate") { $0.rate },
            field("duration_s") { $0.durationSeconds }, field("warmup_s") { $0.warmupSeconds },
            field("connect_s") { $0.connect.seconds }, field("connect_p50_ms") { $0.connect.p50Ms },
            field("connect_p99_ms") { $0.connect.p99Ms }, field("connect_max_ms") { $0.connect.maxMs },
            field("sent") { $0.sent }, field("expected") { $0.expected }, field("delivered") { $0.delivered },
            field("lost") { $0.lost }, field("loss_percent") { $0.lossPercent }, field("late") { $0.late },
            field("send_failures") { $0.sendFailures }, field("disconnects") { $0.disconnects },
            field("clients_disconnected") { $0.clientsDisconnected }, field("unsent") { $0.generator.unsent },
            field("behind_schedule") { $0.generator.behindSchedule },
            field("send_delay_p99_ms") { $0.generator.sendDelayP99Ms },
            field("host_steal_percent") { $0.hostStealPercent.map { "\($0)" } ?? "" },
            field("sent_msg_per_s") { $0.throughput.sentMessagesPerSecond },
            field("sent_bytes_per_s") { $0.throughput.sentBytesPerSecond },
            field("delivered_msg_per_s") { $0.throughput.deliveredMessagesPerSecond },
            field("delivered_bytes_per_s") { $0.throughput.deliveredBytesPerSecond },
        ]
        for (kind, latency) in [("corrected", \BenchSummary.corrected), ("uncorrected", \BenchSummary.uncorrected)] {
            for (offset, label) in ["min", "p50", "p90", "p99", "p99.9", "p99.99", "max"].enumerated() {
                fields.append(field("\(kind)_\(label)_ms") { $0[keyPath: latency].columns[offset].1 })
            }
        }
        return fields
    }

    /// Writes the CSV file: header and row, or only the row when the file already starts with the same header (so
    /// repeated runs collect in one file).
    public static func writeCSV(_ summary: BenchSummary, to path: String) throws {
        try writeCSV(header: csvHeader, rows: [csvRow(summary)], to: path)
    }

    /// Writes `header` and `rows`, or only the rows when the file already starts with the same header.
    static func writeCSV(header: String, rows: [String], to path: String) throws {
        let text = rows.map { $0 + "\n" }.joined()
        if let existing = try? String(contentsOfFile: path, encoding: .utf8),
            existing.split(separator: "\n", maxSplits: 1).first.map(String.init) == header
        {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(text.utf8))
        } else {
            try Data((header + "\n" + text).utf8).write(to: URL(fileURLWithPath: path))
        }
    }

    /// A latency histogram's percentile spectrum in HdrHistogram's text format (values in milliseconds), as the
    /// HdrHistogram plotter reads it.
    public static func hgrm(_ histogram: Histogram<UInt64>) -> String {
        var text = ""
        histogram.outputPercentileDistribution(
            to: &text,
            outputValueUnitScalingRatio: 1e6,
            percentileTicksPerHalfDistance: 5
        )
        return text
    }

    /// Where `--hgrm FILE` puts the uncorrected spectrum: `-uncorrected` before the extension.
    public static func uncorrectedPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let ext = url.pathExtension
        let base = ext.isEmpty ? path : String(path.dropLast(ext.count + 1))
        return base + "-uncorrected" + (ext.isEmpty ? "" : "." + ext)
    }

    // MARK: - Formatting

    /// A count or rate as digits (one decimal when it is not whole).
    public static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.1f", value)
    }

    /// A rate for an axis or a table: 950, 12.5k, 1.2M.
    public static func compact(_ value: Double) -> String {
        switch abs(value) {
        case ..<1e3: String(format: "%g", (value * 100).rounded() / 100)
        case ..<1e6: String(format: "%gk", (value / 10).rounded() / 100)
        default: String(format: "%gM", (value / 1e4).rounded() / 100)
        }
    }

    static func fixed(_ value: Double) -> String { String(format: "%.3f", value) }

    static func ms(_ value: Double) -> String { String(format: "%.3f ms", value) }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int64(value)) s" : String(format: "%.3g s", value)
    }

    static func percent(_ value: Double) -> String { String(format: "%.4g %%", value) }

    static func bytes(_ value: Double) -> String {
        switch value {
        case ..<1e3: String(format: "%.0f B", value)
        case ..<1e6: String(format: "%.1f kB", value / 1e3)
        case ..<1e9: String(format: "%.2f MB", value / 1e6)
        default: String(format: "%.2f GB", value / 1e9)
        }
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}
