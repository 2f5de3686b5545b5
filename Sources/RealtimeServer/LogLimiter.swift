import NIOCore

/// Keeps a log from growing with an attacker's traffic: at most one line per key per interval; the lines held back
/// are counted and reported with the next line for that key.
struct LogLimiter<Key: Hashable & Sendable>: Sendable {
    private struct Entry: Sendable {
        var loggedAt: NIODeadline
        var suppressed: Int
    }

    let interval: TimeAmount
    /// Keys remembered at most; past it the table starts over (a flood of distinct keys still logs little).
    let capacity: Int
    private var entries: [Key: Entry] = [:]

    init(interval: TimeAmount, capacity: Int = 1024) {
        self.interval = interval
        self.capacity = capacity
    }

    /// nil: hold this line back. Otherwise log it, saying that this many lines for the key were held back before it.
    mutating func admit(_ key: Key, at now: NIODeadline) -> Int? {
        if var entry = entries[key] {
            guard now - entry.loggedAt >= interval else {
                entries[key]!.suppressed += 1
                return nil
            }
            let suppressed = entry.suppressed
            entry = Entry(loggedAt: now, suppressed: 0)
            entries[key] = entry
            return suppressed
        }
        if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
        entries[key] = Entry(loggedAt: now, suppressed: 0)
        return 0
    }
}

extension String {
    /// A client-supplied string as it may appear in a log line: at most `limit` characters (then "…"), control
    /// characters escaped, so that a client cannot flood the log or forge lines.
    func loggable(limit: Int = 128) -> String {
        var result = ""
        var count = 0
        for scalar in unicodeScalars {
            guard count < limit else {
                result += "…"
                break
            }
            if scalar.value < 0x20 || scalar.value == 0x7F {
                result += scalar.escaped(asASCII: true)
            } else {
                result.unicodeScalars.append(scalar)
            }
            count += 1
        }
        return result
    }
}
