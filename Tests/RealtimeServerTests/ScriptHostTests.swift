import Foundation
import Logging
import NIOCore
import NIOPosix
import Testing

@testable import RealtimeServer

/// The server's side of the script bridge against the real host program on a real Node.js.
@Suite(.timeLimit(.minutes(2))) struct ScriptHostTests {
    struct Player: Codable, Sendable {
        var peerId: Int32
        var playerSessionId: String
    }

    struct ConnectCall: Codable, Sendable {
        var player: Player
    }

    struct MessageNotice: Codable, Sendable {
        var opCode: Int32
        var sender: Int32
        var targetPlayer: Int32
        var targetGroup: Int32
        var reliable: Bool
    }

    static func writeScript(_ source: String, name: String = "game.js") throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rtctl-script-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent(name).path
        try source.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Starts a script; its requests arrive on the returned stream.
    static func start(
        _ source: String,
        configure: (inout ScriptOptions) -> Void = { _ in }
    ) async throws -> (ScriptHost, AsyncStream<ScriptRequest>) {
        var options = ScriptOptions(scriptPath: try writeScript(source))
        configure(&options)
        let (requests, sink) = AsyncStream.makeStream(of: ScriptRequest.self)
        let host = try await ScriptHost.start(
            options: options,
            gameSessionId: "gsess-test",
            loop: MultiThreadedEventLoopGroup.singleton.next(),
            logger: Logger(label: "test")
        ) { request in
            sink.yield(request)
            if case .exited = request { sink.finish() }
        }
        return (host, requests)
    }

    static let gameLiftScript = """
        let session;
        exports.ssExports = {
            configuration: { maxPlayers: 7, pingIntervalTime: 500 },
            init(rtSession) { session = rtSession; },
            onPlayerConnect(connectMsg) { return connectMsg.player.playerSessionId !== "banned"; },
            onSendToGroup(message) { return message.getPayloadAsText() !== "block"; },
            onMessage(message) {
                session.sendReliableMessage(
                    session.newTextGameMessage(message.opCode + 1, session.getServerId(), "echo " + message.getPayloadAsText()),
                    message.sender);
            },
        };
        """

    @Test func startsAGameLiftScriptAndAnswersItsHooks() async throws {
        let (host, requests) = try await Self.start(Self.gameLiftScript)
        #expect(host.description.kind == "gamelift")
        #expect(Set(host.description.hooks).isSuperset(of: ["onPlayerConnect", "onSendToGroup"]))
        #expect(host.description.configuration.maxPlayers == 7)
        #expect(host.description.configuration.pingIntervalTime == 500)

        let allowed = try await host.call(
            "onPlayerConnect",
            header: ConnectCall(player: Player(peerId: 1, playerSessionId: "ok"))
        )
        let refused = try await host.call(
            "onPlayerConnect",
            header: ConnectCall(player: Player(peerId: 2, playerSessionId: "banned"))
        )
        #expect(allowed && !refused)

        // Many calls in flight at once, each answered by its own id.
        let message = MessageNotice(opCode: 5, sender: 1, targetPlayer: 0, targetGroup: -1, reliable: true)
        let answers = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
            for index in 0..<200 {
                group.addTask {
                    let text = index % 3 == 0 ? "block" : "pass \(index)"
                    return (
                        index, try await host.call("onSendToGroup", header: message, payload: ByteBuffer(string: text))
                    )
                }
            }
            return try await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        #expect(answers.count == 200)
        #expect(answers.allSatisfy { $0.value == ($0.key % 3 != 0) })

        // A message to the server: onMessage replies through rtSession.sendReliableMessage.
        host.notify("message", header: message, payload: ByteBuffer(string: "hello"))
        var iterator = requests.makeAsyncIterator()
        guard case .send(let opCode, let sender, let targetPlayer, _, let reliable, let payload) = await iterator.next()
        else {
            Issue.record("expected a send request")
            return
        }
        #expect(opCode == 6 && sender == -1 && targetPlayer == 1 && reliable)
        #expect(String(buffer: payload) == "echo hello")
        await host.stop()
    }

    @Test func aMissingNodeIsNamedWithTheFix() async throws {
        await #expect(throws: ScriptError(.nodeMissing, "")) {
            _ = try await Self.start(Self.gameLiftScript) { $0.node = "/nonexistent/node" }.0
        }
    }

    @Test func aSyntaxErrorFailsTheStartWithTheScriptsMessage() async throws {
        do {
            _ = try await Self.start("exports.ssExports = { init( {} };")
            Issue.record("the start should fail")
        } catch let error as ScriptError {
            #expect(error.code == .startFailed)
            #expect(error.description.contains("SyntaxError"))
        }
    }

    @Test func processExitEndsWithItsStatus() async throws {
        let (host, requests) = try await Self.start(
            """
            exports.ssExports = {
                init() {},
                onMessage() { process.exit(3); },
            };
            """
        )
        host.notify(
            "message",
            header: MessageNotice(opCode: 1, sender: 1, targetPlayer: -1, targetGroup: 0, reliable: true)
        )
        var ends: [Int32] = []
        var exitStatus: Int32?
        for await request in requests {
            switch request {
            case .end(let code): ends.append(code)
            case .exited(let status, _): exitStatus = status
            default: break
            }
        }
        #expect(ends == [3])
        #expect(exitStatus == 3)
    }

    @Test func aHungHookTimesOut() async throws {
        let (host, _) = try await Self.start(
            """
            exports.ssExports = {
                init() {},
                onPlayerConnect() { return new Promise(() => {}); },
            };
            """
        ) { $0.hookTimeout = .milliseconds(300) }
        await #expect(throws: ScriptError(.hookTimedOut, "")) {
            _ = try await host.call(
                "onPlayerConnect",
                header: ConnectCall(player: Player(peerId: 1, playerSessionId: ""))
            )
        }
        await host.stop()
    }

    /// The host program's own tests (Tests/ScriptHostTests, `node --test`): every API of SCRIPTS.md through the bridge.
    @Test func theHostProgramsOwnTestsPass() throws {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["node", "--test", "Tests/ScriptHostTests/"]
        process.currentDirectoryURL = root
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "node --test Tests/ScriptHostTests/ failed:\n\(text)")
    }

    @Test func theEmbeddedHostIsTheHostProgram() throws {
        let source = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/RealtimeServer/ScriptHost/host.js")
        let text = try String(contentsOf: source, encoding: .utf8)
        #expect(
            text == ScriptHostSource.javascript + "\n",
            "ScriptHostSource.swift is stale: run scripts/generate-script-host"
        )
    }
}
