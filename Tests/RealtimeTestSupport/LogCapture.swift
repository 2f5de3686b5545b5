import Logging
import NIOConcurrencyHelpers

/// Every line a logger writes, as `message key=value …`, for tests about what reaches the log.
public final class LogCapture: Sendable {
    private let lines = NIOLockedValueBox<[String]>([])

    public init() {}

    public var all: [String] { lines.withLockedValue { $0 } }

    /// True when a line holds `text`.
    public func contains(_ text: String) -> Bool { all.contains { $0.contains(text) } }

    public func logger(level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: "rtctl.test") { _ in Handler(capture: self) }
        logger.logLevel = level
        return logger
    }

    fileprivate func append(_ line: String) {
        lines.withLockedValue { $0.append(line) }
    }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            let fields = all.keys.sorted().map { "\($0)=\(all[$0]!)" }
            capture.append(([event.message.description] + fields).joined(separator: " "))
        }
    }
}
