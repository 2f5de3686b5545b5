import Foundation
import NIOConcurrencyHelpers

/// Runs a program to its end without blocking a thread of the test's executor (the cooperative pool has as many
/// threads as cores: a blocking wait there stalls every other test).
enum ChildProcess {
    /// The exit status and everything the program wrote (stdout and stderr together).
    /// A program still running after `timeout` is killed (its status then says so) rather than hanging the suite.
    static func run(
        _ executable: String,
        _ arguments: [String],
        timeout: Duration = .seconds(120)
    ) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let output = NIOLockedValueBox(Data())
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            output.withLockedValue { $0.append(data) }
        }
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            if process.isRunning { process.terminate() }
        }
        defer { watchdog.cancel() }
        try await exit(of: process) { try process.run() }
        pipe.fileHandleForReading.readabilityHandler = nil
        let rest = pipe.fileHandleForReading.readDataToEndOfFile()
        let text = output.withLockedValue { String(decoding: $0 + rest, as: UTF8.self) }
        return (process.terminationStatus, text)
    }

    /// Starts the process with `start` (or waits for it if it runs already) and returns when it has exited.
    static func exit(of process: Process, start: () throws -> Void = {}) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do {
                try start()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
    }
}
