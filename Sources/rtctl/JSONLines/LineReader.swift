import NIOPosix

/// Reads numbered lines from a file descriptor: a pipe, a regular file, a terminal or a socket alike.
///
/// Plain blocking `read(2)` calls, which return whatever is available on a pipe or terminal and keep going
/// until end of file on a regular file (no `NIOPipeBootstrap`, which refuses regular files, and no chunked
/// file-system reads, which stop at the first short read of a pipe). The final line is returned even without a
/// trailing newline. Not thread-safe: one reader per descriptor.
final class LineReader {
    private let descriptor: Int32
    private var splitter: LineSplitter
    private var buffer: [UInt8]
    private var lineNumber = 0
    private var reachedEnd = false

    init(descriptor: Int32, chunkSize: Int = 65_536, maxLineLength: Int = 1 << 20) {
        self.descriptor = descriptor
        self.splitter = LineSplitter(maxLineLength: maxLineLength)
        self.buffer = [UInt8](repeating: 0, count: chunkSize)
    }

    /// The next line, blocking until one is complete; nil at end of input.
    func readLine() throws(SystemCallError) -> InputLine? {
        while true {
            if let line = splitter.nextLine() { return numbered(line) }
            if reachedEnd { return splitter.finish().map(numbered) }
            let descriptor = self.descriptor
            let result: Result<Int, SystemCallError> = buffer.withUnsafeMutableBytes { bytes in
                do throws(SystemCallError) {
                    return .success(try FileDescriptorIO.read(descriptor, into: bytes))
                } catch {
                    return .failure(error)
                }
            }
            let count = try result.get()
            if count == 0 {
                reachedEnd = true
            } else {
                splitter.append(buffer[0..<count])
            }
        }
    }

    private func numbered(_ bytes: ArraySlice<UInt8>) -> InputLine {
        lineNumber += 1
        return InputLine(number: lineNumber, bytes: Array(bytes))
    }
}

/// The lines of a file descriptor as an `AsyncSequence`; each blocking read runs on NIO's thread pool so that
/// no cooperative thread waits for input.
struct AsyncLineSequence: AsyncSequence, Sendable {
    typealias Element = InputLine

    let descriptor: Int32
    var threadPool: NIOThreadPool = .singleton

    struct AsyncIterator: AsyncIteratorProtocol {
        fileprivate let reader: SendableReader
        let threadPool: NIOThreadPool

        mutating func next() async throws -> InputLine? {
            let reader = self.reader
            return try await threadPool.runIfActive { try reader.reader.readLine() }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(reader: SendableReader(reader: LineReader(descriptor: descriptor)), threadPool: threadPool)
    }
}

/// The reader moves between pool threads, but reads never overlap: each `next()` awaits the previous one.
private struct SendableReader: @unchecked Sendable {
    let reader: LineReader
}
