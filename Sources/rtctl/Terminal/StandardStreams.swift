#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

#if canImport(Glibc)
private let systemRead = Glibc.read
#elseif canImport(Musl)
private let systemRead = Musl.read
#elseif canImport(Darwin)
private let systemRead = Darwin.read
#endif

/// Unbuffered writes to the standard streams and facts about them.
enum StandardStreams {
    /// Writes all of `text` to stdout with `write(2)`, bypassing stdio buffering.
    static func writeToStandardOutput(_ text: String) {
        _ = try? FileDescriptorIO.writeAll(text, to: STDOUT_FILENO)
    }

    /// Writes all of `text` to stderr with `write(2)`.
    static func writeToStandardError(_ text: String) {
        _ = try? FileDescriptorIO.writeAll(text, to: STDERR_FILENO)
    }

    /// Whether `descriptor` is a terminal.
    static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }

    /// Whether colors may be used on `descriptor`: a terminal, `NO_COLOR` unset or empty, `TERM` not `dumb`.
    static func allowsColor(_ descriptor: Int32, environment: [String: String]) -> Bool {
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
        if environment["TERM"] == "dumb" { return false }
        return isTerminal(descriptor)
    }
}

/// A failed system call on a file descriptor.
struct SystemCallError: Error, Hashable, CustomStringConvertible {
    let call: String
    let errno: Int32

    var description: String {
        let reason = strerror(errno).map { String(cString: $0) } ?? "errno \(errno)"
        return "\(call): \(reason)"
    }
}

/// Blocking reads and writes on raw file descriptors that survive `EINTR` and non-blocking descriptors.
enum FileDescriptorIO {
    /// Writes every byte, retrying short writes and `EINTR`, waiting with `poll` on `EAGAIN`.
    static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) throws(SystemCallError) {
        guard var pointer = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = write(descriptor, pointer, remaining)
            if written >= 0 {
                pointer += written
                remaining -= written
                continue
            }
            switch errno {
            case EINTR:
                continue
            case EAGAIN:
                waitUntilReady(descriptor, events: Int16(POLLOUT))
            default:
                throw SystemCallError(call: "write", errno: errno)
            }
        }
    }

    static func writeAll(_ text: String, to descriptor: Int32) throws(SystemCallError) {
        var text = text
        let failure: SystemCallError? = text.withUTF8 { buffer in
            do throws(SystemCallError) {
                try writeAll(UnsafeRawBufferPointer(buffer), to: descriptor)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    /// Reads up to `buffer.count` bytes; 0 means end of file.
    static func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(SystemCallError) -> Int {
        while true {
            let count = systemRead(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            switch errno {
            case EINTR:
                continue
            case EAGAIN:
                waitUntilReady(descriptor, events: Int16(POLLIN))
            default:
                throw SystemCallError(call: "read", errno: errno)
            }
        }
    }

    private static func waitUntilReady(_ descriptor: Int32, events: Int16) {
        var entry = pollfd(fd: descriptor, events: events, revents: 0)
        _ = poll(&entry, 1, -1)
    }

    /// Whether `descriptor` refers to a regular file (not a pipe, socket or terminal).
    static func isRegularFile(_ descriptor: Int32) -> Bool {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return false }
        return (status.st_mode & S_IFMT) == S_IFREG
    }
}
