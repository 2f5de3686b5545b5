import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import RealtimeProtocol

/// The far end of a client under test, on loopback: accepts one WebSocket and owns one UDP socket, reports every
/// frame and datagram it receives, and sends exactly what the test tells it to. It routes nothing and decides
/// nothing: a wire-level probe, not a server.
final class TestPeer: Sendable {
    enum Input: Sendable {
        case upgrade(uri: String, headers: HTTPHeaders)
        /// A WebSocket frame: `masked` tells whether the client masked it; `packet` is set for a binary frame.
        case frame(WebSocketOpcode, masked: Bool, data: ByteBuffer, packet: Packet?)
        case datagram(Packet, from: SocketAddress)
        case webSocketClosed
    }

    let tcpPort: Int
    let udpPort: Int
    private let inbox: Inbox
    private let server: any Channel
    private let udp: any Channel
    private let state = NIOLockedValueBox<(webSocket: (any Channel)?, udpPeer: SocketAddress?)>((nil, nil))

    private init(
        server: any Channel,
        udp: any Channel,
        inbox: Inbox
    ) {
        self.server = server
        self.udp = udp
        self.tcpPort = server.localAddress?.port ?? 0
        self.udpPort = udp.localAddress?.port ?? 0
        self.inbox = inbox
    }

