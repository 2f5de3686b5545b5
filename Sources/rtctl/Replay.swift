import ArgumentParser
import Foundation
import Logging
import NIOCore
import RealtimeClient
import RealtimeServer

extension Rtctl {
    /// `rtctl replay`: a recording played again against a server, one client per recorded player.
    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay a recording against a server, one client per recorded player, and verify what they get.",
            discussion: """
                Reads a recording written by serve --record (every player of the session) or listen --record \\
                (one client's view: the senders it saw are played too) and plays it: each recorded player is \\
                played by its own client, which logs in with the recorded player session id (so reserved \\
                sessions work), in the recorded order, and sends what that player sent (messages, joins, \\
                leaves, disconnects) at the recorded pace. Peer ids are mapped: a message recorded for player 3 \\
                goes to whichever peer id the server gave the client playing player 3. Messages the server \\
                script sent are not replayed; the script sends them again.

                Timing: the recorded pace by default; --speed 2 twice as fast; --rate N evenly spaced at N \\
                messages per second; --topspeed as fast as possible (steps stay in order); --max-gap caps any \\
                pause. --limit N sends only the first N messages, --duration stops after a time, --loop N plays \\
                the messages N times (0: until interrupted), --loop-delay pauses between loops. A recording cut \\
                off mid-line (a crash, kill -9) is replayed up to its last whole line.

                --dry-run prints the plan as JSON lines on stdout (one per step, with its time "at" in seconds) \\
                and a summary on stderr, without connecting. --verify compares what each replayed client \\
                received with what the recording says the player received: per receiver and per sender, in \\
                order, on op code, sender, target and payload (times, channels and peer ids legitimately \\
                differ). Verification sends every message reliably, so that no fast message is lost on the way, \\
                and waits up to --settle for the last deliveries. Each difference is a JSON line on stdout \\
                ({"difference":"missing"|"unexpected"|"order","player":…,"opCode":…,…}); the exit status is 1 \\
                when there is any, 0 when none.

                Examples:
                  rtctl serve --record session.jsonl --script game.js
                  rtctl replay session.jsonl 127.0.0.1:1900 --dry-run | jq -c .
                  rtctl replay session.jsonl 127.0.0.1:1900 --verify
                  rtctl replay session.jsonl --topspeed --loop 0 --duration 60s
                """
        )

        @Argument(help: ArgumentHelp("The recording (from serve --record or listen --record).", valueName: "file"))
        var file: String

        @Argument(
            help: ArgumentHelp(
                "HOST:PORT, [IPv6]:PORT, ws://HOST:PORT[/path] or wss://… (default: $RTCTL_ENDPOINT, else 127.0.0.1:1900).",
                valueName: "endpoint"
            )
        )
        var endpointArgument: String?

        @Option(
            name: .customLong("endpoint"),
            help: ArgumentHelp("The server's endpoint, instead of the positional argument.", valueName: "endpoint")
        )
        var endpointOption: String?

        @Option(help: "Play this many times faster than recorded (0.5: half speed).")
        var speed: Double?

        @Option(help: ArgumentHelp("Send at this many messages per second, evenly spaced.", valueName: "msgs/s"))
        var rate: Double?

        @Flag(help: "Send as fast as possible, in the recorded order.")
        var topspeed = false

        @Option(help: "Play the messages this many times; 0 repeats until interrupted or --duration.")
        var loop = 1

        @Option(help: ArgumentHelp("The pause between loops.", valueName: "duration"))
        var loopDelay = DurationArgument(.zero)

        @Option(help: ArgumentHelp("The longest pause kept between two recorded steps.", valueName: "duration"))
        var maxGap: DurationArgument?

        @Option(help: "Send only the first N messages.")
        var limit: Int?

        @Option(help: ArgumentHelp("Stop sending after this long.", valueName: "duration"))
        var duration: DurationArgument?

        @Flag(help: "Print what would be sent and how long it would take; connect to nothing.")
        var dryRun = false

        @Flag(help: "Compare what each client received with the recording; exit 1 on any difference.")
        var verify = false

        @Option(
            help: ArgumentHelp(
                "How long to wait for messages still on their way, before a player leaves and at the end.",
                valueName: "duration"
            )
        )
        var settle = DurationArgument(.seconds(5))

        @Flag(help: "Keep every message on the WebSocket (no UDP association).")
        var noUdp = false

        @Option(help: ArgumentHelp("How long connecting and logging in may take.", valueName: "duration"))
        var connectTimeout = DurationArgument(.seconds(10))

        @OptionGroup
        var tls: TLSFlags

        @OptionGroup
        var logging: LoggingOptions

        func validate() throws {
            if endpointArgument != nil, endpointOption != nil {
                throw ValidationError("give the endpoint either as an argument or with --endpoint, not both")
            }
            if let speed, !(speed > 0 && speed.isFinite) { throw ValidationError("--speed must be a positive number") }
            if let rate, !(rate > 0 && rate.isFinite) { throw ValidationError("--rate must be a positive number") }
            if [speed != nil, rate != nil, topspeed].filter({ $0 }).count > 1 {
                throw ValidationError("--speed, --rate and --topspeed contradict each other: choose one")
            }
            guard loop >= 0 else { throw ValidationError("--loop must be 0 (forever) or more") }
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
            if verify, loop != 1 || limit != nil || duration != nil {
                throw ValidationError(
                    "--verify compares a whole replay: it does not go with --loop, --limit or --duration"
                )
            }
            if loop == 0, duration == nil, !dryRun {
                // Forever is allowed: SIGINT ends it.
            }
            _ = try endpoint()
        }

        func endpoint() throws -> Endpoint {
            try ClientFlags.endpoint(
                argument: endpointArgument,
                option: endpointOption,
                environment: ProcessInfo.processInfo.environment
            )
        }

        func run() async throws {
            logging.bootstrap(default: .notice, environment: ProcessInfo.processInfo.environment)
            let logger = Logger(label: "rtctl")
            let recording: RecordingReader
            do {
                recording = try RecordingReader(contentsOf: file)
            } catch {
                throw RtctlError.runtime("replay: \(error)")
            }
            for skipped in recording.skipped {
                logger.warning("replay: \(file):\(skipped.line): skipped, not a recording event: \(skipped.reason)")
            }
            var timing = ReplayPlan.Timing()
            timing.speed = speed ?? 1
            timing.rate = rate
            timing.topSpeed = topspeed
            timing.maxGap = maxGap.map { Double($0.nanoseconds) / 1e9 }
            timing.limit = limit
            let plan = ReplayPlan(recording).timed(timing)
            let output = LineWriter(descriptor: STDOUT_FILENO)
            if dryRun {
                try output.write(lines: plan.steps.map(Self.json))
                try output.flush()
                StandardStreams.writeToStandardError(
                    "replay: \(plan.players.count) players, \(plan.messageCount) messages"
                        + (loop == 1 ? "" : " per loop") + ", about \(String(format: "%.3f", plan.duration)) s\n"
                )
                return
            }
            let runner = ReplayRunner(
                plan: plan,
                options: ReplayRunner.Options(
                    endpoint: try endpoint(),
                    noUDP: noUdp,
                    tls: try tls.clientTLS(),
                    forceReliable: verify,
                    connectTimeout: .nanoseconds(connectTimeout.nanoseconds),
                    loops: loop,
                    loopDelay: Double(loopDelay.nanoseconds) / 1e9,
                    duration: duration.map { Double($0.nanoseconds) / 1e9 },
                    settle: Double(settle.nanoseconds) / 1e9,
                    logger: logger
                )
            )
            let sent: Int
            do {
                sent = try await runner.run()
            } catch let error as RealtimeClientError where error.code.isConnectFailure {
                await runner.close()
                throw RtctlError(.connectionFailed, "replay: \(error)")
            } catch {
                await runner.close()
                throw RtctlError.runtime("replay: \(error)")
            }
            let received = runner.receivedMessages()
            await runner.close()
            logger.notice("replay: sent \(sent) messages as \(plan.players.count) players")
            guard verify else { return }
            let differences = ReplayVerification.differences(expected: plan.expected, received: received)
            try output.write(lines: differences.map(Self.json))
            try output.flush()
            let expectedCount = plan.expected.values.reduce(0) { $0 + $1.count }
            if differences.isEmpty {
                StandardStreams.writeToStandardError(
                    "replay: verified: every player received what the recording says (\(expectedCount) messages)\n"
                )
            } else {
                StandardStreams.writeToStandardError(
                    "replay: \(differences.count) differences from the recording (\(expectedCount) messages expected)\n"
                )
                throw RtctlExit.failure
            }
        }

        static func json(_ step: ReplayPlan.TimedStep) -> String {
            var object = JSONObjectWriter()
            object.add("at", raw: JSONText.number(step.at))
            switch step.step {
            case .connect(let player):
                object.add("action", string: "connect")
                object.add("player", integer: player.peerId)
                object.add("playerSessionId", string: player.playerSessionId)
            case .send(let player, let opCode, let payload, let targetPlayer, let targetGroup, let reliable):
                object.add("player", integer: player)
                object.add("opCode", integer: opCode)
                if targetPlayer != 0 { object.add("targetPlayer", integer: targetPlayer) }
                if targetGroup != 0 { object.add("targetGroup", integer: targetGroup) }
                object.add("reliable", bool: reliable)
                addPayload(payload, to: &object)
            case .joinGroup(let player, let group), .leaveGroup(let player, let group):
                let join = if case .joinGroup = step.step { true } else { false }
                object.add("action", string: join ? "joinGroup" : "leaveGroup")
                object.add("player", integer: player)
                object.add("group", integer: group)
            case .disconnect(let player, _):
                object.add("action", string: "disconnect")
                object.add("player", integer: player)
            }
            return object.finish()
        }

        static func json(_ difference: ReplayVerification.Difference) -> String {
            var object = JSONObjectWriter()
            object.add("difference", string: difference.kind.rawValue)
            object.add("player", integer: difference.receiver)
            object.add("opCode", integer: difference.message.opCode)
            object.add("sender", integer: difference.message.sender)
            object.add("targetPlayer", integer: difference.message.targetPlayer)
            object.add("targetGroup", integer: difference.message.targetGroup)
            addPayload(difference.message.payload, to: &object)
            return object.finish()
        }

        private static func addPayload(_ payload: ByteBuffer, to object: inout JSONObjectWriter) {
            var event = RecordedEvent(t: 0, event: "message")
            event.setPayload(payload)
            if let text = event.payload {
                object.add("payload", string: text)
            } else if let base64 = event.payloadBase64 {
                object.add("payloadBase64", string: base64)
            }
        }
    }
}
