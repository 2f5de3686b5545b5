import Atomics
import Foundation
import Logging
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
/// pipelined channel to it (`ScriptHost/BRIDGE.md`).
///
/// The channel lives on one event loop, the session's, and so does everything this object keeps (``BridgeState``):
/// the session asks its questions and gets their answers on its own thread, with no task, lock or hop per call, and
/// the frames written in one turn of the loop leave in one write (``flush()``).
final class ScriptHost: Sendable {
    let options: ScriptOptions
    let description: ScriptDescription
    let loop: any EventLoop
    private let state: NIOLoopBoundBox<BridgeState>
    private let bridge: any Channel
    private let process: ScriptProcess
    private let logger: Logger

    /// Starts Node.js on the host program, on `loop`, loads the script and runs `init`, `onProcessStarted` and
    /// `onStartGameSession`. Throws a ``ScriptError`` naming the fix when Node is missing or too old, or the script
    /// fails to start. `onRequest` gets the script's requests on `loop`, in the order the script made them, before
    /// any later answer is carried out.
    static func start(
        options: ScriptOptions,
        gameSessionId: String,
        deferGameSession: Bool = false,
        loop: any EventLoop,
        logger: Logger,
        onRequest: @escaping @Sendable (ScriptRequest) -> Void
    ) async throws -> ScriptHost {
        try checkNodeVersion(options.node)
        guard FileManager.default.isReadableFile(atPath: options.scriptPath) else {
            throw ScriptError(.startFailed, "script \(options.scriptPath) not found or not readable")
        }
        let scriptPath = URL(fileURLWithPath: options.scriptPath).standardizedFileURL.path
        let hostFile = HostProgramFile(path: try writeHostProgram())
        let process: ScriptProcess
        do {
            process = try ScriptProcess.spawn(
                executable: options.node,
                arguments: [hostFile.path],
                environment: [
                    "RTCTL_SCRIPT": scriptPath,
                    "RTCTL_HOOK_TIMEOUT_MS": String(options.hookTimeout.nanoseconds / 1_000_000),
                ]
            )
        } catch {
            hostFile.remove()
            throw error
        }
        let state = try await loop.submit { NIOLoopBoundBox(BridgeState(), eventLoop: loop) }.get()
        let frames = FrameReceiver(state: state, logger: logger, onRequest: onRequest)
        let bridge: any Channel
        // Descriptors not yet handed to a channel (a channel closes the ones it took).
        var notHandedOver = [process.toHost, process.fromHost, process.stdout, process.stderr]
        do {
            bridge = try await NIOPipeBootstrap(group: loop)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            BridgeHandler(received: frames.received, failed: frames.failed)
                        )
                    }
                }
                .takingOwnershipOfDescriptors(input: process.fromHost, output: process.toHost)
                .get()
            notHandedOver.removeFirst(2)
            for (descriptor, isError) in [(process.stdout, false), (process.stderr, true)] {
                _ = try await NIOPipeBootstrap(group: loop)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(
                                ScriptOutputHandler { frames.output($0, isError: isError) }
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
            hostFile.remove()
            throw ScriptError(.hostFailed, "cannot connect to the script host: \(error)")
        }
        // Reap the process when the bridge closes, and report its exit.
        bridge.closeFuture.whenComplete { _ in
            NIOThreadPool.singleton.submit { _ in
                let status = process.waitForExit()
                hostFile.remove()
                loop.execute { frames.hostExited(status: status) }
            }
        }
        let description: ScriptDescription
        do {
            description = try await loop.flatSubmit {
                let promise = loop.makePromise(of: ScriptDescription.self)
                if state.value.hasExited {
                    promise.fail(ScriptError(.startFailed, state.value.startFailure()))
                } else {
                    state.value.ready = promise
                    let start = StartHeader(
                        scriptPath: scriptPath,
                        args: options.arguments,
                        gameSessionId: gameSessionId,
                        deferGameSession: deferGameSession
                    )
                    do {
                        var frame = ByteBuffer()
                        frame.writeBridgeFrame(try BridgeFrame(kind: .start, encoding: start))
                        bridge.writeAndFlush(frame, promise: nil)
                    } catch {
                        state.value.ready = nil
                        promise.fail(error)
                    }
                }
                return promise.futureResult
            }.get()
        } catch {
            process.kill()
            bridge.close(promise: nil)
            // Wait until the process is reaped and its exit reported on the loop: the loop may be shut down next.
            _ = try? await loop.flatSubmit {
                let promise = loop.makePromise(of: Int32.self)
                state.value.waitForExit(promise)
                return promise.futureResult
            }.get()
            throw error
        }
        // Node has read the program by the time it answers: a server killed from now on leaves no file behind.
        hostFile.remove()
        let host = ScriptHost(
            options: options,
            description: description,
            loop: loop,
            state: state,
            bridge: bridge,
            process: process,
            logger: logger
        )
        try await loop.submit { host.sweepTimeouts() }.get()
        return host
    }

    private init(
        options: ScriptOptions,
        description: ScriptDescription,
        loop: any EventLoop,
        state: NIOLoopBoundBox<BridgeState>,
        bridge: any Channel,
        process: ScriptProcess,
        logger: Logger
    ) {
        self.options = options
        self.description = description
        self.loop = loop
        self.state = state
        self.bridge = bridge
        self.process = process
        self.logger = logger
    }

    // MARK: - On the loop

    /// Asks a hook (on the loop); `completion` gets the answer, or a ``ScriptError`` (``ScriptError/Code/hookTimedOut``
    /// when it does not come within the hook timeout, ``ScriptError/Code/hostFailed`` when the host is gone), on the
    /// loop. The frame leaves with the next ``flush()``; its JSON header is written straight into the frames waiting
    /// for it.
    func call(
        _ hook: String,
        header: some BridgeHeader,
        payload: ByteBuffer = ByteBuffer(),
        completion: @escaping BridgeState.Completion
    ) {
        guard let id = state.value.register(hook: hook, at: .now(), completion: completion) else {
            return completion(.failure(ScriptError(.hostFailed, "the script host is not running")))
        }
        write(kind: .call, id: id, header: header, payload: payload)
    }

    /// Tells the script something; no answer. On the loop the frame leaves with the next ``flush()``; from elsewhere
    /// it is sent at once.
    func notify(_ event: String, header: some Encodable & Sendable, payload: ByteBuffer = ByteBuffer()) {
        let json: ByteBuffer
        do {
            json = ByteBuffer(bytes: try JSONEncoder().encode(CallHeader(key: "event", hook: event, body: header)))
        } catch {
            return logger.error("cannot encode \(event) for the script: \(error)")
        }
        notify(header: json, payload: payload)
    }

    /// Tells the script something whose JSON header is `{"event":…,…}`. On the loop (a player's message to the
    /// server, with `onMessage`: once per message) the header is written straight into the frames waiting for the
    /// next ``flush()``; from elsewhere it is written out first and sent at once.
    func notify(header: some BridgeHeader, payload: ByteBuffer = ByteBuffer()) {
        guard loop.inEventLoop else {
            var buffer = ByteBuffer()
            header.write(into: &buffer)
            let written = buffer
            return loop.execute {
                self.write(kind: .notify, id: 0, header: written, payload: payload)
                self.flush()
            }
        }
        write(kind: .notify, id: 0, header: header, payload: payload)
    }

    /// Sends the frames written since the last flush, in one write (on the loop).
    func flush() {
        guard state.value.outbound.readableBytes > 0 else { return }
        bridge.writeAndFlush(state.value.outbound, promise: nil)
        // The storage is reused when the pipe took the bytes at once (the usual case; else the next frame gets new
        // storage), unless a burst made it large: a full pipe would then hold one mostly empty block per flush.
        if state.value.outbound.capacity > Self.reusedCapacity {
            state.value.outbound = ByteBuffer()
        } else {
            state.value.outbound.clear()
        }
    }

    /// The largest buffer of outgoing frames kept from one flush to the next.
    private static let reusedCapacity = 64 * 1024

    private func write(kind: BridgeFrame.Kind, id: UInt32, header: some BridgeHeader, payload: ByteBuffer) {
        state.value.outbound.writeBridgeFrame(kind: kind, id: id, payload: payload) { header.write(into: &$0) }
    }

    /// Every so often, the oldest unanswered call is checked against the hook timeout: a callback that never returns
    /// (an infinite loop stops Node from even reporting it) fails its call.
    private func sweepTimeouts() {
        let timeout = options.hookTimeout
        let interval = TimeAmount.nanoseconds(max(timeout.nanoseconds / 4, 1_000_000))
        let state = self.state
        loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { task in
            guard !state.value.hasExited else { return task.cancel() }
            while let call = state.value.expired(before: NIODeadline.now() - timeout) {
                call.completion(
                    .failure(ScriptError(.hookTimedOut, "script callback \(call.hook) did not return in time"))
                )
            }
        }
    }

    // MARK: - From anywhere

    /// Asks a hook and waits for the answer (health checks; the session asks on the loop).
    func call(
        _ hook: String,
        header: some Encodable & Sendable,
        payload: ByteBuffer = ByteBuffer()
    ) async throws -> Bool {
        let header = ByteBuffer(bytes: try JSONEncoder().encode(CallHeader(hook: hook, body: header)))
        return try await loop.flatSubmit {
            let promise = self.loop.makePromise(of: Bool.self)
            self.call(hook, header: header, payload: payload) { promise.completeWith($0.mapError { $0 }) }
            self.flush()
            return promise.futureResult
        }.get()
    }

    /// Acknowledges the script's `processEnding()`.
    func acknowledgeEnd() {
        loop.execute {
            self.write(kind: .ended, id: 0, header: ByteBuffer(), payload: ByteBuffer())
            self.flush()
        }
    }

    /// Runs `onProcessTerminate` (GameSparks: `onSessionShutdown`), waiting at most the shutdown grace.
    func terminate() async {
        let grace = options.shutdownGrace
        try? await loop.flatSubmit {
            let promise = self.loop.makePromise(of: Void.self)
            guard !self.state.value.hasExited, self.state.value.termination == nil else {
                promise.succeed()
                return promise.futureResult
            }
            let deadline = self.loop.scheduleTask(in: grace) { [state = self.state] in
                state.value.termination?.promise.succeed()
                state.value.termination = nil
            }
            self.state.value.termination = (promise, deadline)
            self.notify("terminate", header: Empty())
            self.flush()
            return promise.futureResult
        }.get()
    }

    /// Ends the host process: closes the channel (the host exits at end of input) and kills it if it lingers.
    func stop() async {
        bridge.close(promise: nil)
        let process = process
        // At end of input the host runs onProcessTerminate (if it has not yet): it gets the shutdown grace.
        let deadline = loop.scheduleTask(in: options.shutdownGrace + .seconds(1)) { process.kill() }
        _ = try? await loop.flatSubmit {
            let promise = self.loop.makePromise(of: Int32.self)
            self.state.value.waitForExit(promise)
            return promise.futureResult
        }.get()
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

/// The script host's program in a temporary file, removed once: after Node has read it, or when the host failed or
/// exited, whichever comes first (a second removal could delete another start's file of the same name).
final class HostProgramFile: Sendable {
    let path: String
    private let removed = ManagedAtomic(false)

    init(path: String) { self.path = path }

    func remove() {
        guard !removed.exchange(true, ordering: .relaxed) else { return }
        try? FileManager.default.removeItem(atPath: path)
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
