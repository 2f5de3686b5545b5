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
                client that falls behind sends its backlog at once. Each event loop wakes at most every 0.1 ms and \
                sends everything due, flushing each client once. Each payload carries the scheduled and the actual \
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

                Failures: a client that loses its connection during the run (the server died, closed it, or the \
                network dropped it) is counted as a disconnect, and its later sends as send failures; both are in the \
                report and in --json, and bench then exits 1 after the report unless --allow-disconnects. The \
                generator checks itself: when it leaves measured messages unsent at the drain deadline, or more than \
                1 % of its messages leave more than 10 ms after their scheduled time, the report says it is BEHIND \
                SCHEDULE (--json: generator.behindSchedule) and the figures describe the bench as much as the \
                server; unsent messages are neither expected nor lost. On Linux the report also gives the share \
                of the machine's CPU a hypervisor took for other guests from the measured period to the end of the \
                drain (steal time, vmstat's st; --json: hostStealPercent, CSV: host_steal_percent), and names it \
                from 1 % up, in a search on the step's row: on a shared virtual machine, latency then includes the \
                host's delays.

                --find-max searches for the highest rate that meets --slo (default 'p99<=5ms,loss<=0.1%'; \
                comma-separated conditions in --fail-if's syntax that must all hold). The clients connect once; each \
                step runs --warmup, then --duration (default 3s with --find-max), then --drain, at one rate: starting \
                at --rate, doubling while steps meet the SLO (up to --max-rate), then bisecting between the highest \
                rate that met it and the lowest that did not until they are within 5 % (at most 24 steps); a first \
                step that misses halves instead. A rate that misses is measured once more before it counts as missed \
                (one stall of a busy machine is enough to miss a p99 bound in a short step), and up to 4 times in \
                all while the host's steal time during the miss is over --max-steal (default 5 %; on Linux); every \
                step is reported. A step whose generator fell behind counts as missed and the verdict says the bench may be \
                the limit. Output: a table of the steps and the verdict (--json: one object \
                with maxRate, verdict and the steps' curve, each with its full summary; --csv FILE: one row per step \
                with slo_met; --plot FILE.svg: delivered/s and p50/p99 against the offered rate). Exits 0 when some \
                rate met the SLO, 99 when none did, 1 when clients were lost (unless --allow-disconnects). --slo without \
                --find-max checks the one run: exit 99 when it is missed.

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
                  rtctl bench 127.0.0.1:1900 --clients 64 --groups 8 --find-max --slo 'p99<=5ms,loss<=0.1%' --plot curve.svg
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

        @Option(
            help: ArgumentHelp(
                "How long to measure, after the warm-up (e.g. 10s, 500ms, 2m; default 10s, 3s per --find-max step).",
                valueName: "dur"
            )
        )
        var duration: String?

        @Option(help: ArgumentHelp("How long to send before measuring; left out of every figure.", valueName: "dur"))
        var warmup = "1s"

        @Option(
            help: ArgumentHelp(
                "How long receivers wait for the last messages before counting what is missing as lost (the wait ends as soon as everything expected has arrived).",
                valueName: "dur"
            )
        )
        var drain = "1s"

        @Option(help: ArgumentHelp("Payload bytes per message (at least 16: two timestamps).", valueName: "bytes"))
        var size = BenchPayload.minimumSize

        @Option(
            help: ArgumentHelp(
                """
                The op code of the bench's messages; messages with another op code are not counted (several benches \
                can share a server, each with its own).
                """,
                valueName: "n"
            )
        )
        var opcode: Int32 = 100

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

        @Flag(help: "Exit 0 even when clients lost their connection or sends failed during the run.")
        var allowDisconnects = false

        @Flag(help: "Search for the highest rate that meets --slo, from --rate up to --max-rate.")
        var findMax = false

        @Option(
            help: ArgumentHelp(
                "The conditions a --find-max step must meet, comma-separated (default 'p99<=5ms,loss<=0.1%').",
                valueName: "conditions"
            )
        )
        var slo: String?

        @Option(help: ArgumentHelp("The highest rate --find-max tries (k and M allowed).", valueName: "msgs/s"))
        var maxRate = "2M"

        @Option(
            help: ArgumentHelp(
                "A --find-max step that misses while the host's steal time is over this share of the CPU is "
                    + "measured again, up to 4 times (default 5; 100: never).",
                valueName: "percent"
            )
        )
        var maxSteal = BenchRunner.defaultMaxSteal

        @OptionGroup
        var logging: LoggingOptions

        /// Filled by `validate()`.
        private var benchConfiguration = BenchConfiguration()
        private var conditions: [FailCondition] = []
        private var serviceLevel: ServiceLevel?
        private var search: RateSearch?

        private enum CodingKeys: String, CodingKey {
            case endpointArgument, endpointOption, serve, tls, tlsFlags, clients, connectRate, groups, target, rate,
                duration
            case warmup, drain, size, opcode, mode, threads, noProgress, json, csv, hgrm, plot, failIf, logging
            case allowDisconnects, findMax, slo, maxRate, maxSteal
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
            configuration.duration = try Self.duration(
                duration ?? (findMax ? "3s" : "10s"),
                "--duration",
                allowZero: false
            )
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
            guard opcode > 0 else { throw ValidationError("--opcode \(opcode) is not a positive (developer) op code") }
            configuration.opCode = opcode
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
            do {
                serviceLevel = try slo.map(ServiceLevel.init(parsing:))
            } catch let error as FailConditionError {
                throw ValidationError("--slo \(error.description)")
            }
            if findMax { try validateSearch(rate: rate) }
            benchConfiguration = configuration
        }

        private mutating func validateSearch(rate: Double) throws {
            if !failIf.isEmpty { throw ValidationError("--find-max takes --slo, not --fail-if") }
            if hgrm != nil {
                throw ValidationError("--hgrm describes one run; --find-max writes --json, --csv or --plot")
            }
            guard rate >= 1 else { throw ValidationError("--find-max starts at --rate, which must be at least 1") }
            guard let maximum = Quantity.rate(maxRate), maximum >= rate else {
                throw ValidationError("--max-rate \(maxRate) is not a rate of at least --rate (\(self.rate))")
            }
            guard maxSteal >= 0, maxSteal <= 100 else {
                throw ValidationError("--max-steal \(maxSteal) is not a percentage from 0 to 100")
            }
            serviceLevel = try serviceLevel ?? ServiceLevel(parsing: ServiceLevel.defaultText)
            search = RateSearch(start: rate, maximum: maximum)
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
            let runner = BenchRunner(configuration: configuration, endpoint: endpoint, logger: logger)
            do {
                var callback: (@Sendable (BenchProgress) -> Void)?
                if progress.enabled { callback = { progress.show($0) } }
                if let search, let serviceLevel {
                    let result = try await runner.findMax(
                        slo: serviceLevel,
                        search: search,
                        maxSteal: maxSteal,
                        progress: callback
                    ) {
                        step,
                        met in
                        progress.stepEnded(step, met: met)
                    }
                    progress.clear()
                    await server?.stop()
                    try finish(result)
                } else {
                    let result = try await runner.run(progress: callback)
                    progress.clear()
                    await server?.stop()
                    try finish(result)
                }
            } catch let error as BenchError {
                progress.clear()
                await server?.stop()
                guard error.code == .connectFailed else { throw RtctlError.runtime("bench: \(error)") }
                StandardStreams.writeToStandardError("rtctl: error: bench: \(Rtctl.oneLine(error.description))\n")
                throw RtctlExit.connectionFailed
            }
        }

        /// Writes a single run's outputs, then exits 1 for lost clients or 99 for a crossed threshold or missed SLO.
        private func finish(_ result: BenchResult) throws {
            try write(result)
            try checkFailures(BenchSummary(result))
            var crossed = conditions.filter { $0.holds(for: result) }.map { ("threshold crossed", $0) }
            crossed += (serviceLevel?.missed(by: result) ?? []).map { ("SLO missed", $0) }
            guard crossed.isEmpty else {
                for (what, condition) in crossed {
                    StandardStreams.writeToStandardError(
                        "rtctl: bench: \(what): \(condition) (measured \(Self.describe(condition, in: result)))\n"
                    )
                }
                throw RtctlExit.thresholdCrossed
            }
        }

        /// Writes a search's outputs, then exits 1 for lost clients or 99 when no rate met the SLO.
        private func finish(_ result: FindMaxResult) throws {
            try write(result)
            if let last = result.steps.last { try checkFailures(BenchSummary(last.result)) }
            if result.verdict.rate == nil { throw RtctlExit.thresholdCrossed }
        }

        /// Lost clients and failed sends fail the run unless --allow-disconnects.
        private func checkFailures(_ summary: BenchSummary) throws {
            guard !allowDisconnects, let failures = BenchReport.failures(summary) else { return }
            throw RtctlError.runtime("bench: \(failures) (--allow-disconnects accepts this)")
        }
    }
}
