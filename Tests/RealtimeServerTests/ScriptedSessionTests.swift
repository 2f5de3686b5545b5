import Foundation
import Logging
import NIOCore
import RealtimeClient
import RealtimeProtocol
import RealtimeServer
import RealtimeSession
import RealtimeTestSupport
import Testing

/// A server running a script, and what real clients observe (SCRIPTS.md).
struct ScriptedServer {
    let server: RealtimeServer
    let task: Task<Void, any Error>
    let endpoint: Endpoint

    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ScriptHostTests/fixtures")

    /// Starts a server on 127.0.0.1 running the script at `path` (see ``source(_:)`` for a script given as text).
    static func start(
        script path: String,
        logger: Logger = testLogger(),
        _ configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws -> ScriptedServer {
        let running = try await RunningServer.start(logger: logger) { configuration in
            configuration.script = ScriptOptions(scriptPath: path)
            configure(&configuration)
        }
        return ScriptedServer(
            server: running.server,
            task: running.task,
            endpoint: Endpoint(host: "127.0.0.1", port: running.address.tcpPort)
        )
    }

    static func source(_ text: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rtctl-scripted-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("game.js").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func connect(_ name: String, payload: String = "") async throws -> ScriptedPlayer {
        let client = try await RealtimeClient.connect(
            to: endpoint,
            options: ClientOptions(
                playerSessionId: name,
                connectPayload: ByteBuffer(string: payload),
                noUDP: true,
                connectTimeout: .seconds(20)
            )
        )
        return ScriptedPlayer(client: client)
    }

    /// Waits for the session to end by itself and returns the server's exit status.
    func ended() async throws -> Int32 {
        try await task.value
        return server.exitStatus
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }
}

/// A client with an iterator over its events.
final class ScriptedPlayer: @unchecked Sendable {
    let client: RealtimeClient
    var events: ClientEvents.AsyncIterator

    init(client: RealtimeClient) {
        self.client = client
        self.events = client.events.makeAsyncIterator()
    }

    var peerId: Int32 { client.peerId }

    /// The next message (skipping other events); nil when the connection ends first.
    func nextMessage() async -> Packet? {
        while let event = await events.next() {
            if case .message(let packet) = event { return packet }
            if case .disconnected = event { return nil }
        }
        return nil
    }

    /// The next message with this op code, skipping others.
    func message(_ opCode: Int32) async -> Packet? {
        while let packet = await nextMessage() {
            if packet.opCode.rawValue == opCode { return packet }
        }
        return nil
    }

    func membership(_ group: Int32) async throws -> [Int32]? {
        try await client.requestGroupMembership(group)
        while let event = await events.next() {
            if case .groupMembership(group, let players) = event { return players }
            if case .disconnected = event { return nil }
        }
        return nil
    }

    func disconnection() async -> (String, UInt16?)? {
        while let event = await events.next() {
            if case .disconnected(let reason, let code) = event { return (reason, code) }
        }
        return nil
    }

    func send(_ opCode: Int32, _ text: String = "", player: Int32 = 0, group: Int32 = 0) async throws {
        try await client.send(
            opCode: OpCode(opCode),
            payload: ByteBuffer(string: text),
            targetPlayer: player,
            targetGroup: group,
            reliable: true
        )
    }
}

extension Packet {
    var text: String { String(buffer: payload) }
}

@Suite("Scripted sessions: GameLift and GameSparks scripts driven by real clients", .timeLimit(.minutes(2)))
struct ScriptedSessionTests {
    @Test func gameLiftScriptDecidesAndReplies() async throws {
        let server = try await ScriptedServer.start(
            script: ScriptedServer.fixtures.appendingPathComponent("gamelift/game.js").path
        )
        // onPlayerConnect: a message sent while deciding arrives after the login result; then onPlayerAccepted,
        // which sees the player listed.
        let alice = try await server.connect("alice", payload: "hi")
        #expect(await alice.nextMessage()?.opCode == OpCode(900))
        let accepted = try #require(await alice.message(901))
        #expect(accepted.text.contains(#""listed":true"#))
        #expect(accepted.sender == -1)

        // A refusal by the script closes with 1008.
        await #expect(throws: RealtimeClientError(.loginRefused, "")) {
            _ = try await server.connect("mallory", payload: "deny")
        }

        let bob = try await server.connect("bob")
        _ = await bob.message(901)

        // onSendToPlayer filters op code 66; the next message shows 66 never arrived.
        try await alice.send(66, "filtered", player: bob.peerId)
        try await alice.send(67, "passed", player: bob.peerId)
        #expect(await bob.nextMessage()?.opCode == OpCode(67))

        // onSendToGroup filters the payload "blocked" (asynchronously); order per sender holds.
        try await alice.send(20, "blocked", group: -1)
        try await alice.send(21, "one", group: -1)
        try await alice.send(22, "two", group: -1)
        #expect(await bob.nextMessage()?.opCode == OpCode(21))
        #expect(await bob.nextMessage()?.opCode == OpCode(22))

        // onPlayerJoinGroup refuses group 13; onPlayerLeaveGroup refuses leaving 14.
        try await alice.client.joinGroup(13)
        try await alice.client.joinGroup(5)
        try await alice.client.joinGroup(14)
        try await alice.client.leaveGroup(14)
        #expect(try await alice.membership(13) == [])
        #expect(try await alice.membership(5) == [alice.peerId])
        #expect(try await alice.membership(14) == [alice.peerId])

        // onMessage: getPlayers().forEach((player, peerId) => sendMessage(...)) reaches everyone.
        try await alice.send(1, "", player: -1)
        let toAlice = try #require(await alice.message(101))
        let toBob = try #require(await bob.message(101))
        #expect(toAlice.text == "\(alice.peerId):alice")
        #expect(toBob.text == "\(bob.peerId):bob")
        #expect(toBob.sender == alice.peerId)

        // broadcastGroupMembershipUpdate(5, -1): every player gets group 5's members.
        try await alice.send(4, "", player: -1)
        var update: [Int32]?
        while let event = await bob.events.next() {
            if case .groupMembership(5, let players) = event {
                update = players
                break
            }
        }
        #expect(update == [alice.peerId])

        // onPlayerDisconnect runs while the leaving player is still listed.
        await bob.client.close()
        let left = try #require(await alice.message(902))
        #expect(left.text == #"{"left":\#(bob.peerId),"stillListed":true}"#)

        // processEnding() then process.exit(0): the session ends cleanly, status 0.
        try await alice.send(5, "", player: -1)
        let closed = await alice.disconnection()
        #expect(closed?.1 == 1001)
        #expect(try await server.ended() == 0)
    }

    @Test func gameSparksScriptForwardsFiltersAndRepliesWithRTData() async throws {
        let server = try await ScriptedServer.start(
            script: ScriptedServer.fixtures.appendingPathComponent("gamesparks/rtScript/game.js").path
        )
        let alice = try await server.connect("alice")
        // onPlayerConnect: 202 with the player count, the player id and the peer id (RTData).
        let hello = try #require(await alice.message(202))
        let helloData = try RTData(decoding: hello.payload)
        #expect(helloData[1] == .number(1))
        #expect(helloData[2] == .string("alice"))
        #expect(helloData[3] == .number(Int64(alice.peerId)))
        // newRequest() fails clearly and asynchronously: 201 says "error".
        let request = try #require(await alice.message(201))
        #expect(try RTData(decoding: request.payload)[1] == .string("error"))

        let bob = try await server.connect("bob")
        _ = await bob.message(201)

        // onPacket(10) forwards, onPacket(11) cancels, op code 9 has no handler and is forwarded.
        try await alice.send(11, "cancelled", player: bob.peerId)
        try await alice.send(10, "forwarded", player: bob.peerId)
        try await alice.send(9, "no handler", player: bob.peerId)
        #expect(await bob.nextMessage()?.text == "forwarded")
        #expect(await bob.nextMessage()?.text == "no handler")

        // onPacket(12): an RTData round trip, computed by the script.
        var data = RTData()
        data[1] = .number(21)
        data[2] = .string("hey")
        data[3] = .double(2.5)
        data[4] = .float(1.5)
        data[5] = .vector([1, 2, 3])
        var nested = RTData()
        nested[1] = .number(41)
        data[6] = .data(nested)
        var payload = ByteBuffer()
        try payload.writeRTData(data)
        try await alice.client.send(opCode: OpCode(12), payload: payload, targetPlayer: bob.peerId, reliable: true)
        let reply = try #require(await alice.message(112))
        let replied = try RTData(decoding: reply.payload)
        #expect(replied[1] == .number(42))
        #expect(replied[2] == .string("hey!"))
        #expect(replied[3] == .double(2.5))
        #expect(replied[4] == .float(1.5))
        #expect(replied[5] == .vector([1, 2, 3]))
        #expect(replied[7] == .string("200"))
        #expect(replied[9] == .number(-123_456_789_012))
        if case .data(let inner) = replied[6] {
            #expect(inner[1] == .number(42))
        } else {
            Issue.record("slot 6 is not nested data: \(String(describing: replied[6]))")
        }

        // A handler registered late (kind 110) takes effect.
        try await alice.send(15, "", player: bob.peerId)
        #expect(await bob.nextMessage()?.opCode == OpCode(15))

        // onPlayerDisconnect: the others get 203 with the peer id.
        await bob.client.close()
        let gone = try #require(await alice.message(203))
        #expect(try RTData(decoding: gone.payload)[1] == .number(Int64(bob.peerId)))
        await server.stop()
        #expect(server.server.exitStatus == 0)
    }

    @Test func processExitWithAStatusEndsTheSessionWithIt() async throws {
        let server = try await ScriptedServer.start(
            script: try ScriptedServer.source(
                """
                exports.ssExports = { init() {}, onMessage(message) { process.exit(3); } };
                """
            )
        )
        let alice = try await server.connect("alice")
        try await alice.send(1, "", player: -1)
        #expect(await alice.disconnection()?.1 == 1001)
        #expect(try await server.ended() == 3)
    }

    @Test func throwingAndRejectingHooksFailClosedAndTheRelayStaysUp() async throws {
        let server = try await ScriptedServer.start(
            script: try ScriptedServer.source(
                """
                exports.ssExports = {
                    init() {},
                    onPlayerConnect(connectMsg) {
                        if (connectMsg.player.playerSessionId === "throw") throw new Error("boom");
                        return true;
                    },
                    async onSendToPlayer(message) {
                        if (message.opCode === 2) throw new Error("rejected");
                        return true;
                    },
                };
                """
            )
        )
        await #expect(throws: RealtimeClientError(.loginRefused, "")) {
            _ = try await server.connect("throw")
        }
        let alice = try await server.connect("alice")
        let bob = try await server.connect("bob")
        try await alice.send(2, "rejected promise", player: bob.peerId)
        try await alice.send(3, "delivered", player: bob.peerId)
        #expect(await bob.nextMessage()?.opCode == OpCode(3))
        await server.stop()
    }

