import NIOCore
import NIOHTTP1
import NIOWebSocket

/// A player's WebSocket upgrade: NIO's upgrader checks the request and answers it (`Sec-WebSocket-Accept`), and the
/// pipeline after it is ours: NIO's frame encoder for the server's frames, and `readerPipeline` for what the client
/// sends, which takes the connection's bytes as they come (the player's handler reads them with a
/// ``WebSocketMessageReader`` rather than a frame decoder and an aggregator).
struct PlayerWebSocketUpgrader<UpgradeResult: Sendable>: NIOTypedHTTPServerProtocolUpgrader {
    private let handshake: NIOTypedWebSocketServerUpgrader<UpgradeResult>
    private let readerPipeline: @Sendable (any Channel) -> EventLoopFuture<UpgradeResult>

    init(readerPipeline: @escaping @Sendable (any Channel) -> EventLoopFuture<UpgradeResult>) {
        self.readerPipeline = readerPipeline
        // Only its check of the request and its answer are used, never its pipeline.
        self.handshake = NIOTypedWebSocketServerUpgrader(
            shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders()) },
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeFailedFuture(ChannelError.inappropriateOperationForState)
            }
        )
    }

    var supportedProtocol: String { handshake.supportedProtocol }

    var requiredUpgradeHeaders: [String] { handshake.requiredUpgradeHeaders }

    func buildUpgradeResponse(
        channel: any Channel,
        upgradeRequest: HTTPRequestHead,
        initialResponseHeaders: HTTPHeaders
    ) -> EventLoopFuture<HTTPHeaders> {
        handshake.buildUpgradeResponse(
            channel: channel,
            upgradeRequest: upgradeRequest,
            initialResponseHeaders: initialResponseHeaders
        )
    }

    func upgrade(channel: any Channel, upgradeRequest: HTTPRequestHead) -> EventLoopFuture<UpgradeResult> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(WebSocketFrameEncoder())
        }.flatMap { readerPipeline(channel) }
    }
}