    static func start(acceptUpgrade: Bool = true) async throws -> TestPeer {
        let inbox = Inbox()
        let group = MultiThreadedEventLoopGroup.singleton
        let box = NIOLockedValueBox<TestPeer?>(nil)
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                let upgrader = NIOWebSocketServerUpgrader(
                    maxFrameSize: 1 << 20,
                    shouldUpgrade: { channel, head in
                        inbox.append(.upgrade(uri: head.uri, headers: head.headers))
                        return channel.eventLoop.makeSucceededFuture(acceptUpgrade ? HTTPHeaders() : nil)
                    },
                    upgradePipelineHandler: { channel, _ in
                        box.withLockedValue { $0?.state.withLockedValue { $0.webSocket = channel } }
                        return channel.eventLoop.makeCompletedFuture {
                            let notFound = try channel.pipeline.syncOperations.handler(type: NotFound.self)
                            channel.pipeline.syncOperations.removeHandler(notFound, promise: nil)
                            try channel.pipeline.syncOperations.addHandler(FrameRecorder(inbox: inbox))
                        }
                    }
                )
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in })
                    )
                    try channel.pipeline.syncOperations.addHandler(NotFound())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let udp = try await DatagramBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DatagramRecorder(inbox: inbox))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let peer = TestPeer(server: server, udp: udp, inbox: inbox)
        box.withLockedValue { $0 = peer }
        return peer
    }

    func stop() async {
        let webSocket = state.withLockedValue { $0.webSocket }
        try? await webSocket?.close()
        try? await server.close()
        try? await udp.close()
    }

    // MARK: - Sending

    func sendReliable(_ packet: Packet) {
        var buffer = ByteBuffer()
        buffer.writePacket(packet)
        sendFrame(WebSocketFrame(fin: true, opcode: .binary, data: buffer))
    }

    func sendFrame(_ frame: WebSocketFrame) {
        state.withLockedValue { $0.webSocket }?.writeAndFlush(frame, promise: nil)
    }

    /// Sends a close frame and closes the TCP connection once it is written.
    func close(code: UInt16, reason: String) {
        var data = ByteBuffer()
        data.writeInteger(code)
        data.writeString(reason)
        guard let channel = state.withLockedValue({ $0.webSocket }) else { return }
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    /// Sends a datagram to the source of the last datagram received.
    func sendFast(_ packet: Packet) {
        guard let address = state.withLockedValue({ $0.udpPeer }) else { return }
        sendFast(bytes: { $0.writePacket(packet) }, to: address)
    }

    func sendFast(bytes: (inout ByteBuffer) -> Void, to address: SocketAddress) {
        var buffer = ByteBuffer()
        bytes(&buffer)
        udp.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: buffer), promise: nil)
    }

    func rememberUDPPeer(_ address: SocketAddress) {
        state.withLockedValue { $0.udpPeer = address }
    }

    // MARK: - Receiving

    /// Takes the oldest input that `match` accepts, leaving the others; nil when none came within the time limit.
    func next<T>(within limit: Duration = .seconds(20), _ match: (Input) -> T?) async -> T? {
        let deadline = ContinuousClock.now + limit
        while true {
            if let value = inbox.take(match) { return value }
            guard ContinuousClock.now < deadline else { return nil }
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    /// Every input not taken yet, oldest first, without taking them.
    var pending: [Input] { inbox.all }

    /// The next frame of `opcode` received on the WebSocket: whether the client masked it, and its unmasked data.
    func nextFrame(
        _ opcode: WebSocketOpcode,
        within limit: Duration = .seconds(20)
    ) async -> (masked: Bool, data: ByteBuffer)? {
        await next(within: limit) { input in
            if case .frame(opcode, let masked, let data, _) = input { return (masked, data) }
            return nil
        }
    }

    /// The next packet received on the WebSocket.
    func nextReliable(within limit: Duration = .seconds(20)) async -> Packet? {
        await next(within: limit) { input in
            if case .frame(.binary, _, _, let packet?) = input { return packet }
            return nil
        }
    }

    /// The next datagram; remembers its source for ``sendFast(_:)``.
    func nextFast(within limit: Duration = .seconds(20)) async -> Packet? {
        let received = await next(within: limit) { input -> (Packet, SocketAddress)? in
            if case .datagram(let packet, let from) = input { return (packet, from) }
            return nil
        }
        guard let received else { return nil }
        rememberUDPPeer(received.1)
        return received.0
    }
}

/// What the peer received and the test has not looked at yet.
final class Inbox: Sendable {
    private let inputs = NIOLockedValueBox<[TestPeer.Input]>([])

    func append(_ input: TestPeer.Input) {
        inputs.withLockedValue { $0.append(input) }
    }

    func take<T>(_ match: (TestPeer.Input) -> T?) -> T? {
        inputs.withLockedValue { inputs in
            for (index, input) in inputs.enumerated() {
                if let value = match(input) {
                    inputs.remove(at: index)
                    return value
                }
            }
            return nil
        }
    }

    var all: [TestPeer.Input] { inputs.withLockedValue { $0 } }
}

private final class FrameRecorder: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    let inbox: Inbox

    init(inbox: Inbox) {
        self.inbox = inbox
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        var bytes = frame.unmaskedData
        let packet = frame.opcode == .binary ? try? bytes.readOnlyPacket(maxLength: 1 << 20) : nil
        inbox.append(.frame(frame.opcode, masked: frame.maskKey != nil, data: frame.unmaskedData, packet: packet))
        if frame.opcode == .connectionClose {
            let channel = context.channel
            let echo = WebSocketFrame(fin: true, opcode: .connectionClose, data: frame.unmaskedData)
            context.writeAndFlush(Self.wrapOutboundOut(echo)).whenComplete { _ in channel.close(promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        inbox.append(.webSocketClosed)
        context.fireChannelInactive()
    }
}

private final class DatagramRecorder: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    let inbox: Inbox

    init(inbox: Inbox) {
        self.inbox = inbox
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = Self.unwrapInboundIn(data)
        var bytes = envelope.data
        if let packet = try? bytes.readOnlyPacket(maxLength: 1 << 16) {
            inbox.append(.datagram(packet, from: envelope.remoteAddress))
        }
    }
}

/// Answers a request that was not upgraded with 404.
private final class NotFound: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = Self.unwrapInboundIn(data) else { return }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Length", value: "0")
        context.write(
            Self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .notFound, headers: headers))),
            promise: nil
        )
        let channel = context.channel
        context.writeAndFlush(Self.wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
