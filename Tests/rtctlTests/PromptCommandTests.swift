import Testing

@testable import rtctl

@Suite("Interactive prompt commands")
struct PromptCommandTests {
    let parser = PromptCommandParser()

    func send(_ message: OutgoingMessage) -> PromptCommand { .action(.send(message)) }

    @Test("short send commands")
    func sends() throws {
        #expect(
            try parser.parse("send 10 hello to 3")
                == send(OutgoingMessage(opCode: 10, targetPlayer: 3, payload: .bytes(Array("hello".utf8))))
        )
        #expect(
            try parser.parse("send 10 hi group 2 reliable")
                == send(OutgoingMessage(opCode: 10, targetGroup: 2, reliable: true, payload: .bytes(Array("hi".utf8))))
        )
        #expect(
            try parser.parse("  send 10   two  words   ")
                == send(OutgoingMessage(opCode: 10, targetGroup: -1, payload: .bytes(Array("two  words".utf8))))
        )
        #expect(
            try parser.parse(#"send 10 "to 3""#)
                == send(OutgoingMessage(opCode: 10, targetGroup: -1, payload: .bytes(Array("to 3".utf8))))
        )
        #expect(try parser.parse("send 5 server") == send(OutgoingMessage(opCode: 5, targetPlayer: -1)))
        #expect(try parser.parse("send 5") == send(OutgoingMessage(opCode: 5, targetGroup: -1)))
        #expect(
            try parser.parse("send -3 reliable") == send(OutgoingMessage(opCode: -3, targetGroup: -1, reliable: true))
        )
    }

    @Test("group commands, help, quit, raw JSON and blank lines")
    func others() throws {
        #expect(try parser.parse("join 2") == .action(.joinGroup(2)))
        #expect(try parser.parse("leave 2") == .action(.leaveGroup(2)))
        #expect(try parser.parse("members -1") == .action(.requestGroupMembership(-1)))
        #expect(try parser.parse("help") == .help)
        #expect(try parser.parse("quit") == .quit)
        #expect(try parser.parse("   ") == .nothing)
        #expect(try parser.parse(#"{"action":"joinGroup","group":4}"#) == .action(.joinGroup(4)))
    }

    @Test("mistakes", arguments: ["send", "send x", "join", "join two", "members 1 2", "jump 2", #"{"opCode":"x"}"#])
    func mistakes(_ line: String) {
        #expect(throws: PromptCommandParser.Failure.self) { try parser.parse(line) }
    }

    @Test("Tab completion: commands first, then group and player ids")
    func completion() {
        let completer = PromptCompleter(groups: [7, 2], players: [5, 3])
        #expect(completer.candidates(line: "", start: 0) == PromptCommandParser.commands)
        #expect(completer.candidates(line: "jo", start: 0) == PromptCommandParser.commands)
        #expect(completer.candidates(line: "join ", start: 5) == ["2", "7"])
        #expect(completer.candidates(line: "members 7", start: 8) == ["2", "7"])
        #expect(completer.candidates(line: "send 10 hi group ", start: 17) == ["2", "7"])
        #expect(completer.candidates(line: "send 10 hi to ", start: 14) == ["3", "5"])
        #expect(completer.candidates(line: "send 10 hi ", start: 11) == ["to", "group", "server", "reliable"])
        #expect(completer.candidates(line: "help ", start: 5) == [])
    }
}
