import NIOCore
import NIOWebSocket
import RealtimeProtocol

/// The reliable channel's framing, after the upgrade: the bytes from the server read as WebSocket messages (a
/// ``WebSocketMessageReader``), one binary message in, one ``Packet`` out; pings answered; the close handshake.
/// Decisions belong to the ``ClientConnection`` it reports to, on the event loop. Outbound frames go through the
/// frame encoder behind it.
final class WebSocketPacketHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = WebSocketFrame

    private let connection: ClientConnection
    private var context: ChannelHandlerContext?
    private var reader = WebSocketMessageReader(
        sender: .server,
        maxMessageSize: RealtimeConstants.maxFrameSize,
        maxFragments: 256
    )
    /// The close frame we sent, if any: the connection closes when the server answers.
    private var closeSent = false
    /// What the close frame from the server said; nil until one arrived.
    private var closeReceived: (code: UInt16?, reason: String)?
    /// Why the client closed the connection itself (a protocol violation by the server, a transport error).
    private var failure: String?

    init(connection: ClientConnection) {
        self.connection = connection
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard failure == nil else { return }
        reader.append(Self.unwrapInboundIn(data))
        do {
            while failure == nil, let message = try reader.next() {
                received(message, context: context)
            }
        } catch {
            fail(
                context: context,
                code: WebSocketErrorCode(codeNumber: Int(error.code)),
                reason: "WebSocket protocol error from the server: \(error)"
            )
        }
    }

    private func received(_ message: WebSocketMessageReader.Message, context: ChannelHandlerContext) {
        switch message {
        case .binary(var data):
            guard closeReceived == nil else { return }
            do {
                let packet = try data.readOnlyPacket(maxLength: RealtimeConstants.maxFrameSize)
                connection.receivedReliable(packet)
            } catch {
                fail(context: context, code: .protocolError, reason: "malformed packet from the server: \(error)")
            }
        case .ping(let data):
            guard !closeSent else { return }
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: data)
            context.writeAndFlush(Self.wrapOutboundOut(pong), promise: nil)
        case .pong:
            break
        case .close(var data):
            guard closeReceived == nil else { return }
            let code = data.readInteger(as: UInt16.self)
            let reason = data.readString(length: data.readableBytes) ?? ""
            closeReceived = (code, reason)
            if closeSent {
                context.close(promise: nil)
            } else {
                // Answer with the same code, as RFC 6455 §5.5.1 asks, then let the server close the TCP connection
                // (or close it ourselves once the answer is out).
                var echo = context.channel.allocator.buffer(capacity: 2)
                if let code { echo.writeInteger(code) }
                closeSent = true
                let answer = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: echo)
                let channel = context.channel
                context.writeAndFlush(Self.wrapOutboundOut(answer)).whenComplete { _ in
                    channel.close(promise: nil)
                }
            }
            connection.webSocketClosed(code: code, reason: reason)
        case .text:
            fail(context: context, code: .unacceptableData, reason: "text frame from the server")
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if closeReceived == nil {
            connection.webSocketClosed(code: nil, reason: failure ?? "connection closed without a close frame")
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if failure == nil { failure = "\(error)" }
        context.close(promise: nil)
    }

    /// Sends a close frame; the connection closes when the server answers, or after `grace` without an answer.
    func close(code: UInt16, reason: String, grace: TimeAmount) {
        guard let context, !closeSent else { return }
        closeSent = true
        var data = context.channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        data.writeInteger(code)
        data.writeString(reason)
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: data)
        context.writeAndFlush(Self.wrapOutboundOut(frame), promise: nil)
        let channel = context.channel
        let timeout = context.eventLoop.scheduleTask(in: grace) { channel.close(promise: nil) }
        channel.closeFuture.whenComplete { _ in timeout.cancel() }
    }

    private func fail(context: ChannelHandlerContext, code: WebSocketErrorCode, reason: String) {
        if failure == nil { failure = reason }
        guard !closeSent else {
            context.close(promise: nil)
            return
        }
        closeSent = true
        var data = context.channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: code)
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: data)
        let channel = context.channel
        context.writeAndFlush(Self.wrapOutboundOut(frame)).whenComplete { _ in
            channel.close(promise: nil)
        }
    }
}

/// Sits next to the socket so that a zero-byte write queued behind every frame tells when they are all written.
final class WriteBarrierHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Completes `promise` once every write queued before it reached the socket.
    func barrier(promise: EventLoopPromise<Void>) {
        guard let context else {
            promise.succeed()
            return
        }
        context.writeAndFlush(Self.wrapOutboundOut(ByteBuffer()), promise: promise)
    }
}
