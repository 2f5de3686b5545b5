import Foundation
import Testing

/// Shell scenarios: a bash script run against a live `rtctl serve`, checking the JSON lines with `jq` as a user's script
/// would.
enum Shell {
    /// Helpers every scenario script starts with.
    ///
    /// * `rtctl ARGS…`: the binary under test, first on `PATH` (so that `$!` of `rtctl … &` is rtctl itself).
    /// * `wait_for FILE FILTER`: polls (20 s deadline) until some line of FILE matches the jq FILTER.
    /// * `check FILE FILTER`: the jq FILTER, applied to FILE's lines as one array (`jq -s`), must hold.
    /// * `expect_status WANT CMD…`: runs CMD, which must exit with status WANT.
    static let prelude = #"""
        set -euo pipefail
        # Whatever still runs in the background when the script ends (or is stopped) goes with it.
        trap 'kill $(jobs -p) 2> /dev/null || true' EXIT
        trap 'exit 143' TERM
        fail() { echo "FAIL: $*" >&2; exit 1; }
        wait_for() {
            local deadline=$((SECONDS + 20))
            until [ -f "$1" ] && jq -e -s "map(select($2)) | length > 0" "$1" > /dev/null 2>&1; do
                [ "$SECONDS" -lt "$deadline" ] || fail "no line of $1 matches $2 within 20 s: $(cat "$1" 2>&1)"
                sleep 0.05
            done
        }
        check() {
            jq -e -s "$2" "$1" > /dev/null || fail "$1 does not satisfy $2: $(cat "$1")"
        }
        expect_status() {
            local want=$1 status=0
            shift
            "$@" || status=$?
            [ "$status" -eq "$want" ] || fail "$* exited $status, expected $want"
        }

        """#

    /// Runs `script` with bash in a fresh directory, with `extra` in the environment; stopped after `timeout`.
    static func run(
        _ script: String,
        environment extra: [String: String] = [:],
        timeout: Duration = .seconds(120)
    ) async throws -> Subprocess.Result {
        let bash = try #require(Subprocess.which("bash"))
        _ = try #require(Subprocess.which("jq"), "jq is needed by the scenario tests (.ci/run installs it)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rtctl-scenario-\(UUID())")
        let bin = directory.appendingPathComponent(".bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            at: bin.appendingPathComponent("rtctl"),
            withDestinationURL: Subprocess.rtctl
        )
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = Process()
        process.executableURL = bash
        process.arguments = ["-c", prelude + script]
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = bin.path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment.merge(extra) { $1 }
        process.environment = environment
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let pid = process.processIdentifier
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            kill(pid, SIGTERM)
        }
        defer { watchdog.cancel() }
        async let output = Subprocess.blocking { stdout.fileHandleForReading.readDataToEndOfFile() }
        async let errors = Subprocess.blocking { stderr.fileHandleForReading.readDataToEndOfFile() }
        let (outputData, errorData) = await (output, errors)
        process.waitUntilExit()
        return Subprocess.Result(
            status: process.terminationStatus,
            stdout: String(decoding: outputData, as: UTF8.self),
            stderr: String(decoding: errorData, as: UTF8.self)
        )
    }
}

/// An `rtctl serve` on a free loopback port for the length of a test.
final class TestServer: Sendable {
    let process: RunningProcess
    let port: Int
    var endpoint: String { "127.0.0.1:\(port)" }

    init(_ extraArguments: [String] = []) async throws {
        process = try RunningProcess(
            Subprocess.rtctl,
            ["serve", "--port", "0", "--host", "127.0.0.1", "-q"] + extraArguments
        )
        let line = try #require(try await process.nextLine(), "serve printed no listening line")
        port = try Subprocess.tcpPort(ofListeningLine: line)
    }

    /// Stops the server (SIGTERM) and waits for it.
    /// SIGTERM: the server closes every player (1001) and exits 0.
    func stop() async throws {
        process.signal(SIGTERM)
        let result = try await process.waitForExit()
        #expect(result.status == 0, "serve exited \(result.status) after SIGTERM: \(result.stderr)")
    }
}
