import Foundation
import NIOConcurrencyHelpers

/// Writes a recording: JSON lines appended from any thread, written to the file by a background thread at least
/// every 100 ms (and on ``close()``), one whole line at a time, so that a recording cut off by a crash is whole up to
/// its last line.
public final class RecordingWriter: Sendable {
    private struct State {
        var pending = Data()
        var closed = false
        /// A write failed (disk full, I/O error): nothing more is written, so the file stays whole up to its last line.
        var failed = false
    }

    private let descriptor: Int32
    private let state = NIOLockedValueBox(State())
    private let started: ContinuousClock.Instant
    private let encoder: JSONEncoder
    private let finished = ConditionLock(value: false)

    /// Creates (or truncates) `path` and writes the header line.
    public init(path: String, header: RecordingHeader) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw RecordingError("cannot write the recording \(path): \(String(cString: strerror(errno)))")
        }
        self.descriptor = descriptor
        self.started = .now
        let encoder = JSONEncoder()
        // Keys sorted: a recording of the same session reads the same, line for line.
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        self.encoder = encoder
        var line = try encoder.encode(header)
        line.append(UInt8(ascii: "\n"))
        state.withLockedValue { $0.pending = line }
        let thread = Thread { [self] in self.drain() }
        thread.name = "rtctl-recording"
        thread.start()
    }

    /// Seconds since the recording started.
    public var elapsed: Double {
        let duration = ContinuousClock.now - started
        return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Appends one event (its `t` as given).
    public func append(_ event: RecordedEvent) {
        guard var line = try? encoder.encode(event) else { return }
        line.append(UInt8(ascii: "\n"))
        state.withLockedValue { state in
            if !state.closed { state.pending.append(line) }
        }
    }

    /// Writes what is pending and closes the file. Further events are ignored.
    public func close() {
        state.withLockedValue { $0.closed = true }
        finished.lock(whenValue: true)
        finished.unlock()
    }

    private func drain() {
        while true {
            let (data, closed) = state.withLockedValue { state in
                defer { state.pending.removeAll(keepingCapacity: true) }
                return (state.pending, state.closed)
            }
            if !data.isEmpty, !state.withLockedValue({ $0.failed }), !write(data) {
                state.withLockedValue { $0.failed = true }
            }
            if closed {
                Foundation.close(descriptor)
                finished.lock()
                finished.unlock(withValue: true)
                return
            }
            usleep(100_000)
        }
    }

    /// Writes all of `data`; false on an error.
    private func write(_ data: Data) -> Bool {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
    }
}
