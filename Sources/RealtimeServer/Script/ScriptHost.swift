import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// How to run the server script.
public struct ScriptOptions: Sendable {
    /// The script file (GameLift `exports.ssExports` or GameSparks `RTSession`).
    public var scriptPath: String
    /// The Node.js executable (searched on `PATH` when it has no slash).
    public var node: String = "node"
    /// Launch arguments handed to `onProcessStarted(args)`.
    public var arguments: [String: String] = [:]
    /// How long a callback may take before the session is ended.
    public var hookTimeout: TimeAmount = .seconds(5)
    /// How often `onHealthCheck` runs.
    public var healthInterval: TimeAmount = .seconds(60)
    /// How long `onProcessTerminate` may take at shutdown.
    public var shutdownGrace: TimeAmount = .seconds(5)

    public init(scriptPath: String) {
        self.scriptPath = scriptPath
    }

    /// The oldest Node.js major version the script host supports.
    public static let minimumNodeMajorVersion = 18
}

/// What a script declared when it started.
public struct ScriptDescription: Sendable, Decodable {
    /// `gamelift` or `gamesparks`.
    public var kind: String
    /// The decision hooks it defines (`onPlayerConnect`, `onSendToGroup`, `onPacket`, …).
    public var hooks: [String]
    /// The notification callbacks it defines (`onPlayerAccepted`, `onMessage`, …).
    public var notify: [String]
    public var configuration: Configuration
    /// GameSparks: the op codes with an `onPacket` handler.
    public var opCodes: [Int32]?

    public struct Configuration: Sendable, Decodable {
        public var maxPlayers: Int?
        public var pingIntervalTime: Int?
    }
}

/// What the script asks of the server.
public enum ScriptRequest: Sendable {
    case send(
        opCode: Int32,
        sender: Int32,
        targetPlayer: Int32,
        targetGroup: Int32,
        reliable: Bool,
        payload: ByteBuffer
    )
    case broadcastMembership(group: Int32, targetGroup: Int32)
    /// `processEnding()` (code 0) or `process.exit(code)`.
    case end(code: Int32)
    /// The host reports that a callback has not settled within the hook timeout.
    case hung(hook: String)
    /// GameSparks: the op codes with an `onPacket` handler changed.
    case opCodes([Int32])
    /// The host process exited; `lastErrors` are its last stderr lines.
    case exited(status: Int32, lastErrors: [String])
}

/// The server's side of the script host: a Node.js child process running the embedded host program, and the
/// pipelined channel to it (`ScriptHost/BRIDGE.md`). Calls may overlap; each is answered by id.
final class ScriptHost: Sendable {
    let options: ScriptOptions
    let description: ScriptDescription
    private let inbox: BridgeInbox
    private let bridge: Channel
    private let process: ScriptProcess
    private let hostFile: String
    private let logger: Logger

