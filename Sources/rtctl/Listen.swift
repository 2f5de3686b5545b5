import ArgumentParser
import Foundation
import Logging
import RealtimeClient
import RealtimeProtocol
import Synchronization

extension EventOutput.Format: ExpressibleByArgument {}

extension Rtctl {
    /// `rtctl listen`: connect, optionally join groups, print every event.
    struct Listen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Connect as one player and print every event it receives, one JSON line each.",
            discussion: """
                listen logs in, joins the groups given with --join, and prints each event on standard output as \
                a JSON line (see rtctl.connect(1) for the fields): first "connected", then "fastReady" once \
                the UDP association is up, every "message" and "groupMembership", and a final "disconnected". \
                The "connected" line is printed only once every --join group has been joined (listen asks for \
                the group's members until it is listed), so a script may start sending as soon as it has read \
                that first line.

                Output streams: each line reaches a pipe when the event arrives; into a regular file it is \
                buffered and written at least every 100 ms and before exiting. Messages to the group are \
                received by every member, the sender included.

                Ends when: --count messages were printed (exit 0); --idle passed without a message (exit 0, \
                or 124 when --count was given and not reached); --timeout expired (exit 124); SIGINT or \
                SIGTERM (the connection is closed and the output flushed, exit 0); the server closed the \
                connection (exit 4). Could not connect or the login was refused: exit 3.

                --record FILE also writes what the client receives to a recording (the format of \
                serve --record, with "source":"listen"): a "connected" line, the --join requests, every \
                message (whatever --opcode) and membership, and "disconnected". rtctl replay plays the \
                senders it saw and this player, and --verify checks that this player receives the same again. \
                The recording has no game session id (a client is never told it): its "gameSessionId" is "".

                --opcode filters messages only; the other events are always printed. --format text prints \
                short lines for people instead (e.g. "10:00:00.123456 message op 10 from 3 to group 2 \
                (fast): hi").

                Examples:
                  rtctl listen 127.0.0.1:1900 --join 2
                  rtctl listen --join 2 --count 100 --timeout 30s > messages.jsonl
                  rtctl listen --opcode 10 | jq -r 'select(.event == "message") | .payload'
                  RTCTL_ENDPOINT=ws://game.example:1900 rtctl listen --idle 5s --format text
                """
        )

        @OptionGroup
        var client: ClientFlags

        @Option(
            name: .customLong("join"),
            parsing: .unconditionalSingleValue,
            help: ArgumentHelp("A group to join before printing anything (repeatable).", valueName: "group")
        )
        var groups: [Int32] = []

        @Option(help: ArgumentHelp("Exit 0 after this many messages.", valueName: "n"))
        var count: Int?

        @Option(help: ArgumentHelp("Give up after this long in all (exit 124).", valueName: "duration"))
        var timeout: DurationArgument?

        @Option(help: ArgumentHelp("Stop after this long without a message.", valueName: "duration"))
        var idle: DurationArgument?

        @Option(
            name: .customLong("opcode"),
            parsing: .unconditionalSingleValue,
            help: ArgumentHelp("Print only messages with this op code (repeatable).", valueName: "n")
        )
        var opCodes: [Int32] = []

        @Option(help: "json (one JSON object per line) or text (short lines for people).")
        var format: EventOutput.Format = .json

        @Option(
            help: ArgumentHelp(
                "Also write what this client receives to a recording, for rtctl replay (every message, whatever --opcode).",
                valueName: "file"
            )
        )
        var record: String?

        @OptionGroup
        var logging: LoggingOptions

        func validate() throws {
            if let count, count < 1 { throw ValidationError("--count \(count) must be at least 1") }
            if let bad = groups.first(where: { $0 == 0 || $0 == -1 }) {
                throw ValidationError("--join \(bad): groups 0 and -1 cannot be joined")
            }
        }

        func run() async throws {
            logging.bootstrap(default: .notice, environment: ProcessInfo.processInfo.environment)
            let logger = Logger(label: "rtctl")
            let connection = try await client.connect(logger: logger)
            let control = ConnectionControl(client: connection)
            TerminationSignals.handle { control.stop(.interrupted) }
            let output = EventOutput(
                writer: LineWriter(descriptor: STDOUT_FILENO),
                payloadFormat: client.payloadFormat,
                format: format
            )
            let joining = GroupJoiner(client: connection, groups: Set(groups), deadline: client.connectTimeout)
            let recorder = try record.map { try ClientRecorder(path: $0, client: connection, flags: client) }
            defer { recorder?.close() }
            recorder?.joining(groups)
            try await joining.start()
            let timer = control.stop(after: timeout?.duration)
            let idleWatch = idle.map { IdleWatch(control: control, limit: $0.duration) }
            defer {
                timer?.cancel()
                idleWatch?.cancel()
            }
            var received = 0
            var held: [ClientEvent] = []
            var joined = groups.isEmpty
            for await event in connection.events {
                recorder?.record(event)
                switch event {
                case .groupMembership(let group, let players) where !joined && joining.pending(group):
                    // The answers that confirm the joins are not printed.
                    if try await joining.answered(group: group, players: players) {
                        joined = true
                        for event in held { try output.print(event) }
                        held = []
                    }
                    continue
                case .message(let packet):
                    guard received != count, opCodes.isEmpty || opCodes.contains(packet.opCode.rawValue) else {
                        continue
                    }
                    idleWatch?.touch()
                    received += 1
                    if received == count { control.stop(.finished) }
                case .disconnected:
                    if !joined {
                        for event in held { try output.print(event) }
                        held = []
                    }
                    try output.print(event, closedByClient: control.stopReason != nil)
                    continue
                case .connected, .fastReady, .groupMembership:
                    break
                }
                if joined { try output.print(event) } else { held.append(event) }
            }
            try output.flush()
            switch control.stopReason {
            case nil:
                throw RtctlError.closedByServer("listen: the server closed the connection")
            case .finished, .interrupted:
                return
            case .idle:
                if let count {
                    throw RtctlError.timeout("listen: --idle expired after \(received) of \(count) messages")
                }
            case .timeout:
                throw RtctlError.timeout("listen: --timeout expired after \(received) messages")
            case .failed(let error):
                throw error
            }
        }
    }
}

