import CReadline
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The interactive prompt of `rtctl connect` on a terminal: GNU readline (line editing, history kept across runs,
/// Tab completion) driven through its callback interface on a thread of its own, so that events arriving at any time
/// are printed above the prompt without garbling the line being typed.
///
/// Readline is process-global state: only one editor may run at a time.
final class LineEditor: @unchecked Sendable {
    /// Proposes completions for the word at `start` in `line`.
    typealias Completer = @Sendable (_ line: String, _ start: Int) -> [String]

    private let prompt: String
    private let historyFile: String?
    private let completer: Completer
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let lock = NSLock()
    private var pendingOutput: [String] = []
    private var stopping = false
    private var continuation: AsyncStream<String>.Continuation?

    /// The lines typed, in order; finishes at end of input (Ctrl-D) or ``stop()``.
    let lines: AsyncStream<String>

    init(prompt: String, historyFile: String?, completer: @escaping Completer) {
        self.prompt = prompt
        self.historyFile = historyFile
        self.completer = completer
        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0, "pipe() failed")
        self.wakeRead = fds[0]
        self.wakeWrite = fds[1]
        var continuation: AsyncStream<String>.Continuation!
        self.lines = AsyncStream { continuation = $0 }
        self.continuation = continuation
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    /// The history file: `$XDG_STATE_HOME/rtctl/history`, else `~/.local/state/rtctl/history`.
    static func defaultHistoryFile() -> String? {
        let environment = ProcessInfo.processInfo.environment
        let base: String
        if let state = environment["XDG_STATE_HOME"], !state.isEmpty {
            base = state
        } else if let home = environment["HOME"], !home.isEmpty {
            base = home + "/.local/state"
        } else {
            return nil
        }
        return base + "/rtctl/history"
    }

    /// Starts the editor thread.
    func start() {
        var thread = pthread_t()
        let box = Unmanaged.passRetained(self)
        let result = pthread_create(
            &thread,
            nil,
            { raw in
                let editor = Unmanaged<LineEditor>.fromOpaque(raw!).takeRetainedValue()
                editor.run()
                return nil
            },
            box.toOpaque()
        )
        precondition(result == 0, "pthread_create failed")
        pthread_detach(thread)
    }

    /// Prints `text` (one or more whole lines) above the prompt. Safe from any thread.
    func print(_ text: String) {
        lock.withLock { pendingOutput.append(text) }
        wake()
    }

    /// Ends the editor: the prompt is removed, the terminal restored, ``lines`` finishes.
    func stop() {
        lock.withLock { stopping = true }
        wake()
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    // MARK: - The editor thread

    private func run() {
        LineEditor.active = self
        rtctl_readline_configure { text, start, end in
            rtctl_readline_completion_done()
            LineEditor.completionRange = (Int(start), Int(end))
            return rl_completion_matches(text) { text, state in LineEditor.nextCompletion(text, state) }
        }
        using_history()
        if let historyFile {
            Self.makeParentDirectory(of: historyFile)
            _ = read_history(historyFile)
        }
        rl_callback_handler_install(prompt) { line in LineEditor.active?.accept(line) }
        var descriptors = [
            pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
        ]
        while !lock.withLock({ stopping }) {
            let ready = poll(&descriptors, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            if descriptors[1].revents != 0 {
                var buffer = [UInt8](repeating: 0, count: 64)
                _ = read(wakeRead, &buffer, buffer.count)
                flushOutput()
            }
            if descriptors[0].revents & Int16(POLLIN | POLLHUP) != 0 {
                rl_callback_read_char()
            }
        }
        // The last output goes where the prompt was, and the prompt is not shown again: the shell's prompt follows.
        flushOutput(redisplay: false)
        rl_callback_handler_remove()
        LineEditor.active = nil
        continuation?.finish()
    }

    /// Prints the pending output where the prompt is, then draws the prompt and the typed line again below it.
    private func flushOutput(redisplay: Bool = true) {
        let output = lock.withLock {
            defer { pendingOutput.removeAll() }
            return pendingOutput
        }
        if output.isEmpty, redisplay { return }
        rl_clear_visible_line()
        for text in output {
            rtctl_write_stdout(text.hasSuffix("\n") ? text : text + "\n")
        }
        if redisplay { rl_forced_update_display() }
    }

    private func accept(_ line: UnsafeMutablePointer<CChar>?) {
        guard let line else {
            // End of input (Ctrl-D on an empty line).
            rtctl_write_stdout("\n")
            lock.withLock { stopping = true }
            return
        }
        let text = String(cString: line)
        free(line)
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if !trimmed.isEmpty {
            if rtctl_readline_last_history().map({ String(cString: $0) }) != text {
                add_history(text)
                if let historyFile {
                    if append_history(1, historyFile) != 0 { _ = write_history(historyFile) }
                    _ = history_truncate_file(historyFile, 1000)
                }
            }
        }
        continuation?.yield(text)
    }

    // MARK: - Completion

    nonisolated(unsafe) private static var active: LineEditor?
    nonisolated(unsafe) private static var candidates: [String] = []
    nonisolated(unsafe) private static var candidateIndex = 0
    nonisolated(unsafe) private static var completionRange = (0, 0)

    private static func nextCompletion(_ text: UnsafePointer<CChar>?, _ state: Int32) -> UnsafeMutablePointer<CChar>? {
        if state == 0 {
            // The completer sees the line up to the cursor and where the word being completed starts: the cursor
            // need not be at the end of the line.
            let prefix = text.map { String(cString: $0) } ?? ""
            let (start, end) = completionRange
            let line = String(
                decoding: Array(String(cString: rtctl_readline_line_buffer()).utf8).prefix(end),
                as: UTF8.self
            )
            candidates = (active?.completer(line, max(0, start)) ?? []).filter { $0.hasPrefix(prefix) }
            candidateIndex = 0
        }
        guard candidateIndex < candidates.count else { return nil }
        defer { candidateIndex += 1 }
        return strdup(candidates[candidateIndex])
    }

    private static func makeParentDirectory(of path: String) {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }
}
