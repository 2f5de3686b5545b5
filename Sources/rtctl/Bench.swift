import ArgumentParser
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import RealtimeBench
import RealtimeClient

extension Rtctl {
    /// `rtctl bench`: open-loop load from many clients in this process, with latency, loss and throughput figures.
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load-test a Realtime server with many clients and report latency, loss and throughput.",
            discussion: """
                All clients run in this process, on one event-loop thread per core. They connect at --connect-rate, \
                client i joins group i mod K + 1 (--groups K), and once every client is ready (logged in, UDP \
                handshake done, groups complete) they send --rate messages per second together, round robin, on an \
                open-loop schedule: message n is due at start + n/rate whatever happened to the ones before it, and a \
                client that falls behind sends its backlog at once. Each payload carries the scheduled and the actual \
                send time (16 bytes, the smallest --size; the rest is zeros), read on the same monotonic clock when \
                the message arrives.

                Latency: corrected = arrival - scheduled send time (a stall of the server or of the sender is charged \
                to every message it delayed, as wrk2 does); uncorrected = arrival - actual send time. Both are \
                recorded in HdrHistograms (3 significant digits).

                Counting: only messages scheduled after the warm-up and before its end + --duration are counted \
                (measured); the warm-up's are sent and delivered but left out. Expected deliveries: for each measured \
                message, its recipients at send time (group: every member, the sender included; player: 1; server: \
                0, only the server's script sees it). Delivered: deliveries that arrived within --drain after the \
                last measured send time; only these are in the latency figures. Late: deliveries of measured messages \
                that arrived after that drain deadline (counted for 250 ms more, then the clients close). Lost: \
                expected - delivered - late. Throughput: sent and delivered messages (and payload bytes) divided by \
                --duration.

                --fast (default) sends UDP messages once each client's UDP handshake is done; --reliable sends on the \
                WebSocket and the clients open no UDP socket at all. --serve runs a server in this process on a free \
                port of 127.0.0.1 (max players = --clients). --tls measures secure mode: wss and a DTLS fast \
                channel (with --serve, the server gets a certificate made for the run; otherwise the endpoint is \
                taken as wss:// and checked as --tls-ca or --tls-insecure say). When the open-file limit is too low for the clients, \
                bench raises the soft limit to the hard limit, and if that is not enough says what to change.

                Output: a report on stdout (--json: one JSON object instead); --csv FILE writes a header and one row \
                (appends the row when FILE already has the same header); --hgrm FILE writes the corrected percentile \
                spectrum in HdrHistogram's format (ms) to FILE and the uncorrected one to FILE-uncorrected; --plot \
                FILE.svg draws both by percentile. A progress line refreshes on stderr while stderr is a terminal \
                (not with --no-progress or NO_COLOR).

                --fail-if METRIC<OP>VALUE (repeatable) exits 99 after the report when a condition holds. Metrics: \
                pN (corrected latency at percentile N, e.g. p99 or p99.9), min, max, mean, uncorrected.pN …, with a \
                unit (ns, us, ms, s; bare numbers are ms); loss (percent of expected deliveries, e.g. loss>0.1%); \
                lost, late (counts); throughput (delivered messages/s), sent (sent messages/s), with k or M allowed. \
                OP is >, >=, < or <=.

                Examples:
                  rtctl bench --serve --clients 64 --groups 8 --rate 12500 --duration 10s
                  rtctl bench 127.0.0.1:1900 --clients 1000 --rate 10000 --plot latency.svg --fail-if 'p99>2ms'
                  rtctl bench --serve --reliable --clients 64 --groups 8 --rate 40000 --json | jq .throughput
                  rtctl bench --clients 10000 --connect-rate 2000/s --rate 0 --duration 30s
                """
        )

        enum Target: String, ExpressibleByArgument, CaseIterable {
            case group, player, server
        }

        enum Mode: EnumerableFlag {
            case fast, reliable

            static func help(for value: Mode) -> ArgumentHelp? {
                switch value {
                case .fast: "Send fast (UDP) messages (the default)."
                case .reliable: "Send reliable (WebSocket) messages; the clients open no UDP socket."
                }
            }
        }

        @Argument(
            help:
                "The server: HOST:PORT, [v6]:PORT or ws://HOST:PORT[/path] (default: RTCTL_ENDPOINT, then 127.0.0.1:1900)."
        )
        var endpointArgument: String?

        @Option(
            name: .customLong("endpoint"),
            help: ArgumentHelp("The server, as the positional argument.", valueName: "endpoint")
        )
        var endpointOption: String?

        @Flag(help: "Run a server in this process on a free port of 127.0.0.1 and bench it.")
        var serve = false

        @Flag(help: "Secure mode: wss and DTLS (wss:// endpoints are secure without it).")
        var tls = false

        @OptionGroup
        var tlsFlags: TLSFlags

        @Option(help: "Clients connected at once, all in this process.")
        var clients = 64

        @Option(help: ArgumentHelp("New connections per second while connecting.", valueName: "N/s"))
        var connectRate = "1000/s"

        @Option(
            help: ArgumentHelp("Groups the clients are spread over (client i joins group i mod K + 1).", valueName: "K")
        )
        var groups = 1

        @Option(help: "Whom each message goes to: its sender's group, the next client, or the server.")
        var target: Target = .group

        @Option(
            help: ArgumentHelp(
                "Messages per second, all clients together (k and M allowed; 0: idle clients).",
                valueName: "msgs/s"
            )
        )
        var rate = "1000"

        @Option(help: ArgumentHelp("How long to measure, after the warm-up (e.g. 10s, 500ms, 2m).", valueName: "dur"))
        var duration = "10s"

        @Option(help: ArgumentHelp("How long to send before measuring; left out of every figure.", valueName: "dur"))
        var warmup = "1s"

        @Option(
            help: ArgumentHelp(
                "How long receivers wait for the last messages before counting what is missing as lost.",
                valueName: "dur"
            )
        )
        var drain = "1s"

        @Option(help: ArgumentHelp("Payload bytes per message (at least 16: two timestamps).", valueName: "bytes"))
        var size = BenchPayload.minimumSize

        @Flag
        var mode: Mode = .fast

        @Option(help: "Event-loop threads for the clients (default: one per core).")
        var threads: Int?

        @Flag(help: "No progress line on stderr.")
        var noProgress = false

        @Flag(help: "Print the summary as one JSON object on stdout instead of the report.")
        var json = false

        @Option(
            help: ArgumentHelp(
                "Write the summary as CSV (header and row; appends to a file with the same header).",
                valueName: "file"
            )
        )
        var csv: String?

        @Option(
            help: ArgumentHelp(
                "Write the percentile spectra in HdrHistogram's format (FILE and FILE-uncorrected).",
                valueName: "file"
            )
        )
        var hgrm: String?

        @Option(
            help: ArgumentHelp(
                "Draw latency by percentile, corrected and uncorrected, as an SVG image.",
                valueName: "file.svg"
            )
        )
        var plot: String?

        @Option(
            name: .customLong("fail-if"),
            help: ArgumentHelp(
                "Exit 99 when this holds, e.g. 'p99>5ms', 'loss>0.1%', 'throughput<50000' (repeatable).",
                valueName: "condition"
            )
        )
        var failIf: [String] = []

        @OptionGroup
        var logging: LoggingOptions

        /// Filled by `validate()`.
        private var benchConfiguration = BenchConfiguration()
        private var conditions: [FailCondition] = []

        private enum CodingKeys: String, CodingKey {
            case endpointArgument, endpointOption, serve, tls, tlsFlags, clients, connectRate, groups, target, rate,
                duration
            case warmup, drain, size, mode, threads, noProgress, json, csv, hgrm, plot, failIf, logging
        }

        mutating func validate() throws {
            var configuration = BenchConfiguration()
            guard (1...1_000_000).contains(clients) else {
                throw ValidationError("--clients \(clients) is not between 1 and 1000000")
            }
            configuration.clients = clients
            guard let connectRate = Quantity.rate(self.connectRate), connectRate > 0 else {
                throw ValidationError("--connect-rate \(self.connectRate) is not a positive rate (e.g. 1000/s)")
            }
            configuration.connectRate = connectRate
            guard (1...1_000_000).contains(groups) else {
                throw ValidationError("--groups \(groups) is not between 1 and 1000000")
            }
            configuration.groups = groups
            configuration.target = BenchConfiguration.Target(rawValue: target.rawValue) ?? .group
            guard let rate = Quantity.rate(self.rate) else {
                throw ValidationError("--rate \(self.rate) is not a rate (e.g. 10000, 12.5k)")
            }
            configuration.rate = rate
            configuration.duration = try Self.duration(duration, "--duration", allowZero: false)
            configuration.warmup = try Self.duration(warmup, "--warmup", allowZero: true)
            configuration.drain = try Self.duration(drain, "--drain", allowZero: true)
            configuration.reliable = mode == .reliable
            let limit = configuration.reliable ? 4096 : 1200
            guard (BenchPayload.minimumSize...limit).contains(size) else {
                throw ValidationError(
                    "--size \(size) is not between \(BenchPayload.minimumSize) (the timestamps) and \(limit) "
                        + "(the largest \(configuration.reliable ? "reliable" : "fast") payload)"
                )
            }
            configuration.size = size
            if let threads, !(1...256).contains(threads) {
                throw ValidationError("--threads \(threads) is not between 1 and 256")
            }
            configuration.threads = threads
            if serve, endpointArgument != nil || endpointOption != nil {
                throw ValidationError("--serve runs its own server: give no endpoint")
            }
            if endpointArgument != nil, endpointOption != nil {
                throw ValidationError("give the endpoint once: as an argument or with --endpoint")
            }
            do {
                conditions = try failIf.map(FailCondition.init(parsing:))
            } catch let error as FailConditionError {
                throw ValidationError("--fail-if \(error.description)")
            }
            benchConfiguration = configuration
        }

        private static func duration(_ text: String, _ flag: String, allowZero: Bool) throws -> TimeAmount {
            guard let nanoseconds = Quantity.duration(text), allowZero || nanoseconds > 0,
                nanoseconds <= 86_400_000_000_000
            else {
                throw ValidationError("\(flag) \(text) is not a duration (e.g. 10s, 500ms, 2m)")
            }
            return .nanoseconds(Int64(nanoseconds))
        }

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            logging.bootstrap(default: .notice, environment: environment)
            let logger = Logger(label: "rtctl.bench")
            var configuration = benchConfiguration
            do {
                try DescriptorLimit.ensure(configuration.descriptorsNeeded(inProcessServer: serve), clients: clients)
            } catch let error as BenchError {
                throw RtctlError.runtime("bench: \(error)")
            }
            var endpoint: Endpoint
            let server: InProcessServer?
            if serve {
                do {
                    server = try await InProcessServer.start(
                        maxPlayers: clients,
                        secure: tls,
                        logger: Logger(label: "rtctl.serve")
                    )
                } catch {
                    throw RtctlError.runtime("bench: \(error)")
                }
                endpoint = server!.endpoint
                configuration.tls = server!.clientTLS
            } else {
                server = nil
                do {
                    endpoint = try ClientFlags.endpoint(
                        argument: endpointArgument,
                        option: endpointOption,
                        environment: environment
                    )
                } catch {
                    throw RtctlError.usage("\(error)")
                }
                if tls { endpoint.secure = true }
                configuration.tls = try tlsFlags.clientTLS()
            }
            let progress = BenchProgressLine(
                enabled: !noProgress && StandardStreams.allowsColor(STDERR_FILENO, environment: environment)
            )
            let result: BenchResult
            do {
                var callback: (@Sendable (BenchProgress) -> Void)?
                if progress.enabled { callback = { progress.show($0) } }
                let runner = BenchRunner(configuration: configuration, endpoint: endpoint, logger: logger)
                result = try await runner.run(progress: callback)
                progress.clear()
                await server?.stop()
            } catch let error as BenchError {
                progress.clear()
                await server?.stop()
                guard error.code == .connectFailed else { throw RtctlError.runtime("bench: \(error)") }
                StandardStreams.writeToStandardError("rtctl: error: bench: \(Rtctl.oneLine(error.description))\n")
                throw RtctlExit.connectionFailed
            }
            try write(result)
            let crossed = conditions.filter { $0.holds(for: result) }
            guard crossed.isEmpty else {
                for condition in crossed {
                    StandardStreams.writeToStandardError(
                        "rtctl: bench: threshold crossed: \(condition) (measured \(Self.describe(condition, in: result)))\n"
                    )
                }
                throw RtctlExit.thresholdCrossed
            }
        }

        private func write(_ result: BenchResult) throws {
            let summary = BenchSummary(result)
            if json {
                StandardStreams.writeToStandardOutput(try BenchReport.json(summary) + "\n")
            } else {
                StandardStreams.writeToStandardOutput(BenchReport.text(summary))
            }
            do {
                if let csv { try BenchReport.writeCSV(summary, to: csv) }
                if let hgrm {
                    try BenchReport.hgrm(result.latency.corrected).write(
                        toFile: hgrm,
                        atomically: true,
                        encoding: .utf8
                    )
                    try BenchReport.hgrm(result.latency.uncorrected).write(
                        toFile: BenchReport.uncorrectedPath(for: hgrm),
                        atomically: true,
                        encoding: .utf8
                    )
                }
                if let plot {
                    let mode = summary.mode
                    let chart = LatencyPlot(
                        title: "rtctl bench: latency by percentile",
                        subtitle: "\(summary.clients) clients, \(mode) to \(summary.target), "
                            + "\(BenchReport.number(summary.rate)) msg/s, \(summary.size) B, "
                            + "\(summary.delivered) deliveries in \(summary.durationSeconds) s"
                    )
                    let svg = chart.svg(corrected: result.latency.corrected, uncorrected: result.latency.uncorrected)
                    try svg.write(toFile: plot, atomically: true, encoding: String.Encoding.utf8)
                }
            } catch {
                throw RtctlError.runtime("bench: cannot write the output: \(error.localizedDescription)")
            }
        }

        private static func describe(_ condition: FailCondition, in result: BenchResult) -> String {
            let value = condition.value(in: result)
            switch condition.metric {
            case .latencyPercentile, .latencyMin, .latencyMax, .latencyMean:
                return String(format: "%.3f ms", value / 1e6)
            case .lossPercent:
                return String(format: "%.4g%%", value)
            case .late, .lost:
                return String(Int(value))
            case .deliveredThroughput, .sentThroughput:
                return String(format: "%.0f/s", value)
            }
        }
    }
}

