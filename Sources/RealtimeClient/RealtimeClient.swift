import Logging
import NIOCore
import RealtimeProtocol
import RealtimeSession

/// One player's connection to a Realtime server (PROTOCOL.md): the WebSocket for login and reliable messages, UDP
/// for fast messages once the association is up, exactly as the official client SDK does it.
///
/// ```swift
/// let client = try await RealtimeClient.connect(to: Endpoint(parsing: "127.0.0.1:1900"),
///                                               options: ClientOptions(playerSessionId: "p1"))
/// try await client.send(opCode: OpCode(10), payload: ByteBuffer(string: "hi"), targetGroup: -1)
/// for await event in client.events { … }
/// ```
///
/// Every method may be called from any task. A caller already running on ``eventLoop`` (for instance a load
/// generator scheduling its sends there) skips the hop to it.
public final class RealtimeClient: Sendable {
    /// Everything that happens, in order: `.connected` first, `.disconnected` last. One consumer only. When the
    /// consumer falls behind by ``ClientOptions/eventBufferSize`` events the client stops reading its sockets until
    /// it catches up.
    public let events: ClientEvents
    /// The loop both sockets of this client live on.
    public let eventLoop: any EventLoop
    /// The peer id the server gave this player.
    public let peerId: Int32
    /// The UDP port the server announced.
    public let fastPort: Int
    public let endpoint: Endpoint
    /// The connection lives on ``eventLoop``; it is used only there.
    private let connection: NIOLoopBound<ClientConnection>

    private init(
        connection: NIOLoopBound<ClientConnection>,
        endpoint: Endpoint,
        events: ClientEvents,
        peerId: Int32,
        fastPort: Int
    ) {
        self.connection = connection
        self.events = events
        self.eventLoop = connection.eventLoop
        self.endpoint = endpoint
        self.peerId = peerId
        self.fastPort = fastPort
    }

    deinit {
        let connection = self.connection
        connection.eventLoop.execute { _ = connection.value.close() }
    }

    /// Opens the WebSocket, logs in and returns once the login succeeded; the UDP handshake goes on in the
    /// background (``ClientEvent/fastReady``).
    ///
    /// Throws a ``RealtimeClientError``: ``RealtimeClientError/Code/loginRefused`` when the server refused the
    /// player session, ``RealtimeClientError/Code/connectionFailed``, ``RealtimeClientError/Code/upgradeRefused``,
    /// ``RealtimeClientError/Code/connectTimeout``, ``RealtimeClientError/Code/tlsFailed`` (`wss://`) or
    /// ``RealtimeClientError/Code/disconnected`` otherwise, and
    /// ``RealtimeClientError/Code/closed`` when the task is cancelled.
    public static func connect(to endpoint: Endpoint, options: ClientOptions) async throws -> RealtimeClient {
        let eventLoop = options.eventLoopGroup.next()
        let connection = try await eventLoop.submit {
            ClientConnection(eventLoop: eventLoop, endpoint: endpoint, options: options).bound
        }.get()
        let high = max(options.eventBufferSize, 2)
        let producer = NIOAsyncSequenceProducer.makeSequence(
            elementType: ClientEvent.self,
            backPressureStrategy: NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark(
                lowWatermark: high / 2,
                highWatermark: high
            ),
            finishOnDeinit: true,
            delegate: ReadGate(connection: connection)
        )
        let events = ClientEvents(base: producer.sequence)
        let source = producer.source
        let peer = try await withTaskCancellationHandler {
            try await eventLoop.flatSubmit {
                connection.value.attach(source: source)
                return connection.value.start()
            }.get()
        } onCancel: {
            eventLoop.execute { _ = connection.value.close() }
        }
        return RealtimeClient(
            connection: connection,
            endpoint: endpoint,
            events: events,
            peerId: peer.peerId,
            fastPort: peer.fastPort
        )
    }