    /// Starts Node.js on the host program, loads the script and runs `init`, `onProcessStarted` and
    /// `onStartGameSession`. Throws a ``ScriptError`` naming the fix when Node is missing or too old, or the script
    /// fails to start.
    static func start(
        options: ScriptOptions,
        gameSessionId: String,
        deferGameSession: Bool = false,
        group: any EventLoopGroup,
        logger: Logger,
        onRequest: @escaping @Sendable (ScriptRequest) -> Void
    ) async throws -> ScriptHost {
        try checkNodeVersion(options.node)
        guard FileManager.default.isReadableFile(atPath: options.scriptPath) else {
            throw ScriptError(.startFailed, "script \(options.scriptPath) not found or not readable")
        }
        let scriptPath = URL(fileURLWithPath: options.scriptPath).standardizedFileURL.path
        let hostFile = try writeHostProgram()
        let process: ScriptProcess
        do {
            process = try ScriptProcess.spawn(
                executable: options.node,
                arguments: [hostFile],
                environment: [
                    "RTCTL_SCRIPT": scriptPath,
                    "RTCTL_HOOK_TIMEOUT_MS": String(options.hookTimeout.nanoseconds / 1_000_000),
                ]
            )
        } catch {
            try? FileManager.default.removeItem(atPath: hostFile)
            throw error
        }
        let inbox = BridgeInbox(logger: logger, onRequest: onRequest)
        let bridge: any Channel
        // Descriptors not yet handed to a channel (a channel closes the ones it took).
        var notHandedOver = [process.toHost, process.fromHost, process.stdout, process.stderr]
        do {
            bridge = try await NIOPipeBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers(
                            ByteToMessageHandler(BridgeFrameDecoder()),
                            MessageToByteHandler(BridgeFrameEncoder()),
                            BridgeHandler(inbox: inbox)
                        )
                    }
                }
                .takingOwnershipOfDescriptors(input: process.fromHost, output: process.toHost)
                .get()
            notHandedOver.removeFirst(2)
            for (descriptor, isError) in [(process.stdout, false), (process.stderr, true)] {
                _ = try await NIOPipeBootstrap(group: group)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(
                                ScriptOutputHandler(inbox: inbox, isError: isError)
                            )
                        }
                    }
                    .takingOwnershipOfDescriptor(input: descriptor)
                    .get()
                notHandedOver.removeFirst()
            }
        } catch {
            process.kill()
            for fd in notHandedOver { close(fd) }
            _ = process.waitForExit()
            try? FileManager.default.removeItem(atPath: hostFile)
            throw ScriptError(.hostFailed, "cannot connect to the script host: \(error)")
        }
        // Reap the process when the bridge closes, and report its exit.
        bridge.closeFuture.whenComplete { _ in
            NIOThreadPool.singleton.submit { _ in
                let status = process.waitForExit()
                try? FileManager.default.removeItem(atPath: hostFile)
                inbox.hostExited(status: status)
            }
        }
        let description: ScriptDescription
        do {
            description = try await inbox.waitForReady {
                let start = StartHeader(
                    scriptPath: scriptPath,
                    args: options.arguments,
                    gameSessionId: gameSessionId,
                    deferGameSession: deferGameSession
                )
                bridge.writeAndFlush(try BridgeFrame(kind: .start, encoding: start), promise: nil)
            }
        } catch {
            process.kill()
            bridge.close(promise: nil)
            throw error
        }
        return ScriptHost(
            options: options,
            description: description,
            inbox: inbox,
            bridge: bridge,
            process: process,
            hostFile: hostFile,
            logger: logger
        )
    }

    private init(
        options: ScriptOptions,
        description: ScriptDescription,
        inbox: BridgeInbox,
        bridge: Channel,
        process: ScriptProcess,
        hostFile: String,
        logger: Logger
    ) {
        self.options = options
        self.description = description
        self.inbox = inbox
        self.bridge = bridge
        self.process = process
        self.hostFile = hostFile
        self.logger = logger
    }

    /// Asks a decision hook; true when the script allows. Throws ``ScriptError/Code/hookTimedOut`` when the hook
    /// does not answer within the hook timeout, ``ScriptError/Code/hostFailed`` when the host is gone.
    func call(
        _ hook: String,
        header: some Encodable & Sendable,
        payload: ByteBuffer = ByteBuffer()
    ) async throws -> Bool {
        let eventLoop = bridge.eventLoop
        let timeout = options.hookTimeout
        return try await inbox.call(hook: hook) { id in
            let frame = try BridgeFrame(
                kind: .call,
                id: id,
                encoding: CallHeader(hook: hook, body: header),
                payload: payload
            )
            bridge.writeAndFlush(frame, promise: nil)
            return eventLoop.scheduleTask(in: timeout) { [inbox] in inbox.timeOut(id) }
        }
    }

    /// Tells the script something; no answer.
    func notify(_ event: String, header: some Encodable & Sendable, payload: ByteBuffer = ByteBuffer()) {
        do {
            let frame = try BridgeFrame(
                kind: .notify,
                encoding: CallHeader(key: "event", hook: event, body: header),
                payload: payload
            )
            bridge.writeAndFlush(frame, promise: nil)
        } catch {
            logger.error("cannot encode \(event) for the script: \(error)")
        }
    }

    /// Acknowledges the script's `processEnding()`.
    func acknowledgeEnd() {
        bridge.writeAndFlush(BridgeFrame(kind: .ended), promise: nil)
    }

    /// Runs `onProcessTerminate` (GameSparks: `onSessionShutdown`), waiting at most the shutdown grace.
    func terminate() async {
        let grace = options.shutdownGrace
        let eventLoop = bridge.eventLoop
        await inbox.waitForTermination {
            bridge.writeAndFlush(
                try? BridgeFrame(kind: .notify, encoding: CallHeader(key: "event", hook: "terminate", body: Empty())),
                promise: nil
            )
            return eventLoop.scheduleTask(in: grace) { [inbox] in inbox.terminated() }
        }
    }

    /// Ends the host process: closes the channel (the host exits at end of input) and kills it if it lingers.
    func stop() async {
        bridge.close(promise: nil)
        let process = process
        // At end of input the host runs onProcessTerminate (if it has not yet): it gets the shutdown grace.
        let deadline = bridge.eventLoop.scheduleTask(in: options.shutdownGrace + .seconds(1)) { process.kill() }
        _ = await inbox.waitForExit()
        deadline.cancel()
    }

    /// Checks that `node` runs and is recent enough.
    private static func checkNodeVersion(_ node: String) throws {
        let version: String
        do {
            let probe = try ScriptProcess.spawn(executable: node, arguments: ["--version"], environment: [:])
            for fd in [probe.toHost, probe.fromHost, probe.stderr] { close(fd) }
            let output = FileHandle(fileDescriptor: probe.stdout, closeOnDealloc: true).readDataToEndOfFile()
            let status = probe.waitForExit()
            version = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard status == 0 else {
                throw ScriptError(.nodeMissing, "\(node) --version exited with status \(status)")
            }
        } catch let error as ScriptError where error.code == .nodeMissing {
            throw ScriptError(
                .nodeMissing,
                "Node.js is needed to run scripts but \(node) cannot run (\(error)); install Node.js \(ScriptOptions.minimumNodeMajorVersion) or newer (apt-get install nodejs) or pass --node PATH"
            )
        }
        let major = Int(version.dropFirst(version.hasPrefix("v") ? 1 : 0).prefix { $0.isNumber }) ?? 0
        guard major >= ScriptOptions.minimumNodeMajorVersion else {
            throw ScriptError(
                .nodeTooOld,
                "Node.js \(ScriptOptions.minimumNodeMajorVersion) or newer is needed; \(node) is \(version); install a newer Node.js or pass --node PATH"
            )
        }
    }

    /// Writes the embedded host program to a private temporary file and returns its path.
    private static func writeHostProgram() throws -> String {
        var template = Array((NSTemporaryDirectory() + "/rtctl-script-host-XXXXXX.js").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, 3) }
        guard fd >= 0 else { throw ScriptError(.hostFailed, "cannot create a temporary file for the script host") }
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        handle.write(Data(ScriptHostSource.javascript.utf8))
        return path
    }
}

struct Empty: Codable, Sendable {}

/// A `call` or `notify` header: the hook (or event) name and its arguments, in one JSON object.
struct CallHeader<Body: Encodable & Sendable>: Encodable, Sendable {
    /// `hook` for a call, `event` for a notification.
    var key = "hook"
    var hook: String
    var body: Body

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        try container.encode(hook, forKey: DynamicKey(key))
        try body.encode(to: encoder)
    }
}

struct DynamicKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { self.stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

struct StartHeader: Encodable, Sendable {
    var scriptPath: String
    var args: [String: String]
    var gameSessionId: String
    /// A fleet manager starts the game session later (the `startGameSession` call): skip `onStartGameSession`.
    var deferGameSession: Bool
    var serverId: Int32 = -1
}