    @Test func processExitZeroWithAHookInFlightStillExitsZero() async throws {
        let server = try await ScriptedServer.start(
            script: try ScriptedServer.source(
                """
                exports.ssExports = {
                    init() {},
                    async onSendToPlayer(message) { await new Promise((r) => setTimeout(r, 1500)); return true; },
                    onMessage(message) { process.exit(0); },
                };
                """
            )
        )
        let alice = try await server.connect("alice")
        let bob = try await server.connect("bob")
        try await alice.send(5, "slow", player: bob.peerId)
        try await bob.send(1, "", player: -1)
        #expect(try await server.ended() == 0)
    }

    @Test func aHookInAnInfiniteLoopEndsTheSessionWithAFailure() async throws {
        let server = try await ScriptedServer.start(
            script: try ScriptedServer.source(
                """
                exports.ssExports = {
                    init() {},
                    onSendToPlayer(message) { if (message.opCode === 9) { for (;;) {} } return true; },
                };
                """
            )
        ) { $0.script?.hookTimeout = .milliseconds(500) }
        let alice = try await server.connect("alice")
        let bob = try await server.connect("bob")
        try await alice.send(9, "loop", player: bob.peerId)
        #expect(await bob.disconnection()?.1 == 1001)
        #expect(try await server.ended() == 1)
    }

