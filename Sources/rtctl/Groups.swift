import ArgumentParser
import Foundation
import Logging
import RealtimeClient
import RealtimeProtocol

extension Rtctl {
    /// `rtctl groups`: group operations as one-shot commands.
    struct Groups: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Group operations as one-shot commands: members, join, leave, watch.",
            discussion: """
                Each subcommand logs in as a player of its own, does its one thing, prints the group's \
                membership as "groupMembership" JSON lines ({"event":"groupMembership","group":2,\
                "players":[3,5],"time":"…"}) and disconnects. The group comes first, the endpoint second: \
                rtctl groups members 2 127.0.0.1:1900.

                A player leaves every group when it disconnects, so the membership that join and leave change \
                lasts only while rtctl is connected; they are for checking what a server (or its script) \
                allows. To stay in a group, use rtctl listen --join or rtctl connect.

                Examples:
                  rtctl groups members 2
                  rtctl groups members -1 game.example:1900 | jq '.players | length'
                  rtctl groups join 2 && echo "the server lets players join group 2"
                  rtctl groups watch 2 --interval 500ms
                """,
            subcommands: [Members.self, Join.self, Leave.self, Watch.self]
        )
    }
}

extension Rtctl.Groups {
    /// `groups SUBCOMMAND -N …` becomes `groups SUBCOMMAND --group=-N …`: the argument parser reads any `-N` as a
    /// short flag, and `-1` (every player) is a group people ask about.
    static func rewritingNegativeGroup(_ arguments: [String]) -> [String] {
        guard arguments.count >= 3, arguments[0] == "groups", arguments[1].first != "-",
            arguments[2].count > 1, arguments[2].first == "-", arguments[2].dropFirst().allSatisfy(\.isASCII),
            Int32(arguments[2]) != nil
        else { return arguments }
        var rewritten = arguments
        rewritten[2] = "--group=" + arguments[2]
        return rewritten
    }
}

/// The arguments and the connection every `groups` subcommand shares.
struct GroupCommandOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The group (-1: every connected player).", valueName: "group"))
    var groupArgument: String?

    /// `rtctl groups members -1`: the root command rewrites a negative group into this option, which the argument
    /// parser would otherwise take for a short flag. The positional argument is then the endpoint.
    @Option(name: .customLong("group"), parsing: .unconditional, help: .hidden)
    var groupOption: Int32?

    var group: Int32 { groupOption ?? groupArgument.flatMap { Int32($0) } ?? 0 }

    /// The client flags, with the endpoint moved over when the group came as `--group`.
    var clientFlags: ClientFlags {
        var flags = client
        if groupOption != nil, let groupArgument, flags.endpointArgument == nil {
            flags.endpointArgument = groupArgument
        }
        return flags
    }

    func validate() throws {
        if groupOption != nil {
            if groupArgument != nil, client.endpointArgument != nil {
                throw ValidationError("too many arguments: give a group and at most one endpoint")
            }
            return
        }
        guard let groupArgument else { throw ValidationError("Missing expected argument '<group>'") }
        guard Int32(groupArgument) != nil else {
            throw ValidationError("The value '\(groupArgument)' is invalid for '<group>': expected an integer")
        }
    }

    @OptionGroup
    var client: ClientFlags

    @Option(
        help: ArgumentHelp(
            "Give up after this long, exit 124 (default: 10s for members, join and leave; no limit for watch).",
            valueName: "duration"
        )
    )
    var timeout: DurationArgument?

    @OptionGroup
    var logging: LoggingOptions

    /// Connects on the WebSocket only, so that requests reach the server in the order they are made.
    func connect() async throws -> (ConnectionControl, EventOutput) {
        logging.bootstrap(default: .notice, environment: ProcessInfo.processInfo.environment)
        let client = clientFlags
        let connection = try await client.connect(logger: Logger(label: "rtctl"), noUDP: true)
        let output = EventOutput(writer: LineWriter(descriptor: STDOUT_FILENO), payloadFormat: client.payloadFormat)
        return (ConnectionControl(client: connection), output)
    }

    /// Waits for the answer about `group`, prints it and disconnects; returns the players.
    func answer(_ control: ConnectionControl, _ output: EventOutput) async throws -> [Int32] {
        let limit = timeout ?? DurationArgument(.seconds(10))
        let timer = control.stop(after: limit.duration)
        defer { timer?.cancel() }
        var players: [Int32]?
        for await event in control.client.events {
            if players == nil, case .groupMembership(let answered, let members) = event, answered == group {
                players = members
                try output.print(event)
                control.stop(.finished)
            }
        }
        try output.flush()
        if let players { return players }
        switch control.stopReason {
        case .timeout: throw RtctlError.timeout("groups: no answer about group \(group) within \(limit)")
        case .failed(let error): throw error
        default: throw RtctlError.closedByServer("groups: the server closed the connection before answering")
        }
    }
}

