/// The actions on an input stream (stdin of `connect` and `send`), with CLI.md's rules for bad lines.
///
/// Blank lines are skipped. A malformed line is reported (with its line number) and skipped, and every valid
/// line after it is still delivered; with `strict` the first malformed line ends the input with exit status 65.
struct ActionInput: Sendable {
    var strict: Bool
    var decoder = ActionDecoder()

    init(strict: Bool, decoder: ActionDecoder = ActionDecoder()) {
        self.strict = strict
        self.decoder = decoder
    }

    /// Calls `body` with each action and its line number, in order, until the input ends.
    func forEachAction<Lines: AsyncSequence>(
        in lines: Lines,
        reportMalformed: (MalformedLine) -> Void,
        _ body: (ClientAction, Int) async throws -> Void
    ) async throws where Lines.Element == InputLine {
        for try await line in lines {
            if line.bytes.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { continue }
            let action: ClientAction
            do {
                action = try decoder.decode(line.bytes)
            } catch {
                let malformed = MalformedLine(lineNumber: line.number, error: error)
                if strict { throw RtctlError.dataError("\(malformed)") }
                reportMalformed(malformed)
                continue
            }
            try await body(action, line.number)
        }
    }
}
