import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import RealtimeProtocol
import Testing

/// A WebSocket client raw enough to send any frame, which records every frame the server sends.
final class WebSocketTestClient: Sendable {
    let channel: any Channel
    /// Every frame from the server except pings (answered, unless the client was made silent) and pongs.
    let frames: Inbox<WebSocketFrame>
    let pings: Inbox<WebSocketFrame>
    let pongs: Inbox<WebSocketFrame>

    private init(
        channel: any Channel,
        frames: Inbox<WebSocketFrame>,
        pings: Inbox<WebSocketFrame>,
        pongs: Inbox<WebSocketFrame>
    ) {
        self.channel = channel
        self.frames = frames
        self.pings = pings
        self.pongs = pongs
    }

    /// Connects and upgrades. A `silent` client never answers pings (nor anything else on its own).
    static func connect(
        host: String,
        port: Int,
        path: String = "/websocket",
        silent: Bool = false
    ) async throws -> WebSocketTestClient {
        let frames = Inbox<WebSocketFrame>("WebSocket frames")
        let pings = Inbox<WebSocketFrame>("WebSocket pings")
        let pongs = Inbox<WebSocketFrame>("WebSocket pongs")
        let upgraded: EventLoopFuture<(any Channel)?> = try await ClientBootstrap(
            group: MultiThreadedEventLoopGroup.singleton
        )
        .channelOption(.tcpOption(.tcp_nodelay), value: 1)
        .connect(host: host, port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                let upgrader = NIOTypedWebSocketClientUpgrader<(any Channel)?>(
                    maxFrameSize: 1 << 20,
                    upgradePipelineHandler: { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(
                                FrameRecorder(frames: frames, pings: pings, pongs: pongs, answerPings: !silent)
                            )
                            return channel
                        }
                    }
                )
                var headers = HTTPHeaders()
                headers.add(name: "Host", value: "\(host):\(port)")
                headers.add(name: "Content-Length", value: "0")
                let request = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
                return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
                    configuration: .init(
                        upgradeConfiguration: .init(
                            upgradeRequestHead: request,
                            upgraders: [upgrader],
                            notUpgradingCompletionHandler: { channel in channel.eventLoop.makeSucceededFuture(nil) }
                        )
                    )
                )
            }
        }
        guard let channel = try await upgraded.get() else {
            throw TestTimeout(what: "a WebSocket upgrade (refused)")
        }
        return WebSocketTestClient(channel: channel, frames: frames, pings: pings, pongs: pongs)
    }

    // MARK: Sending

    /// One frame, masked as a client's must be.
    func send(_ opcode: WebSocketOpcode, _ data: ByteBuffer, fin: Bool = true) async throws {
        let frame = WebSocketFrame(fin: fin, opcode: opcode, maskKey: .random(), data: data)
        try await channel.writeAndFlush(frame)
    }

    /// Any frame, exactly as given (an unmasked one, reserved bits set, …).
    func send(frame: WebSocketFrame) async throws {
        try await channel.writeAndFlush(frame)
    }

    func send(_ packet: Packet) async throws {
        var buffer = ByteBuffer()
        buffer.writePacket(packet)
        try await send(.binary, buffer)
    }

    func sendBytes(_ bytes: [UInt8]) async throws {
        try await send(.binary, ByteBuffer(bytes: bytes))
    }

    func close(code: UInt16 = 1000) async throws {
        var data = ByteBuffer()
        data.writeInteger(code)
        try await send(.connectionClose, data)
    }

    // MARK: Receiving

    /// The next packet: the next frame must be a binary frame holding exactly one well-formed packet.
    func nextPacket(within deadline: Duration = testDeadline) async throws -> Packet {
        let frame = try await frames.next(within: deadline)
        try #require(frame.opcode == .binary, "expected a binary frame, got \(frame.opcode)")
        var data = frame.unmaskedData
        return try data.readOnlyPacket(maxLength: RealtimeConstants.maxFrameSize)
    }

    /// The next packet whose op code is not in `skipping`.
    func nextPacket(skipping: Set<OpCode>) async throws -> Packet {
        while true {
            let packet = try await nextPacket()
            if !skipping.contains(packet.opCode) { return packet }
        }
    }

    /// Reads frames until the close frame: every frame before it must be a well-formed packet (returned).
    func expectClose() async throws -> (code: UInt16?, reason: String, before: [Packet]) {
        var before: [Packet] = []
        while true {
            let frame = try await frames.next()
            var data = frame.unmaskedData
            if frame.opcode == .connectionClose {
                let code = data.readInteger(as: UInt16.self)
                return (code, data.readString(length: data.readableBytes) ?? "", before)
            }
            try #require(frame.opcode == .binary, "expected a binary frame, got \(frame.opcode)")
            before.append(try data.readOnlyPacket(maxLength: RealtimeConstants.maxFrameSize))
        }
    }

    /// Waits until the server closed the TCP connection.
    func waitClosed() async throws {
        try await channel.closeFuture.get()
    }

    func disconnect() async {
        try? await channel.close()
    }
}

