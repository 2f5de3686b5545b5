import NIOCore
import NIOHTTP1
import NIOWebSocket

/// The client's WebSocket upgrade: NIO's upgrader asks for it and checks the server's answer (the key and its
/// `Sec-WebSocket-Accept`), and the pipeline after it is ours: NIO's frame encoder for what the client sends, and
/// `readerPipeline` for what it reads, which takes the connection's bytes as they come (the client reads them with a
/// ``WebSocketMessageReader`` rather than a frame decoder and an aggregator).
struct WebSocketUpgrader<UpgradeResult: Sendable>: NIOTypedHTTPClientProtocolUpgrader {
    private let handshake: NIOTypedWebSocketClientUpgrader<UpgradeResult>
    private let readerPipeline: @Sendable (any Channel) -> EventLoopFuture<UpgradeResult>

    init(readerPipeline: @escaping @Sendable (any Channel) -> EventLoopFuture<UpgradeResult>) {
        self.readerPipeline = readerPipeline
        // Its pipeline is never used: only its request headers and its check of the answer.
        self.handshake = NIOTypedWebSocketClientUpgrader { channel, _ in
            channel.eventLoop.makeFailedFuture(ChannelError.inappropriateOperationForState)
        }
    }

    var supportedProtocol: String { handshake.supportedProtocol }

    var requiredUpgradeHeaders: [String] { handshake.requiredUpgradeHeaders }

    func addCustom(upgradeRequestHeaders: inout HTTPHeaders) {
        handshake.addCustom(upgradeRequestHeaders: &upgradeRequestHeaders)
    }

    func shouldAllowUpgrade(upgradeResponse: HTTPResponseHead) -> Bool {
        handshake.shouldAllowUpgrade(upgradeResponse: upgradeResponse)
    }

    func upgrade(channel: any Channel, upgradeResponse: HTTPResponseHead) -> EventLoopFuture<UpgradeResult> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(WebSocketFrameEncoder())
        }.flatMap { readerPipeline(channel) }
    }
}