/// Joins groups and confirms each join by asking for the group's members until this player is listed.
///
/// Joins and membership requests are "fast" like the SDK's, so a request may overtake its join when one travels over
/// the WebSocket and the other over UDP; asking again settles it.
final class GroupJoiner: Sendable {
    private let client: RealtimeClient
    private let remaining: Mutex<Set<Int32>>
    private let deadline: ContinuousClock.Instant

    init(client: RealtimeClient, groups: Set<Int32>, deadline: DurationArgument) {
        self.client = client
        self.remaining = Mutex(groups)
        self.deadline = .now + deadline.duration
    }

    func start() async throws {
        for group in remaining.withLock({ $0 }).sorted() {
            try await client.joinGroup(group)
            try await client.requestGroupMembership(group)
        }
    }

    func pending(_ group: Int32) -> Bool { remaining.withLock { $0.contains(group) } }

    /// Handles a membership answer; true once every group is joined.
    func answered(group: Int32, players: [Int32]) async throws -> Bool {
        if players.contains(client.peerId) {
            return remaining.withLock { remaining in
                remaining.remove(group)
                return remaining.isEmpty
            }
        }
        guard ContinuousClock.now < deadline else {
            throw RtctlError.runtime("group \(group): the server did not add this player (refused by its script?)")
        }
        let client = self.client
        Task {
            try? await Task.sleep(for: .milliseconds(20))
            try? await client.requestGroupMembership(group)
        }
        return false
    }
}

/// Stops a connection after a stretch without messages (`--idle`).
final class IdleWatch: Sendable {
    private let last = Mutex(ContinuousClock.now)
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(control: ConnectionControl, limit: Duration) {
        let watch = Task { [weak self] in
            while !Task.isCancelled {
                guard let due = self?.last.withLock({ $0 + limit }) else { return }
                if ContinuousClock.now >= due {
                    control.stop(.idle)
                    return
                }
                try? await Task.sleep(until: due)
            }
        }
        task.withLock { $0 = watch }
    }

    func touch() { last.withLock { $0 = .now } }

    func cancel() { task.withLock { $0?.cancel() } }
}
