import Foundation

/// The machine's CPU time so far, from Linux's `/proc/stat`: how much of it a hypervisor took for other guests
/// (steal, vmstat's `st`). A step measured while the host steals the CPU measures the host as much as the server.
struct HostCPUTimes: Equatable {
    /// All CPUs' time, in clock ticks: busy, idle and stolen.
    var total: UInt64
    var steal: UInt64

    /// Now; nil where `/proc/stat` is not there or not readable.
    static func now() -> HostCPUTimes? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        return text.split(separator: "\n", maxSplits: 1).first.flatMap { HostCPUTimes(line: $0) }
    }

    /// The first line of `/proc/stat`: `cpu  user nice system idle iowait irq softirq steal guest guest_nice` (guest
    /// time is already counted in user and nice). Nil for anything else.
    init?(line: Substring) {
        let fields = line.split(separator: " ")
        guard fields.first == "cpu", fields.count >= 9 else { return nil }
        let values = fields.dropFirst().prefix(8).compactMap { UInt64($0) }
        guard values.count == 8 else { return nil }
        total = values.reduce(0, +)
        steal = values[7]
    }

    init(total: UInt64, steal: UInt64) {
        self.total = total
        self.steal = steal
    }

    /// The share of the machine's CPU time stolen since `earlier`, in percent; nil when no time passed.
    func stealPercent(since earlier: HostCPUTimes) -> Double? {
        guard total > earlier.total, steal >= earlier.steal else { return nil }
        return Double(steal - earlier.steal) * 100 / Double(total - earlier.total)
    }
}
