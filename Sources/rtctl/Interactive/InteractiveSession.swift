import Logging
import RealtimeClient
import Synchronization

/// `rtctl connect` on a terminal: a readline prompt for commands, events printed above it.
final class InteractiveSession: Sendable {
    private let control: ConnectionControl
    private let encoder: EventEncoder
    private let logger: Logger
    private let parser = PromptCommandParser()
    /// Groups and players seen so far, for Tab completion.
    private let known = Mutex(PromptCompleter(groups: [], players: []))

    init(control: ConnectionControl, encoder: EventEncoder, logger: Logger) {
        self.control = control
        self.encoder = encoder
        self.logger = logger
    }

    /// Runs until the user quits or the connection ends; the terminal is restored when it returns.
    func run() async {
        let client = control.client
        let editor = LineEditor(
            prompt: "rtctl:\(client.peerId)> ",
            historyFile: LineEditor.defaultHistoryFile()
        ) { [self] line, start in
            known.withLock { $0 }.candidates(line: line, start: start)
        }
        editor.start()
        editor.print("connected to \(client.endpoint) as peer \(client.peerId); type help for the commands")
        let input = Task { [self] in
            for await line in editor.lines {
                await handle(line, editor: editor)
            }
            control.stop(.finished)
        }
        for await event in client.events {
            remember(event)
            editor.print(encoder.encode(event, closedByClient: control.stopReason != nil))
        }
        editor.stop()
        await input.value
    }

    private func handle(_ line: String, editor: LineEditor) async {
        let command: PromptCommand
        do {
            command = try parser.parse(line)
        } catch {
            editor.print("error: \(error)")
            return
        }
        switch command {
        case .nothing:
            break
        case .help:
            editor.print(PromptCommandParser.help)
        case .quit:
            control.stop(.finished)
            editor.stop()
        case .action(let action):
            if case .joinGroup(let group) = action { known.withLock { $0.groups.insertOnce(group) } }
            do {
                try await control.client.perform(action)
            } catch {
                editor.print("error: \(error)")
            }
        }
    }

    private func remember(_ event: ClientEvent) {
        known.withLock { known in
            switch event {
            case .message(let packet):
                if packet.targetGroup > 0 { known.groups.insertOnce(packet.targetGroup) }
                if packet.sender > 0 { known.players.insertOnce(packet.sender) }
            case .groupMembership(let group, let players):
                if group > 0 { known.groups.insertOnce(group) }
                for player in players { known.players.insertOnce(player) }
            case .connected(let peerId, _):
                known.players.insertOnce(peerId)
            case .fastReady, .disconnected:
                break
            }
        }
    }
}

extension Array where Element == Int32 {
    fileprivate mutating func insertOnce(_ value: Int32) {
        if !contains(value) { append(value) }
    }
}
