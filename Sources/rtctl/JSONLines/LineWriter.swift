import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes JSON lines to a file descriptor: streaming to pipes and terminals, buffered into regular files.
///
/// * To a pipe, socket or terminal every ``write(_:)`` (or batch) goes out at once with one `write(2)`, so
///   `rtctl listen | jq` sees each line when it happens.
/// * To a regular file lines collect in a buffer written when it fills, after at most ``flushDelay`` of quiet,
///   and on ``flush()``, so `rtctl listen > out.jsonl` costs one system call per 64 KiB.
///
/// Thread-safe; lines from concurrent writers never interleave.
final class LineWriter: Sendable {
    enum Mode: Sendable, Equatable {
        case immediate
        case buffered(capacity: Int)
    }

    let descriptor: Int32
    let mode: Mode
    let flushDelay: Duration
    private let state = Mutex(State())
    private let timerQueue = DispatchQueue(label: "rtctl.line-writer")

    private struct State {
        var buffer: [UInt8] = []
        var flushScheduled = false
        var error: SystemCallError?
    }

    /// `mode` nil: buffered for a regular file, immediate otherwise.
    init(descriptor: Int32, mode: Mode? = nil, flushDelay: Duration = .milliseconds(100)) {
        self.descriptor = descriptor
        self.mode = mode ?? (FileDescriptorIO.isRegularFile(descriptor) ? .buffered(capacity: 65_536) : .immediate)
        self.flushDelay = flushDelay
    }

    /// Writes one line; `line` must not contain a newline (one is added).
    func write(_ line: String) throws(SystemCallError) {
        try write(lines: CollectionOfOne(line))
    }

    /// Writes several lines together (one system call when streaming).
    func write(lines: some Collection<String>) throws(SystemCallError) {
        let needsTimer = try state.withLock { (state) throws(SystemCallError) -> Bool in
            if let error = state.error { throw error }
            for line in lines {
                state.buffer.append(contentsOf: line.utf8)
                state.buffer.append(UInt8(ascii: "\n"))
            }
            switch mode {
            case .immediate:
                try drain(&state)
                return false
            case .buffered(let capacity):
                if state.buffer.count >= capacity {
                    try drain(&state)
                    return false
                }
                if state.flushScheduled { return false }
                state.flushScheduled = true
                return true
            }
        }
        if needsTimer { scheduleFlush() }
    }

    /// Writes out whatever is buffered; call before exiting.
    func flush() throws(SystemCallError) {
        try state.withLock { (state) throws(SystemCallError) in
            if let error = state.error { throw error }
            try drain(&state)
        }
    }

    private func scheduleFlush() {
        let nanoseconds =
            flushDelay.components.seconds * 1_000_000_000 + flushDelay.components.attoseconds / 1_000_000_000
        timerQueue.asyncAfter(deadline: .now() + .nanoseconds(Int(nanoseconds))) { [self] in
            state.withLock { state in
                state.flushScheduled = false
                _ = try? drain(&state)
            }
        }
    }

    private func drain(_ state: inout State) throws(SystemCallError) {
        guard !state.buffer.isEmpty else { return }
        let descriptor = self.descriptor
        let failure: SystemCallError? = state.buffer.withUnsafeBytes { bytes in
            do throws(SystemCallError) {
                try FileDescriptorIO.writeAll(bytes, to: descriptor)
                return nil
            } catch {
                return error
            }
        }
        state.buffer.removeAll(keepingCapacity: true)
        if let failure {
            state.error = failure
            throw failure
        }
    }
}
