import ArgumentParser

/// The exit statuses of CLI.md, "Exit status".
enum RtctlExit {
    static let success = ExitCode(0)
    /// A runtime failure: I/O error, server error, verification differences.
    static let failure = ExitCode(1)
    /// Could not connect, or the login was refused.
    static let connectionFailed = ExitCode(3)
    /// The server closed the connection unexpectedly.
    static let closedByServer = ExitCode(4)
    /// A bad flag or value (EX_USAGE).
    static let usage = ExitCode(64)
    /// Bad input data with `--strict` (EX_DATAERR).
    static let dataError = ExitCode(65)
    /// A `bench --fail-if` threshold was crossed.
    static let thresholdCrossed = ExitCode(99)
    /// `--timeout` expired before the command's goal was met.
    static let timeout = ExitCode(124)
}

/// An error a command reports as one line on stderr before exiting with ``exitCode``.
///
/// Equal and hashable on the exit code and kind only, so tests can match it without the diagnostic text.
struct RtctlError: Error, Hashable, CustomStringConvertible {
    enum Kind: Hashable, Sendable {
        case usage
        case dataError
        case runtime
        case connectionFailed
        case closedByServer
        case timeout
    }

    let kind: Kind
    private let message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    static func usage(_ message: String) -> RtctlError { RtctlError(.usage, message) }
    static func dataError(_ message: String) -> RtctlError { RtctlError(.dataError, message) }
    static func runtime(_ message: String) -> RtctlError { RtctlError(.runtime, message) }
    static func connectionFailed(_ message: String) -> RtctlError { RtctlError(.connectionFailed, message) }
    static func closedByServer(_ message: String) -> RtctlError { RtctlError(.closedByServer, message) }
    static func timeout(_ message: String) -> RtctlError { RtctlError(.timeout, message) }

    var exitCode: ExitCode {
        switch kind {
        case .usage: RtctlExit.usage
        case .dataError: RtctlExit.dataError
        case .runtime: RtctlExit.failure
        case .connectionFailed: RtctlExit.connectionFailed
        case .closedByServer: RtctlExit.closedByServer
        case .timeout: RtctlExit.timeout
        }
    }

    var description: String { message }

    static func == (lhs: RtctlError, rhs: RtctlError) -> Bool { lhs.kind == rhs.kind }
    func hash(into hasher: inout Hasher) { hasher.combine(kind) }
}
