import NIOCore
import NIOHTTP1

/// Answers a plain HTTP request on the WebSocket port: 426 for a GET (this is a WebSocket endpoint), 400 otherwise;
/// then closes. A channel handler rather than an async consumer, so a connection that arrives while the listener
/// shuts down is simply closed with its channel instead of leaving a consumer behind.
final class PlainHTTPResponder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private var answered = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered, case .head(let request) = unwrapInboundIn(data) else { return }
        answered = true
        let status: HTTPResponseStatus = request.method == .GET ? .upgradeRequired : .badRequest
        let body = ByteBuffer(string: "This is a Realtime server: connect with a WebSocket.\n")
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: "\(body.readableBytes)")
        headers.add(name: "Connection", value: "close")
        if status == .upgradeRequired { headers.add(name: "Upgrade", value: "websocket") }
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))),
            promise: nil
        )
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
