import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A `LogHandler` writing one line per event to stderr, as text or as a JSON object.
///
/// Text: `2026-11-21T10:00:00.123Z info rtctl: message key=value` (the level colored on a terminal unless
/// `NO_COLOR`). JSON: `{"time":…,"level":…,"label":…,"message":…,<metadata>…}`. Every line goes out in one
/// `write(2)` under a process-wide lock, so lines from concurrent tasks never interleave.
struct StandardErrorLogHandler: LogHandler {
    enum Format: Sendable {
        case text(color: Bool)
        case json
    }

    let label: String
    let format: Format
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    private static let outputLock = Mutex(())

    init(label: String, format: Format, level: Logger.Level, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.format = format
        self.logLevel = level
        self.metadataProvider = metadataProvider
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        if let error = event.error { merged["error"] = "\(error)" }
        let line = render(
            time: WallClockTime.now(),
            level: event.level,
            message: event.message.description,
            metadata: merged
        )
        Self.outputLock.withLock { _ in
            _ = try? FileDescriptorIO.writeAll(line, to: STDERR_FILENO)
        }
    }

    /// The line for one event, newline included.
    func render(time: WallClockTime, level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        switch format {
        case .json:
            var object = JSONObjectWriter()
            object.add("time", string: time.iso8601(fractionDigits: 6))
            object.add("level", string: level.rawValue)
            object.add("label", string: label)
            object.add("message", string: message)
            for key in metadata.keys.sorted() where !["time", "level", "label", "message"].contains(key) {
                // swift-format-ignore: NeverForceUnwrap
                object.add(dynamicKey: key, raw: Self.json(metadata[key]!))
            }
            return object.finish() + "\n"
        case .text(let color):
            var line = time.iso8601(fractionDigits: 3)
            line += " "
            line += color ? Self.colored(level) : level.rawValue
            line += " \(label): \(Self.singleLine(message))"
            for key in metadata.keys.sorted() {
                // swift-format-ignore: NeverForceUnwrap
                line += " \(key)=\(Self.text(metadata[key]!))"
            }
            return line + "\n"
        }
    }

    private static func singleLine(_ text: String) -> String {
        text.contains("\n") ? text.replacingOccurrences(of: "\n", with: "\\n") : text
    }

    private static func text(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let string):
            let needsQuotes = string.isEmpty || string.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\n" }
            return needsQuotes ? JSONText.quoted(string) : string
        case .stringConvertible(let convertible):
            return text(.string(convertible.description))
        case .array(let values):
            return "[" + values.map(text).joined(separator: ",") + "]"
        case .dictionary(let values):
            return "{" + values.keys.sorted().map { "\($0)=\(text(values[$0]!))" }.joined(separator: ",") + "}"
        }
    }

    private static func json(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let string):
            return JSONText.quoted(string)
        case .stringConvertible(let convertible):
            return JSONText.quoted(convertible.description)
        case .array(let values):
            return "[" + values.map(json).joined(separator: ",") + "]"
        case .dictionary(let values):
            return "{"
                + values.keys.sorted().map { "\(JSONText.quoted($0)):\(json(values[$0]!))" }.joined(separator: ",")
                + "}"
        }
    }

    private static func colored(_ level: Logger.Level) -> String {
        let code =
            switch level {
            case .trace, .debug: "2"
            case .info: "32"
            case .notice: "36"
            case .warning: "33"
            case .error, .critical: "31;1"
            }
        return "\u{1B}[\(code)m\(level.rawValue)\u{1B}[0m"
    }
}
