import ArgumentParser
import RealtimeClient
import RealtimeProtocol
import Testing

@testable import rtctl

@Suite("Client command lines")
struct ClientCommandLineTests {
    @Test("the endpoint: argument, else --endpoint, else RTCTL_ENDPOINT, else 127.0.0.1:1900")
    func endpoint() throws {
        let none = try Rtctl.Listen.parse([])
        #expect(try none.client.endpoint(environment: [:]) == Endpoint(host: "127.0.0.1", port: 1900))
        #expect(try none.client.endpoint(environment: ["RTCTL_ENDPOINT": "h:5"]) == Endpoint(host: "h", port: 5))
        let option = try Rtctl.Listen.parse(["--endpoint", "ws://[::1]:7/x"])
        #expect(
            try option.client.endpoint(environment: ["RTCTL_ENDPOINT": "h:5"])
                == Endpoint(host: "::1", port: 7, path: "/x")
        )
        let argument = try Rtctl.Send.parse(["10.0.0.1:9", "--opcode", "1"])
        #expect(try argument.client.endpoint(environment: [:]) == Endpoint(host: "10.0.0.1", port: 9))
        #expect(throws: (any Error).self) { try Rtctl.Listen.parse(["a:1", "--endpoint", "b:2"]) }
        #expect(throws: (any Error).self) { try Rtctl.Listen.parse(["http://a:1"]) }
    }

    @Test("the player session id: flag, else RTCTL_PLAYER_SESSION_ID, else a generated one")
    func playerSessionId() throws {
        let flags = try Rtctl.Connect.parse([]).client
        #expect(flags.playerSessionId(environment: ["RTCTL_PLAYER_SESSION_ID": "bob"]) == "bob")
        #expect(flags.playerSessionId(environment: [:]).hasPrefix("rtctl-"))
        let given = try Rtctl.Connect.parse(["--player-session-id", "alice"]).client
        #expect(given.playerSessionId(environment: ["RTCTL_PLAYER_SESSION_ID": "bob"]) == "alice")
    }

    @Test("send builds one message from its flags; negative numbers are values")
    func sendMessage() throws {
        let send = try Rtctl.Send.parse(["--opcode", "10", "--to", "-1", "--reliable", "--payload-hex", "0aff"])
        #expect(
            try send.message()
                == OutgoingMessage(opCode: 10, targetPlayer: -1, reliable: true, payload: .bytes([0x0A, 0xFF]))
        )
        let broadcast = try Rtctl.Send.parse(["--opcode", "7", "--payload", "hi"])
        #expect(
            try broadcast.message() == OutgoingMessage(opCode: 7, targetGroup: -1, payload: .bytes(Array("hi".utf8)))
        )
        let rtData = try Rtctl.Send.parse(["--opcode", "1", "--group", "2", "--data", #"{"1":7}"#])
        #expect(try rtData.message() == OutgoingMessage(opCode: 1, targetGroup: 2, payload: .rtData([1: .number(7)])))
        #expect(try Rtctl.Send.parse([]).message() == nil)
    }

    @Test(
        "send refuses contradictory flags",
        arguments: [
            ["--payload", "x"], ["--opcode", "1", "--payload", "x", "--payload-hex", "00"],
            ["--opcode", "1", "--payload-base64", "!!"], ["--opcode", "1", "--data", #"{"1":1.5}"#],
            ["--repeat", "3"], ["--opcode", "1", "--repeat", "0"], ["--opcode", "1", "--payload-json", "{"],
        ]
    )
    func sendRefuses(_ arguments: [String]) {
        #expect(throws: (any Error).self) { try Rtctl.Send.parse(arguments) }
    }

    @Test("listen takes negative op codes and refuses groups 0 and -1")
    func listenFlags() throws {
        let listen = try Rtctl.Listen.parse(["--opcode", "-101", "--opcode", "10", "--join", "2", "--count", "5"])
        #expect(listen.opCodes == [-101, 10])
        #expect(listen.groups == [2])
        #expect(throws: (any Error).self) { try Rtctl.Listen.parse(["--join", "-1"]) }
        #expect(throws: (any Error).self) { try Rtctl.Listen.parse(["--count", "0"]) }
    }

    @Test("groups: the group first, the endpoint second, and -1 works without --")
    func groupsArguments() throws {
        let rewritten = Rtctl.Groups.rewritingNegativeGroup(["groups", "members", "-1", "h:1"])
        #expect(rewritten == ["groups", "members", "--group=-1", "h:1"])
        #expect(Rtctl.Groups.rewritingNegativeGroup(["groups", "members", "-q"]) == ["groups", "members", "-q"])
        let members = try Rtctl.Groups.Members.parse(Array(rewritten.dropFirst(2)))
        #expect(members.options.group == -1)
        #expect(try members.options.clientFlags.endpoint(environment: [:]) == Endpoint(host: "h", port: 1))
        let plain = try Rtctl.Groups.Members.parse(["2", "h:3"])
        #expect(plain.options.group == 2)
        #expect(try plain.options.clientFlags.endpoint(environment: [:]) == Endpoint(host: "h", port: 3))
        #expect(throws: (any Error).self) { try Rtctl.Groups.Members.parse([]) }
        #expect(throws: (any Error).self) { try Rtctl.Groups.Join.parse(["--group=-1"]) }
    }

    @Test(
        "durations",
        arguments: [
            ("250ms", Duration.milliseconds(250)), ("1.5s", .milliseconds(1500)), ("2", .seconds(2)),
            ("2m", .seconds(120)), ("1h", .seconds(3600)), ("500us", .microseconds(500)), ("0", .zero),
        ]
    )
    func durations(_ text: String, _ expected: Duration) throws {
        #expect(try #require(DurationArgument(argument: text)).duration == expected)
    }

    @Test("bad durations", arguments: ["", "s", "-1s", "1x", "1e3", "nan", "1.2.3s"])
    func badDurations(_ text: String) {
        #expect(DurationArgument(argument: text) == nil)
    }
}
