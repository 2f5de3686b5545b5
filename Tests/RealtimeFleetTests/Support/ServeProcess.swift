import Foundation
import NIOConcurrencyHelpers
import RealtimeTestSupport

/// `rtctl serve` run as a real process (the binary `swift test` built next to the test bundle).
final class ServeProcess: Sendable {
    private let process: Process
    private let output = NIOLockedValueBox((stdout: "", stderr: ""))
    private let pipes: (stdout: Pipe, stderr: Pipe)

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        let process = Process()
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.executableURL = executable.deletingLastPathComponent().appendingPathComponent("rtctl")
        process.arguments = ["serve"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        self.process = process
        self.pipes = (stdout, stderr)
        let output = self.output
        stdout.fileHandleForReading.readabilityHandler = { handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            output.withLockedValue { $0.stdout += text }
        }
        stderr.fileHandleForReading.readabilityHandler = { handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            output.withLockedValue { $0.stderr += text }
        }
        try process.run()
    }

    var stdout: String { output.withLockedValue { $0.stdout } }
    var stderr: String { output.withLockedValue { $0.stderr } }

    /// The listening line, parsed, once it is out.
    func listening() async throws -> [String: Any] {
        var line: [String: Any]?
        try await eventually("serve to print its listening line") {
            guard let first = stdout.split(separator: "\n").first else { return false }
            line = try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any]
            return line != nil
        }
        return line ?? [:]
    }

    /// Waits for the process to exit; its status.
    func exitStatus() async throws -> Int32 {
        do {
            try await eventually("serve to exit") { !process.isRunning }
        } catch {
            throw TestFailure("serve did not exit; its standard error:\n\(stderr)")
        }
        process.waitUntilExit()
        // What the handlers have not seen yet (the process has exited: the pipes end).
        for (pipe, isError) in [(pipes.stdout, false), (pipes.stderr, true)] {
            pipe.fileHandleForReading.readabilityHandler = nil
            let rest = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            output.withLockedValue { output in
                if isError { output.stderr += rest } else { output.stdout += rest }
            }
        }
        return process.terminationStatus
    }

    func terminate() {
        if process.isRunning { process.terminate() }
    }
}