/// The progress line on stderr: rewritten in place, cleared at the end.
final class BenchProgressLine: Sendable {
    let enabled: Bool
    private let last = NIOLockedValueBox<(time: Double, sent: Int, received: Int)?>(nil)

    init(enabled: Bool) {
        self.enabled = enabled
    }

    func show(_ progress: BenchProgress) {
        guard enabled else { return }
        var text: String
        switch progress.phase {
        case .connecting, .preparing:
            text = String(
                format: "connecting %d clients, %.1f s of %.1f s",
                progress.clientsConnected,
                progress.elapsed,
                progress.total
            )
        case .warmup, .measuring, .draining:
            let previous = last.withLockedValue { value in
                defer { value = (progress.elapsed, progress.sent, progress.received) }
                return value
            }
            var rates = ""
            if let previous, progress.elapsed > previous.time {
                let span = progress.elapsed - previous.time
                rates = String(
                    format: " (%.0f/s, %.0f/s)",
                    Double(progress.sent - previous.sent) / span,
                    Double(progress.received - previous.received) / span
                )
            }
            text =
                progress.phase.rawValue
                + String(
                    format: " %.1f s of %.1f s: sent %d, received %d",
                    progress.elapsed,
                    progress.total,
                    progress.sent,
                    progress.received
                ) + rates
        }
        StandardStreams.writeToStandardError("\r\u{1B}[K" + text)
    }

    func clear() {
        guard enabled else { return }
        StandardStreams.writeToStandardError("\r\u{1B}[K")
    }
}
