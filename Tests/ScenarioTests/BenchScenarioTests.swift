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
            ["bench", "--slo", "p99"], ["bench", "--find-max", "--slo", "p99<=5ms,"],
            ["bench", "--find-max", "--fail-if", "p99>1ms"],
            ["bench", "--find-max", "--rate", "2k", "--max-rate", "1k"],
            ["bench", "--find-max", "--hgrm", "x.hgrm"], ["bench", "--find-max", "--rate", "0"],
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

    /// Starts `rtctl serve` with debug logs in serve.log, and `rtctl bench` against it with the JSON summary in
    /// bench.json; returns once every bench client has joined its group (the step starts right after).
    static let benchAgainstServe = #"""
        start_bench() {  # SERVE_FLAGS… -- BENCH_FLAGS…
            local serve_flags=()
            while [ "$1" != "--" ]; do serve_flags+=("$1"); shift; done
            shift
            rtctl serve --port 0 --host 127.0.0.1 --log-level debug "${serve_flags[@]}" > serve.jsonl 2> serve.log & SERVE=$!
            wait_for serve.jsonl '.event == "listening"'
            rtctl bench "127.0.0.1:$(jq -r .tcpPort serve.jsonl)" --clients 4 --groups 2 --rate 200 --warmup 0 \
                --duration 60s --no-progress --json "$@" > bench.json 2> bench.err & BENCH=$!
            local deadline=$((SECONDS + 20))
            until [ "$(grep -c 'joined group' serve.log)" -ge 4 ]; do
                [ "$SECONDS" -lt "$deadline" ] || fail "the bench clients did not join within 20 s: $(cat bench.err)"
                sleep 0.05
            done
            sleep 0.3
        }

        """#

    @Test("a server killed mid-run: the report counts the lost clients and failed sends, and bench exits 1 at once")
    func serverKilled() async throws {
        let result = try await Shell.run(
            Self.benchAgainstServe
                + #"""
                start_bench --
                kill -KILL $SERVE
                status=0; wait $BENCH || status=$?
                [ "$status" -eq 1 ] || fail "bench exited $status, expected 1: $(cat bench.err)"
                check bench.json '.[0] | .disconnects == 4 and .clientsDisconnected == 4 and .sent > 0'
                check bench.json '.[0].firstDisconnect | length > 0'
                grep -q 'bench: 4 of 4 clients disconnected during the run' bench.err || fail "stderr: $(cat bench.err)"
                grep -q -- '--allow-disconnects' bench.err || fail "stderr: $(cat bench.err)"
                """#
        )
        #expect(result.status == 0, "stderr:\n\(result.stderr)")
    }

    @Test(
        "clients the server disconnects (keep-alive timeout, bench stopped) are reported; --allow-disconnects exits 0"
    )
    func serverDisconnects() async throws {
        let result = try await Shell.run(
            Self.benchAgainstServe
                + #"""
                start_bench --ping-interval 200 -- --allow-disconnects
                kill -STOP $BENCH
                sleep 2.5
                kill -CONT $BENCH
                wait $BENCH || fail "bench exited $? with --allow-disconnects: $(cat bench.err)"
                check bench.json '.[0] | .disconnects == 4 and .clientsDisconnected == 4 and (.firstDisconnect | length > 0)'
                kill -TERM $SERVE
                wait $SERVE
                # The server closed them: its log says why.
                [ "$(grep -c 'keep-alive timeout' serve.log)" -ge 4 ] || fail "serve.log: $(grep disconnected serve.log)"
                """#
        )
        #expect(result.status == 0, "stderr:\n\(result.stderr)")
    }

    @Test("clients the server kicks for flooding are reported with the server's close reason and code")
    func serverKicks() async throws {
        let result = try await Shell.run(
            Self.benchAgainstServe
                + #"""
                # 200 msg/s over 4 clients is 50/s each: far over a limit of 10/s, so the server closes them (1008).
                start_bench --rate-limit 10 --burst 10 --rate-limit-kick 300ms --
                status=0; wait $BENCH || status=$?
                [ "$status" -eq 1 ] || fail "bench exited $status, expected 1: $(cat bench.err)"
                check bench.json '.[0] | .disconnects == 4 and (.firstDisconnect | test("rate limit exceeded.*1008"))'
                grep -q 'first: rate limit exceeded' bench.err || fail "stderr: $(cat bench.err)"
                kill -TERM $SERVE
                wait $SERVE
                """#
        )
        #expect(result.status == 0, "stderr:\n\(result.stderr)")
    }

    @Test("--find-max with a loose SLO doubles up to --max-rate and writes the curve as JSON, CSV and SVG")
    func findMax() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let csv = directory.appendingPathComponent("curve.csv").path
        let plot = directory.appendingPathComponent("curve.svg").path
        let flags = [
            "bench", "--serve", "--clients", "4", "--groups", "2", "--warmup", "50ms", "--duration", "200ms", "--drain",
            "200ms", "--no-progress", "--find-max", "--rate", "100", "--max-rate", "400",
        ]
        let result = try await Subprocess.rtctl(
            flags + ["--slo", "p99<=60s,loss<=100%", "--json", "--csv", csv, "--plot", plot]
        )
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(
            try await Subprocess.jq(
                #"""
                .slo == "p99<=60s,loss<=100%" and all(.steps[]; .summary.sent > 0)
                # Only a generator that fell behind (a slow machine) can miss so loose an SLO.
                and all(.steps[]; .sloMet or .generatorBehind)
                and (if any(.steps[]; .generatorBehind) then true
                     else .verdict == "reachedMaximum" and .maxRate == 400 and [.steps[].rate] == [100, 200, 400] end)
                """#,
                result.stdout
            ),
            "stdout: \(result.stdout)"
        )
        let rows = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        let steps = try await Subprocess.jq(".steps | length == \(rows.count - 1)", result.stdout)
        #expect(steps && rows[0].hasSuffix(",slo_met"), "CSV: \(rows)")
        #expect(try String(contentsOfFile: plot, encoding: .utf8).contains("Offered rate (messages/s)"))

        // An SLO no rate can meet: the search halves to the minimum and exits 99; the text report says so.
        let none = try await Subprocess.rtctl(
            flags.dropLast(2) + ["--max-rate", "8", "--rate", "4", "--slo", "throughput>=1000M"]
        )
        #expect(none.status == 99, "stderr: \(none.stderr)")
        #expect(none.stdout.contains("no rate met the SLO (lowest tried: 1 msg/s)"), "stdout: \(none.stdout)")
    }
}