/// Records frames; answers pings and the server's close frame like a browser would.
private final class FrameRecorder: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let frames: Inbox<WebSocketFrame>
    private let pings: Inbox<WebSocketFrame>
    private let pongs: Inbox<WebSocketFrame>
    private let answerPings: Bool
    private var closeSent = false

    init(frames: Inbox<WebSocketFrame>, pings: Inbox<WebSocketFrame>, pongs: Inbox<WebSocketFrame>, answerPings: Bool) {
        self.frames = frames
        self.pings = pings
        self.pongs = pongs
        self.answerPings = answerPings
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        switch frame.opcode {
        case .ping:
            pings.push(frame)
            if answerPings {
                let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
                context.writeAndFlush(Self.wrapOutboundOut(pong), promise: nil)
            }
        case .pong:
            pongs.push(frame)
        case .connectionClose:
            frames.push(frame)
            if answerPings, !closeSent {
                closeSent = true
                var data = frame.unmaskedData
                var reply = ByteBuffer()
                if let code = data.readInteger(as: UInt16.self) { reply.writeInteger(code) }
                let answer = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: reply)
                context.writeAndFlush(Self.wrapOutboundOut(answer), promise: nil)
            }
        default:
            frames.push(frame)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        frames.finish()
        pings.finish()
        pongs.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}

/// A UDP socket that talks to the server's fast port and records every datagram it receives.
final class UDPTestClient: Sendable {
    let channel: any Channel
    let server: SocketAddress
    let datagrams: Inbox<AddressedEnvelope<ByteBuffer>>

    private init(channel: any Channel, server: SocketAddress, datagrams: Inbox<AddressedEnvelope<ByteBuffer>>) {
        self.channel = channel
        self.server = server
        self.datagrams = datagrams
    }

    /// A socket bound to `bindHost` (default: `host`) on any port.
    static func open(host: String, serverPort: Int, bindHost: String? = nil) async throws -> UDPTestClient {
        let datagrams = Inbox<AddressedEnvelope<ByteBuffer>>("datagrams")
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DatagramRecorder(datagrams: datagrams))
                }
            }
            .bind(host: bindHost ?? host, port: 0)
            .get()
        let server = try SocketAddress.makeAddressResolvingHost(host, port: serverPort)
        return UDPTestClient(channel: channel, server: server, datagrams: datagrams)
    }

    var localAddress: SocketAddress { channel.localAddress! }

    func send(_ packet: Packet, to address: SocketAddress? = nil) async throws {
        var buffer = ByteBuffer()
        buffer.writePacket(packet)
        try await sendBytes(buffer, to: address)
    }

    func sendBytes(_ bytes: ByteBuffer, to address: SocketAddress? = nil) async throws {
        try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: address ?? server, data: bytes))
    }

    /// The next datagram: it must come from the server's fast port and hold exactly one well-formed packet.
    func nextPacket(within deadline: Duration = testDeadline) async throws -> Packet {
        let envelope = try await datagrams.next(within: deadline)
        #expect(envelope.remoteAddress.port == server.port, "datagram from \(envelope.remoteAddress)")
        var data = envelope.data
        return try data.readOnlyPacket(maxLength: RealtimeConstants.maxDatagramSize)
    }

    func close() async {
        try? await channel.close()
    }
}

private final class DatagramRecorder: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let datagrams: Inbox<AddressedEnvelope<ByteBuffer>>

    init(datagrams: Inbox<AddressedEnvelope<ByteBuffer>>) {
        self.datagrams = datagrams
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        datagrams.push(Self.unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        datagrams.finish()
        context.fireChannelInactive()
    }
}