    @Test func aScriptThatFailsToStartIsAClearError() async throws {
        for (source, expected) in [
            ("exports.ssExports = { init( };", "SyntaxError"),
            ("exports.ssExports = { onPlayerConnect() { return true; } };", "init"),
            ("require('some-module-that-is-not-installed'); exports.ssExports = { init() {} };", "npm install"),
            ("exports.ssExports = { init() { return new Promise(() => {}); } };", "init did not return"),
        ] {
            do {
                let server = try await ScriptedServer.start(script: try ScriptedServer.source(source)) {
                    $0.script?.hookTimeout = .milliseconds(500)
                }
                await server.stop()
                Issue.record("the server started with a broken script: \(source)")
            } catch let error as ScriptError {
                #expect(error.code == .startFailed)
                #expect(error.description.contains(expected), "\(error)")
            }
        }
    }

    @Test func onHealthCheckRunsEveryHealthInterval() async throws {
        let server = try await ScriptedServer.start(
            script: try ScriptedServer.source(
                """
                let session, calls = 0;
                exports.ssExports = {
                    init(s) { session = s; },
                    onHealthCheck() { calls++; return calls % 2 === 0; },
                    onMessage(m) {
                        session.sendReliableMessage(session.newTextGameMessage(50, -1, String(calls)), m.sender);
                    },
                };
                """
            )
        ) { $0.script?.healthInterval = .milliseconds(50) }
        let alice = try await server.connect("alice")
        var calls = 0
        let deadline = ContinuousClock.now + .seconds(20)
        while calls < 3, ContinuousClock.now < deadline {
            try await alice.send(1, "", player: -1)
            calls = Int(try #require(await alice.message(50)).text) ?? 0
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(calls >= 3)
        await server.stop()
    }

    /// A server whose script's `onSendToGroup` refuses op code 13 and allows the rest.
    private func refusingThirteen(
        logger: Logger,
        _ configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws -> ScriptedServer {
        try await ScriptedServer.start(
            script: try ScriptedServer.source(
                "exports.ssExports = { init() {}, onSendToGroup(message) { return message.opCode !== 13; } };"
            ),
            logger: logger,
            configure
        )
    }

    /// With a script the session has an event loop of its own, and the connections share the `threads` loops: the
    /// hooked relays of players spread over those loops keep each sender's order.
    @Test func withAScriptTheSessionHasALoopOfItsOwn() async throws {
        let capture = LogCapture()
        let server = try await refusingThirteen(logger: capture.logger())
        let players = [
            try await server.connect("a"), try await server.connect("b"), try await server.connect("c"),
        ]
        #expect(capture.contains("eventLoops=2 for connections, the session on one of its own"))
        for player in players {
            for index in 0..<40 { try await player.send(index % 20 == 13 ? 13 : 7, "\(index)", group: -1) }
        }
        // Every player receives every other's relays and its own (the group is all players), in each sender's order.
        let expected = (0..<40).filter { $0 % 20 != 13 }.map(String.init)
        for receiver in players {
            var seen: [Int32: [String]] = [:]
            for _ in 0..<(3 * expected.count) {
                let packet = try #require(await receiver.nextMessage())
                #expect(packet.opCode == OpCode(7))
                seen[packet.sender, default: []].append(packet.text)
            }
            #expect(seen.count == 3 && seen.values.allSatisfy { $0 == expected })
        }
        await server.stop()
    }

    /// `--session-loop shared` keeps a scripted session on the connections' first loop (a script asked about no
    /// messages loses no headroom to a thread of its own); hooks still decide.
    @Test func aScriptedSessionCanShareItsLoop() async throws {
        let capture = LogCapture()
        let server = try await refusingThirteen(logger: capture.logger()) { $0.sessionLoop = .shared }
        #expect(capture.contains("eventLoops=2 for connections, the session on the first"))
        let (alice, bob) = (try await server.connect("alice"), try await server.connect("bob"))
        try await alice.send(13, "refused", group: -1)
        try await alice.send(7, "allowed", group: -1)
        #expect(await bob.nextMessage()?.text == "allowed")
        await server.stop()
    }

    @Test func theScriptsConfigurationAppliesUnlessTheCommandLineSaysOtherwise() async throws {
        let script = try ScriptedServer.source(
            "exports.ssExports = { configuration: { maxPlayers: 1 }, init() {} };"
        )
        let limited = try await ScriptedServer.start(script: script)
        let first = try await limited.connect("first")
        await #expect(throws: RealtimeClientError(.loginRefused, "")) {
            _ = try await limited.connect("second")
        }
        #expect(first.peerId == 1)
        await limited.stop()

        let overridden = try await ScriptedServer.start(script: script) {
            $0.session.maxPlayers = 2
            $0.explicitSettings.insert(.maxPlayers)
        }
        let one = try await overridden.connect("first")
        let two = try await overridden.connect("second")
        #expect([one.peerId, two.peerId] == [1, 2])
        await overridden.stop()
    }
}
