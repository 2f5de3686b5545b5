/// What a line typed at the interactive prompt asks for.
enum PromptCommand: Hashable, Sendable {
    case action(ClientAction)
    case help
    case quit
    case nothing
}

/// Reads the prompt's short commands and raw JSON actions:
///
///     send 10 hello to 3            send 10 hi group 2 reliable      send 10 ping server
///     join 2    leave 2    members 2    help    quit
///     {"opCode":10,"targetGroup":-1,"payload":"hi"}
///
/// A short `send` takes its options from the end of the line (`reliable`, then `to PLAYER`, `group GROUP` or
/// `server`); what lies between the op code and them is the payload text, spaces included (surrounding double
/// quotes are removed, so `send 10 "to 3"` sends the text `to 3`). Without a target it goes to every player.
struct PromptCommandParser: Sendable {
    static let commands = ["send", "join", "leave", "members", "help", "quit"]

    static let help = """
        commands:
          send OPCODE [TEXT] [to PLAYER | group GROUP | server] [reliable]
                               send a message (default: to every player, fast)
          join GROUP           join a group
          leave GROUP          leave a group
          members GROUP        ask for a group's members
          {"opCode":…}         any JSON action, as on a piped rtctl connect
          help                 this list
          quit                 disconnect and exit (also Ctrl-D)
        Tab completes commands, group ids and player ids; Up and Down walk the history.
        """

    var decoder = ActionDecoder()

    struct Failure: Error, Hashable, CustomStringConvertible {
        var description: String
    }

    func parse(_ line: String) throws(Failure) -> PromptCommand {
        let trimmed = line.trimmingCharacters(in: " \t")
        if trimmed.isEmpty { return .nothing }
        if trimmed.hasPrefix("{") {
            do {
                return .action(try decoder.decode(Array(trimmed.utf8)))
            } catch {
                throw Failure(description: "\(error)")
            }
        }
        let words = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        switch words[0] {
        case "help", "?":
            return .help
        case "quit", "exit":
            return .quit
        case "join", "leave", "members":
            guard words.count == 2, let group = Int32(words[1]) else {
                throw Failure(description: "usage: \(words[0]) GROUP")
            }
            switch words[0] {
            case "join": return .action(.joinGroup(group))
            case "leave": return .action(.leaveGroup(group))
            default: return .action(.requestGroupMembership(group))
            }
        case "send":
            return .action(.send(try send(words, line: trimmed)))
        default:
            throw Failure(description: "unknown command \"\(words[0])\" (type help for the list)")
        }
    }

    private func send(_ words: [String], line: String) throws(Failure) -> OutgoingMessage {
        guard words.count >= 2, let opCode = Int32(words[1]) else {
            throw Failure(description: "usage: send OPCODE [TEXT] [to PLAYER | group GROUP | server] [reliable]")
        }
        var message = OutgoingMessage(opCode: opCode)
        var end = words.count
        if words[end - 1] == "reliable", end > 2 {
            message.reliable = true
            end -= 1
        }
        if end >= 4, let number = Int32(words[end - 1]), words[end - 2] == "to" || words[end - 2] == "group" {
            if words[end - 2] == "to" { message.targetPlayer = number } else { message.targetGroup = number }
            end -= 2
        } else if end >= 3, words[end - 1] == "server" {
            message.targetPlayer = -1
            end -= 1
        }
        if message.targetPlayer == nil, message.targetGroup == nil { message.targetGroup = -1 }
        if end > 2 {
            var text = payloadText(line, words: words, through: end)
            if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") {
                text = String(text.dropFirst().dropLast())
            }
            message.payload = .bytes(Array(text.utf8))
        }
        return message
    }

    /// The text of the line from the third word through word `end - 1`, with its own spacing.
    private func payloadText(_ line: String, words: [String], through end: Int) -> String {
        var ranges: [Range<String.Index>] = []
        var index = line.startIndex
        while index < line.endIndex {
            if line[index] == " " || line[index] == "\t" {
                index = line.index(after: index)
                continue
            }
            let start = index
            while index < line.endIndex, line[index] != " ", line[index] != "\t" { index = line.index(after: index) }
            ranges.append(start..<index)
        }
        return String(line[ranges[2].lowerBound..<ranges[end - 1].upperBound])
    }
}

extension String {
    fileprivate func trimmingCharacters(in characters: String) -> String {
        let set = Set(characters)
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}

/// Proposes completions at the prompt: commands at the start of the line, group ids after `join`, `leave`,
/// `members` and `group`, player ids after `to`, and `to`/`group`/`server`/`reliable` later in a `send`.
struct PromptCompleter: Sendable {
    var groups: [Int32]
    var players: [Int32]

    /// Candidates for the word starting at `start` (a UTF-8 offset) of `line` (the text before the cursor).
    func candidates(line: String, start: Int) -> [String] {
        let before = String(decoding: line.utf8.prefix(start), as: UTF8.self)
        let words = before.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let previous = words.last else { return PromptCommandParser.commands }
        switch previous {
        case "join", "leave", "members", "group":
            return groups.sorted().map(String.init)
        case "to":
            return players.sorted().map(String.init)
        default:
            if words.first == "send", words.count >= 2 { return ["to", "group", "server", "reliable"] }
            return []
        }
    }
}
