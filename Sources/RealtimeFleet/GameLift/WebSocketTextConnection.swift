import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

/// A WebSocket client connection that carries text messages (the GameLift server SDK protocol): `ws://` or `wss://`
/// (TLS 1.2 or newer, the system's trust roots), masked frames, pings answered, the peer's close echoed.
public final class WebSocketTextConnection: Sendable {
    public enum Event: Sendable, Equatable {
        case text(String)
        /// The connection ended: the peer's close code (nil when the connection dropped without a close frame).
        case closed(code: UInt16?)
    }

    /// The messages in order, then `closed`.
    public let events: AsyncStream<Event>
    private let channel: any Channel

    private init(channel: any Channel, events: AsyncStream<Event>) {
        self.channel = channel
        self.events = events
    }

    /// Connects and upgrades. A handshake answered 403 throws ``FleetError/Code/forbidden``; other statuses
    /// ``FleetError/Code/refused``.
    public static func connect(to url: URL, timeout: Duration = .seconds(20)) async throws -> WebSocketTextConnection {
        guard let scheme = url.scheme?.lowercased(), scheme == "ws" || scheme == "wss", let host = url.host,
            !host.isEmpty
        else {
            throw FleetError(.misconfigured, "\(url.absoluteString) is not a ws:// or wss:// URL")
        }
        let secure = scheme == "wss"
        let port = url.port ?? (secure ? 443 : 80)
        let path = url.path.isEmpty ? "/" : url.path
        let target = url.query.map { $0.isEmpty ? path : path + "?" + $0 } ?? path
        let sslContext = secure ? try NIOSSLContext(configuration: .makeClientConfiguration()) : nil
        let (events, continuation) = AsyncStream.makeStream(of: Event.self)
        let authority = url.port == nil ? host : "\(host):\(port)"
        let described = "\(scheme)://\(authority)\(url.path)"
        // The connection, so that a timeout (the task's cancellation) can close it: waiting for the upgrade's
        // outcome is not cancellable by itself.
        let opened = NIOLockedValueBox<(any Channel)?>(nil)
        return try await withTimeout(timeout, "connecting to \(described)") {
            let upgrade: EventLoopFuture<Upgrade>
            do {
                upgrade = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connectTimeout(.seconds(10))
                    .connect(host: host, port: port) { channel in
                        channel.eventLoop.makeCompletedFuture {
                            opened.withLockedValue { $0 = channel }
                            if let sslContext {
                                let handler = try NIOSSLClientHandler(context: sslContext, serverHostname: host)
                                try channel.pipeline.syncOperations.addHandler(handler)
                            }
                            return try configureUpgrade(
                                channel,
                                host: authority,
                                target: target,
                                continuation: continuation
                            )
                        }
                    }
            } catch {
                throw FleetError(.connectFailed, "cannot connect to \(described): \(error)")
            }
            let outcome = try await withTaskCancellationHandler {
                try await upgrade.get()
            } onCancel: {
                opened.withLockedValue { $0 }?.close(promise: nil)
            }
            switch outcome {
            case .upgraded(let channel):
                return WebSocketTextConnection(channel: channel, events: events)
            case .refused(let response):
                let status = try await withTaskCancellationHandler {
                    try await response.get()
                } onCancel: {
                    opened.withLockedValue { $0 }?.close(promise: nil)
                }
                if status == .forbidden {
                    throw FleetError(
                        .forbidden,
                        "\(described) refused the connection with 403 Forbidden: the auth token, fleet id or compute "
                            + "id is wrong or expired"
                    )
                }
                throw FleetError(
                    .refused,
                    "\(described) refused the WebSocket upgrade: \(status.code) \(status.reasonPhrase)"
                )
            }
        }
    }

    private enum Upgrade: Sendable {
        case upgraded(any Channel)
        /// The status the handshake was answered with instead of 101.
        case refused(EventLoopFuture<HTTPResponseStatus>)
    }

    private static func configureUpgrade(
        _ channel: any Channel,
        host: String,
        target: String,
        continuation: AsyncStream<Event>.Continuation
    ) throws -> EventLoopFuture<Upgrade> {
        let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(
            maxFrameSize: 1 << 20,
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        NIOWebSocketFrameAggregator(
                            minNonFinalFragmentSize: 0,
                            maxAccumulatedFrameCount: 1024,
                            maxAccumulatedFrameSize: 1 << 20
                        ),
                        TextFrameHandler(continuation: continuation)
                    )
                    return Upgrade.upgraded(channel)
                }
            }
        )
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: host)
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: target, headers: headers)
        let configuration = NIOTypedHTTPClientUpgradeConfiguration<Upgrade>(
            upgradeRequestHead: head,
            upgraders: [upgrader],
            notUpgradingCompletionHandler: { channel in
                channel.eventLoop.makeCompletedFuture {
                    continuation.finish()
                    let recorder = RefusalRecorder(promise: channel.eventLoop.makePromise())
                    try channel.pipeline.syncOperations.addHandler(recorder)
                    return .refused(recorder.promise.futureResult)
                }
            }
        )
        return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
            configuration: .init(upgradeConfiguration: configuration)
        )
    }

    /// Sends one text message.
    public func send(_ text: String) async throws {
        let frame = WebSocketFrame(
            fin: true,
            opcode: .text,
            maskKey: .random(),
            data: ByteBuffer(string: text)
        )
        try await channel.writeAndFlush(frame)
    }

    /// Sends a close frame with `code` and closes the connection (at once if the peer does not answer in 2 s).
    public func close(code: WebSocketErrorCode = .normalClosure) async {
        var data = ByteBuffer()
        data.write(webSocketErrorCode: code)
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: data)
        try? await channel.writeAndFlush(frame)
        let channel = self.channel
        let deadline = channel.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
        try? await channel.closeFuture.get()
        deadline.cancel()
    }

    /// Drops the connection without a close frame.
    public func abort() {
        channel.close(promise: nil)
    }
}

/// After the upgrade: text messages to the stream, pings answered, a close frame echoed.
private final class TextFrameHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let continuation: AsyncStream<WebSocketTextConnection.Event>.Continuation
    private let closeCode = NIOLockedValueBox<UInt16?>(nil)

    init(continuation: AsyncStream<WebSocketTextConnection.Event>.Continuation) {
        self.continuation = continuation
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            continuation.yield(.text(String(buffer: frame.unmaskedData)))
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(Self.wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            var data = frame.unmaskedData
            let code = data.readInteger(as: UInt16.self) ?? 1005
            closeCode.withLockedValue { $0 = code }
            var reply = ByteBuffer()
            reply.writeInteger(code)
            let echo = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: reply)
            let channel = context.channel
            context.writeAndFlush(Self.wrapOutboundOut(echo)).whenComplete { _ in channel.close(promise: nil) }
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.yield(.closed(code: closeCode.withLockedValue { $0 }))
        continuation.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// Reads the status of a handshake that was not upgraded, then closes the connection; fails when the connection
/// ends first.
private final class RefusalRecorder: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = HTTPClientResponsePart

    let promise: EventLoopPromise<HTTPResponseStatus>

    init(promise: EventLoopPromise<HTTPResponseStatus>) {
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = Self.unwrapInboundIn(data) {
            promise.succeed(head.status)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(FleetError(.closed, "the connection closed before the handshake's answer"))
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        promise.fail(FleetError(.closed, "the connection closed before the handshake's answer"))
    }
}
