import Logging
import NIOConcurrencyHelpers

/// A log handler that keeps every message, for tests that check what the process says.
struct CapturedLogs: LogHandler {
    final class Store: Sendable {
        private let lines = NIOLockedValueBox<[String]>([])
        var all: [String] { lines.withLockedValue { $0 } }
        func add(_ line: String) { lines.withLockedValue { $0.append(line) } }
        func contains(_ text: String) -> Bool { all.contains { $0.contains(text) } }
    }

    let store: Store
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        store.add("\(event.level): \(event.message)")
    }

    static func logger() -> (Logger, Store) {
        let store = Store()
        return (Logger(label: "test.captured") { _ in CapturedLogs(store: store) }, store)
    }
}