extension Rtctl.Groups {
    struct Members: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a group's members (RequestGroupMembership).",
            discussion: """
                Prints one groupMembership line and exits 0. An unknown or empty group has no players; group -1 \
                lists every connected player, this one included.

                Examples:
                  rtctl groups members 2
                  rtctl groups members -1 --endpoint ws://127.0.0.1:1900 | jq -c .players
                """
        )

        @OptionGroup
        var options: GroupCommandOptions

        func run() async throws {
            let (control, output) = try await options.connect()
            try await control.client.requestGroupMembership(options.group)
            _ = try await options.answer(control, output)
        }
    }

    struct Join: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Join a group and report the server's answer.",
            discussion: """
                Joins the group, then asks for its members and prints that groupMembership line. Exit status 0 \
                when this player is listed (the join was accepted), 1 when it is not (the server's script \
                refused it). The player leaves the group again when rtctl disconnects.

                Examples:
                  rtctl groups join 2
                  rtctl groups join 7 --player-session-id alice || echo "refused"
                """
        )

        @OptionGroup
        var options: GroupCommandOptions

        func validate() throws {
            if options.group == 0 || options.group == -1 {
                throw ValidationError("group \(options.group) cannot be joined")
            }
        }

        func run() async throws {
            let (control, output) = try await options.connect()
            try await control.client.joinGroup(options.group)
            try await control.client.requestGroupMembership(options.group)
            let players = try await options.answer(control, output)
            guard players.contains(control.client.peerId) else {
                throw RtctlError.runtime("groups join: the server did not add player \(control.client.peerId)")
            }
        }
    }

    struct Leave: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Leave a group and report the server's answer.",
            discussion: """
                Sends the leave request, then asks for the group's members and prints that groupMembership \
                line. A new connection is in no group, so this mostly shows how a server answers a leave: exit \
                status 0 when this player is not listed afterwards, 1 when it still is (the script refused).

                Examples:
                  rtctl groups leave 2
                """
        )

        @OptionGroup
        var options: GroupCommandOptions

        func validate() throws {
            if options.group == 0 || options.group == -1 {
                throw ValidationError("group \(options.group) cannot be left")
            }
        }

        func run() async throws {
            let (control, output) = try await options.connect()
            try await control.client.leaveGroup(options.group)
            try await control.client.requestGroupMembership(options.group)
            let players = try await options.answer(control, output)
            guard !players.contains(control.client.peerId) else {
                throw RtctlError.runtime("groups leave: player \(control.client.peerId) is still in the group")
            }
        }
    }
}

extension Rtctl.Groups {
    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stream a group's membership: one line now, then one per change.",
            discussion: """
                A server sends membership updates on its own only to the group's members, and only when it was \
                started with rtctl serve --announce-membership. So watch asks for the members every --interval \
                (default 1s) and prints a groupMembership line for the first answer and then whenever the list \
                changes; updates the server pushes are printed as they arrive, when they differ from the last \
                line. With --join, watch also joins the group (and is then listed in it), which makes a server \
                started with --announce-membership push every change at once; --interval 0 then turns polling \
                off.

                Ends after --count lines (exit 0), when --timeout expires (exit 124), on SIGINT or SIGTERM (exit \
                0), or when the server closes the connection (exit 4).

                Examples:
                  rtctl groups watch 2
                  rtctl groups watch -1 --interval 250ms | jq -c .players
                  rtctl groups watch 2 --join --interval 0
                """
        )

        @OptionGroup
        var options: GroupCommandOptions

        @Option(help: ArgumentHelp("How often to ask for the members; 0: only once.", valueName: "duration"))
        var interval = DurationArgument(.seconds(1))

        @Flag(help: "Join the group as well (needed for updates pushed by the server).")
        var join = false

        @Option(help: ArgumentHelp("Exit 0 after printing this many lines.", valueName: "n"))
        var count: Int?

        func validate() throws {
            if let count, count < 1 { throw ValidationError("--count \(count) must be at least 1") }
            if join, options.group == 0 || options.group == -1 {
                throw ValidationError("--join: group \(options.group) cannot be joined")
            }
        }

        func run() async throws {
            let (control, output) = try await options.connect()
            let client = control.client
            let group = options.group
            TerminationSignals.handle { control.stop(.interrupted) }
            let timer = control.stop(after: options.timeout?.duration)
            if join { try await client.joinGroup(group) }
            try await client.requestGroupMembership(group)
            let poller: Task<Void, Never>? =
                interval.nanoseconds == 0
                ? nil
                : Task { [interval] in
                    while (try? await Task.sleep(for: interval.duration)) != nil {
                        guard (try? await client.requestGroupMembership(group)) != nil else { return }
                    }
                }
            defer {
                timer?.cancel()
                poller?.cancel()
            }
            var last: [Int32]?
            var printed = 0
            for await event in client.events {
                guard case .groupMembership(let answered, let players) = event, answered == group else { continue }
                let sorted = players.sorted()
                guard sorted != last, printed != count else { continue }
                last = sorted
                try output.print(event)
                printed += 1
                if printed == count { control.stop(.finished) }
            }
            try output.flush()
            switch control.stopReason {
            case nil: throw RtctlError.closedByServer("groups watch: the server closed the connection")
            case .finished, .interrupted, .idle: return
            case .timeout: throw RtctlError.timeout("groups watch: --timeout expired after \(printed) lines")
            case .failed(let error): throw error
            }
        }
    }
}
