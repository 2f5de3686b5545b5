/// Cuts a byte stream into lines: `\n` ends a line, a `\r` before it is dropped, and whatever follows the
/// last newline is a line of its own at the end of the input.
struct LineSplitter: Sendable {
    /// Lines longer than this are cut there (the rest becomes the next line) so memory stays bounded.
    let maxLineLength: Int
    private var pending: [UInt8] = []
    private var scanned = 0
    private var start = 0

    init(maxLineLength: Int = 1 << 20) {
        self.maxLineLength = maxLineLength
    }

    mutating func append(_ bytes: some Collection<UInt8>) {
        if start > 0, start == pending.count {
            pending.removeAll(keepingCapacity: true)
            scanned = 0
            start = 0
        } else if start > 65_536, start * 2 > pending.count {
            pending.removeFirst(start)
            scanned -= start
            start = 0
        }
        pending.append(contentsOf: bytes)
    }

    /// The next complete line, without its terminator; nil until more bytes arrive.
    mutating func nextLine() -> ArraySlice<UInt8>? {
        while scanned < pending.count {
            if pending[scanned] == UInt8(ascii: "\n") {
                let line = trimmed(pending[start..<scanned])
                scanned += 1
                start = scanned
                return line
            }
            scanned += 1
            if scanned - start >= maxLineLength {
                let line = pending[start..<scanned]
                start = scanned
                return line
            }
        }
        return nil
    }

    /// At end of input: the last line if it had no newline, nil if nothing is left.
    mutating func finish() -> ArraySlice<UInt8>? {
        guard start < pending.count else { return nil }
        let line = trimmed(pending[start...])
        start = pending.count
        scanned = start
        return line
    }

    private func trimmed(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        line.last == UInt8(ascii: "\r") ? line.dropLast() : line
    }
}

/// One line of input and its number (1 for the first line).
struct InputLine: Hashable, Sendable {
    var number: Int
    var bytes: [UInt8]

    var text: String { String(decoding: bytes, as: UTF8.self) }
}
