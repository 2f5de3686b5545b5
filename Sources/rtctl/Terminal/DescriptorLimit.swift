import RealtimeBench

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The open-file limit (RLIMIT_NOFILE): thousands of clients need thousands of sockets.
enum DescriptorLimit {
    struct Limits: Sendable, Hashable {
        var soft: UInt64
        var hard: UInt64
    }

    static func current() -> Limits? {
        var limit = rlimit()
        guard getrlimit(resourceNumber, &limit) == 0 else { return nil }
        return Limits(soft: UInt64(limit.rlim_cur), hard: UInt64(limit.rlim_max))
    }

    /// Makes sure `needed` descriptors may be open: raises the soft limit to the hard limit when it is lower than
    /// `needed`. Returns the limits in force; throws ``BenchError/Code/tooFewDescriptors`` saying exactly what to
    /// change when even the hard limit is too low.
    @discardableResult
    static func ensure(_ needed: Int, clients: Int) throws -> Limits {
        guard var limits = current() else { return Limits(soft: .max, hard: .max) }
        if limits.soft < UInt64(needed) { limits = raise() ?? limits }
        guard limits.soft >= UInt64(needed) else {
            throw BenchError(.tooFewDescriptors, message(needed: needed, clients: clients, limits: limits))
        }
        return limits
    }

    /// Raises the soft limit to the hard limit (what `rtctl serve` does at start); returns the limits in force.
    @discardableResult
    static func raise() -> Limits? {
        guard var limits = current() else { return nil }
        guard limits.soft < limits.hard else { return limits }
        var raised = rlimit()
        raised.rlim_cur = rlim_t(limits.hard)
        raised.rlim_max = rlim_t(limits.hard)
        if setrlimit(resourceNumber, &raised) == 0 { limits.soft = limits.hard }
        return limits
    }

    static func message(needed: Int, clients: Int, limits: Limits) -> String {
        "\(clients) clients need about \(needed) open files, but the limit is \(limits.soft) (hard limit "
            + "\(limits.hard)): run 'ulimit -n \(needed)' in this shell first (raising the hard limit needs root; "
            + "otherwise set 'nofile \(needed)' in /etc/security/limits.conf, or LimitNOFILE=\(needed) for a systemd "
            + "unit, and log in again)"
    }

    #if canImport(Glibc)
    private static let resourceNumber = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resourceNumber = RLIMIT_NOFILE
    #endif
}