    /// Sends a data message. `reliable: false` is the SDK's default "fast" intent: over UDP once the handshake is
    /// done and the payload fits in 1200 bytes, over the WebSocket otherwise. `targetPlayer` -1 addresses the server
    /// script; a non-zero `targetGroup` a group (-1: every player).
    ///
    /// Throws ``RealtimeClientError/Code/payloadTooLarge`` above 4096 bytes, before anything is sent.
    public func send(
        opCode: OpCode,
        payload: ByteBuffer = ByteBuffer(),
        targetPlayer: Int32 = RealtimeConstants.noTarget,
        targetGroup: Int32 = RealtimeConstants.noTarget,
        reliable: Bool = false
    ) async throws {
        guard payload.readableBytes <= RealtimeConstants.maxPayload else {
            throw RealtimeClientError(
                .payloadTooLarge,
                "payload of \(payload.readableBytes) bytes exceeds the limit of \(RealtimeConstants.maxPayload) bytes"
            )
        }
        let connection = self.connection
        if eventLoop.inEventLoop {
            try connection.value.send(
                opCode: opCode,
                payload: payload,
                targetPlayer: targetPlayer,
                targetGroup: targetGroup,
                reliable: reliable
            )
        } else {
            try await eventLoop.submit {
                try connection.value.send(
                    opCode: opCode,
                    payload: payload,
                    targetPlayer: targetPlayer,
                    targetGroup: targetGroup,
                    reliable: reliable
                )
            }.get()
        }
    }

    /// ``send(opCode:payload:targetPlayer:targetGroup:reliable:)`` for a caller on ``eventLoop``: no task, and for
    /// fast messages no allocation once the client's datagram buffers are warm. The packet is encoded before this
    /// returns, so the caller may reuse `payload`'s storage at once.
    ///
    /// Writes are flushed once per event-loop tick. `flush: false` leaves them for the caller's
    /// ``flushOnEventLoop()``: a sender that writes a burst flushes each client once at its end.
    public func sendOnEventLoop(
        opCode: OpCode,
        payload: ByteBuffer,
        targetPlayer: Int32 = RealtimeConstants.noTarget,
        targetGroup: Int32 = RealtimeConstants.noTarget,
        reliable: Bool = false,
        flush: Bool = true
    ) throws {
        eventLoop.preconditionInEventLoop()
        guard payload.readableBytes <= RealtimeConstants.maxPayload else {
            throw RealtimeClientError(
                .payloadTooLarge,
                "payload of \(payload.readableBytes) bytes exceeds the limit of \(RealtimeConstants.maxPayload) bytes"
            )
        }
        try connection.value.send(
            opCode: opCode,
            payload: payload,
            targetPlayer: targetPlayer,
            targetGroup: targetGroup,
            reliable: reliable,
            flush: flush
        )
    }

    /// Flushes what ``sendOnEventLoop(opCode:payload:targetPlayer:targetGroup:reliable:flush:)`` left unflushed.
    public func flushOnEventLoop() {
        eventLoop.preconditionInEventLoop()
        connection.value.flushNow()
    }

    /// Joins a group (`-10`, fast intent like the SDK).
    public func joinGroup(_ group: Int32) async throws {
        try await groupRequest(.join, group)
    }

    /// Leaves a group (`-11`, fast intent like the SDK).
    public func leaveGroup(_ group: Int32) async throws {
        try await groupRequest(.leave, group)
    }

    /// Asks for a group's members (`-12`); the answer arrives as ``ClientEvent/groupMembership(group:players:)``.
    public func requestGroupMembership(_ group: Int32) async throws {
        try await groupRequest(.membership, group)
    }

    private func groupRequest(_ request: ClientConnection.GroupRequest, _ group: Int32) async throws {
        let connection = self.connection
        if eventLoop.inEventLoop {
            try connection.value.group(request, group)
        } else {
            try await eventLoop.submit { try connection.value.group(request, group) }.get()
        }
    }

    /// Returns once every reliable message sent so far was written to the socket; throws
    /// ``RealtimeClientError/Code/closed`` when the connection closed first.
    public func flush() async throws {
        let connection = self.connection
        try await eventLoop.flatSubmit { connection.value.flush() }.get()
    }

    /// Closes the connection like the SDK: a close frame (1000), the UDP socket closed, no goodbye packet. Returns
    /// once the WebSocket is closed; ``events`` ends with `.disconnected`.
    public func close() async {
        let connection = self.connection
        try? await eventLoop.flatSubmit { connection.value.close() }.get()
    }
}

/// The events of one ``RealtimeClient``. Single consumer.
public struct ClientEvents: AsyncSequence, Sendable {
    public typealias Element = ClientEvent
    public typealias Failure = Never

    typealias Base = NIOAsyncSequenceProducer<
        ClientEvent, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, ReadGate
    >

    let base: Base

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator())
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        public typealias Element = ClientEvent
        public typealias Failure = Never

        var base: Base.AsyncIterator

        public mutating func next() async -> ClientEvent? {
            await base.next()
        }
    }
}
