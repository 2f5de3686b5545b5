import DequeModule
import Logging
import NIOCore

/// The state of the channel to the script host, on the channel's event loop (the session's): calls awaiting an
/// answer, the waits for the start, the termination and the exit, and the host's last stderr lines. No lock: every
/// access happens on that loop.
struct BridgeState {
    /// How a call ends: with the script's answer, or with a failure (timed out, host gone).
    typealias Completion = (Result<Bool, ScriptError>) -> Void

    struct Call {
        var hook: String
        var sentAt: NIODeadline
        var completion: Completion
    }

    private var nextId: UInt32 = 1
    private var calls: [UInt32: Call] = [:]
    /// Call ids, oldest first; answered ones are skipped when they reach the front.
    private var order: Deque<UInt32> = []
    var ready: EventLoopPromise<ScriptDescription>?
    var termination: (promise: EventLoopPromise<Void>, deadline: Scheduled<Void>)?
    private(set) var exitStatus: Int32?
    private var exitWaiters: [EventLoopPromise<Int32>] = []
    private(set) var lastErrors: Deque<String> = []
    /// Frames written since the last flush, encoded one after the other: a flush sends them with one write.
    var outbound = ByteBuffer()

    /// How many of the host's stderr lines are kept for the log when it dies.
    static let keptErrorLines = 20

    var hasExited: Bool { exitStatus != nil }

    /// Registers a call and returns its id; nil when the host is gone (the completion is not kept).
    mutating func register(hook: String, at now: NIODeadline, completion: @escaping Completion) -> UInt32? {
        guard exitStatus == nil else { return nil }
        let id = nextId
        nextId &+= 1
        if nextId == 0 { nextId = 1 }
        calls[id] = Call(hook: hook, sentAt: now, completion: completion)
        order.append(id)
        return id
    }

    /// The answer to call `id`: its completion, to be called with the value.
    mutating func answered(_ id: UInt32) -> Completion? {
        calls.removeValue(forKey: id)?.completion
    }

    /// The oldest call still waiting, if it was sent before `deadline`: it ran out of time and is forgotten.
    mutating func expired(before deadline: NIODeadline) -> Call? {
        while let id = order.first {
            guard let call = calls[id] else {
                order.removeFirst()
                continue
            }
            guard call.sentAt < deadline else { return nil }
            order.removeFirst()
            calls[id] = nil
            return call
        }
        return nil
    }

    mutating func keepErrorLine(_ line: String) {
        lastErrors.append(line)
        if lastErrors.count > Self.keptErrorLines { lastErrors.removeFirst() }
    }

    /// Waits for the exit status; at once when the host has exited.
    mutating func waitForExit(_ promise: EventLoopPromise<Int32>) {
        if let exitStatus { promise.succeed(exitStatus) } else { exitWaiters.append(promise) }
    }

    /// The host exited: everything that waited for it is returned, to be released.
    mutating func exited(status: Int32) -> (calls: [Call], exitWaiters: [EventLoopPromise<Int32>]) {
        exitStatus = status
        defer {
            calls = [:]
            order = []
            exitWaiters = []
        }
        return (order.compactMap { calls[$0] }, exitWaiters)
    }

    /// What a start failure says: the host's last stderr lines.
    func startFailure(status: Int32? = nil) -> String {
        let exit = status.map { " (exit status \($0))" } ?? ""
        return "the script host exited before the script started\(exit)"
            + (lastErrors.isEmpty ? "" : ":\n" + lastErrors.joined(separator: "\n"))
    }
}

/// Reads the host's frames from the pipe and hands them to the server, in order: every whole frame of a read at once,
/// as slices of the bytes read; a frame cut by the end of a read waits for the rest.
final class BridgeHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let received: (BridgeFrame) throws -> Void
    private let failed: (any Error) -> Void
    /// The start of a frame that has not wholly arrived, alone in its buffer.
    private var partial: ByteBuffer?

    /// `received` gets each frame; `failed` the error that broke the bridge (a malformed frame, or one `received`
    /// could not take), after which the channel closes.
    init(received: @escaping (BridgeFrame) throws -> Void, failed: @escaping (any Error) -> Void) {
        self.received = received
        self.failed = failed
    }

    /// The bytes held for a frame that has not wholly arrived (tests).
    var heldCapacity: Int { partial?.capacity ?? 0 }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = Self.unwrapInboundIn(data)
        if var partial {
            self.partial = nil
            partial.writeBuffer(&bytes)
            bytes = partial
        }
        do {
            while let frame = try bytes.readBridgeFrame() {
                try received(frame)
            }
        } catch {
            // A malformed frame from our own host is a bug: the channel breaks and the host is reported dead.
            failed(error)
            context.fireErrorCaught(error)
            context.close(promise: nil)
            return
        }
        guard bytes.readableBytes > 0 else { return }
        // Only the cut frame is kept: the frames before it are read, and the next read is appended to it alone.
        bytes.discardReadBytes()
        partial = bytes
    }
}

/// Splits the host's stdout or stderr into lines for the log.
final class ScriptOutputHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let output: (String) -> Void
    private var partial = ByteBuffer()

    init(output: @escaping (String) -> Void) {
        self.output = output
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = Self.unwrapInboundIn(data)
        partial.writeBuffer(&buffer)
        while let newline = partial.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let line = partial.readString(length: newline - partial.readerIndex)!
            partial.moveReaderIndex(forwardBy: 1)
            output(line)
        }
        partial.discardReadBytes()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if partial.readableBytes > 0, let line = partial.readString(length: partial.readableBytes) {
            output(line)
        }
        context.fireChannelInactive()
    }
}
