import Foundation
import Testing

/// `rtctl bench` as a user runs it, against its own in-process server. Short runs; nothing here asserts speed.
@Suite("rtctl bench")
struct BenchScenarioTests {
    static let shortRun = [
        "bench", "--serve", "--clients", "4", "--groups", "2", "--rate", "400", "--warmup", "100ms", "--duration",
        "300ms", "--drain", "200ms", "--no-progress",
    ]

    @Test("--json prints one summary object; a --fail-if that holds exits 99 after it and names the condition")
    func jsonAndFailIf() async throws {
        let result = try await Subprocess.rtctl(
            Self.shortRun + ["--json", "--fail-if", "throughput<1000M", "--fail-if", "p99>100s"]
        )
        #expect(result.status == 99, "stderr: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        try #require(lines.count == 1)
        let object = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        #expect(object?["clients"] as? Int == 4)
        #expect((object?["sent"] as? Int ?? 0) > 0)
        #expect(object?["corrected"] is [String: Any])
        #expect(result.stderr.contains("threshold crossed: throughput<1000M"))
        #expect(!result.stderr.contains("p99>100s"))
    }

    @Test("a run whose conditions do not hold exits 0 and writes the report, CSV, spectra and plot")
    func filesAndSuccess() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let csv = directory.appendingPathComponent("run.csv").path
        let hgrm = directory.appendingPathComponent("run.hgrm").path
        let plot = directory.appendingPathComponent("run.svg").path
        let result = try await Subprocess.rtctl(
            Self.shortRun + ["--csv", csv, "--hgrm", hgrm, "--plot", plot, "--fail-if", "loss>100%"]
        )
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("throughput"))
        #expect(result.stderr.isEmpty, "stderr: \(result.stderr)")
        #expect(try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").count == 2)
        #expect(try String(contentsOfFile: hgrm, encoding: .utf8).contains("Percentile"))
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("run-uncorrected.hgrm").path))
        #expect(try String(contentsOfFile: plot, encoding: .utf8).contains("<polyline"))
    }

    @Test(
        "bad bench flags exit 64 with one line",
        arguments: [
            ["bench", "--fail-if", "p99"], ["bench", "--size", "8"], ["bench", "--duration", "soon"],
            ["bench", "--serve", "127.0.0.1:1900"], ["bench", "--fast", "--reliable"], ["bench", "--size", "2000"],
        ]
    )
    func badFlags(_ arguments: [String]) async throws {
        let result = try await Subprocess.rtctl(arguments)
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("rtctl: error: "))
        #expect(result.stderr.filter { $0 == "\n" }.count == 1, "stderr: \(result.stderr)")
    }

    @Test("a server that is not there exits 3")
    func noServer() async throws {
        let result = try await Subprocess.rtctl(["bench", "127.0.0.1:1", "--clients", "1", "--no-progress"])
        #expect(result.status == 3, "stderr: \(result.stderr)")
        #expect(result.stderr.hasPrefix("rtctl: error: bench: client 1 of 1 could not connect"))
    }
}
