import Foundation
import Testing

/// The `rtctl` binary under test and small helpers to run it (and `jq`) as subprocesses.
enum Subprocess {
    /// `rtctl`, built by `swift test` next to the test bundle.
    static var rtctl: URL {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return executable.deletingLastPathComponent().appendingPathComponent("rtctl")
    }

    /// The package's root directory (for the committed man pages and completion scripts).
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a program to completion (killing it after `timeout`), with `input` on its stdin.
    static func run(
        _ executable: URL,
        _ arguments: [String],
        input: String = "",
        timeout: Duration = .seconds(30)
    ) async throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            process.terminate()
        }
        defer { watchdog.cancel() }
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        async let output = Subprocess.blocking { stdout.fileHandleForReading.readDataToEndOfFile() }
        async let errors = Subprocess.blocking { stderr.fileHandleForReading.readDataToEndOfFile() }
        let (outputData, errorData) = await (output, errors)
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: outputData, as: UTF8.self),
            stderr: String(decoding: errorData, as: UTF8.self)
        )
    }

    static func rtctl(_ arguments: [String], input: String = "") async throws -> Result {
        try await run(rtctl, arguments, input: input)
    }

    /// `jq -e FILTER` on `json`: true when the filter's last output is neither false nor null.
    /// The TCP port in `rtctl serve`'s listening line.
    static func tcpPort(ofListeningLine line: String) throws -> Int {
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        return try #require(object?["tcpPort"] as? Int, "not a listening line: \(line)")
    }

    static func jq(_ filter: String, _ json: String) async throws -> Bool {
        let jq = try #require(which("jq"), "jq is needed by the scenario tests (.ci/run installs it)")
        return try await run(jq, ["-e", filter], input: json).status == 0
    }

    /// Runs blocking work (reading a pipe to its end) on a dispatch thread, never on the few threads of the
    /// cooperative pool: tests run in parallel, and a pool blocked in reads would starve their watchdogs.
    static func blocking<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }

    static func which(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}

/// A long-running `rtctl` whose stdout is read line by line while it runs.
final class RunningProcess: @unchecked Sendable {
    let process = Process()
    private let stdout = Pipe()
    private let stderr = Pipe()
    private var buffered = Data()

    init(_ executable: URL, _ arguments: [String], environment extra: [String: String] = [:]) throws {
        process.executableURL = executable
        process.arguments = arguments
        if !extra.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
    }

    /// The next stdout line, or nil at end of output (blocks; call from a detached task).
    func readLine() -> String? {
        while true {
            if let newline = buffered.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffered[buffered.startIndex..<newline]
                buffered = Data(buffered[buffered.index(after: newline)...])
                return String(decoding: line, as: UTF8.self)
            }
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty {
                defer { buffered = Data() }
                return buffered.isEmpty ? nil : String(decoding: buffered, as: UTF8.self)
            }
            buffered.append(chunk)
        }
    }

    /// The next stdout line, failing (and terminating the process) after `timeout`.
    func nextLine(timeout: Duration = .seconds(20)) async throws -> String? {
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            self.process.terminate()
        }
        defer { watchdog.cancel() }
        return await Subprocess.blocking { self.readLine() }
    }

    /// Everything left on stdout and stderr once the process has exited, and its status.
    func waitForExit(timeout: Duration = .seconds(20)) async throws -> Subprocess.Result {
        let pid = process.processIdentifier
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            kill(pid, SIGKILL)
        }
        defer { watchdog.cancel() }
        var rest: [String] = []
        while let line = await Subprocess.blocking({ self.readLine() }) { rest.append(line) }
        let errors = await Subprocess.blocking { self.stderr.fileHandleForReading.readDataToEndOfFile() }
        process.waitUntilExit()
        return Subprocess.Result(
            status: process.terminationStatus,
            stdout: rest.map { $0 + "\n" }.joined(),
            stderr: String(decoding: errors, as: UTF8.self)
        )
    }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }
}
