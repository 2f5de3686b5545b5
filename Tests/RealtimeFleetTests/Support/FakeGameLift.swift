import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import RealtimeTestSupport

/// A stand-in for the GameLift service's server SDK 5 endpoint, on 127.0.0.1 port 0: a WebSocket that takes text
/// frames of JSON with `Action` and `RequestId`, answers each request with the same `Action` and `RequestId` and
/// `StatusCode` 200 (or what `answer` says, with `ErrorMessage`), pushes messages without `RequestId`, and records
/// every connection's query and every request.
final class FakeGameLift: Sendable {
    struct Request: Sendable {
        var action: String
        var fields: [String: JSONText]
        var connection: Int
    }

    /// A JSON value as text, for comparisons in tests.
    struct JSONText: Sendable, Hashable, CustomStringConvertible {
        var description: String
    }

    private struct State {
        var queries: [[String: String]] = []
        var requests: [Request] = []
        var channels: [Int: any Channel] = [:]
        var current: Int?
        var forbid = false
        var answer: @Sendable (String, [String: JSONText]) -> (Int, String)? = { _, _ in nil }
        var extra: @Sendable (String) -> [String: Any] = { _ in [:] }
    }

    private let state = NIOLockedValueBox(State())
    private let serverChannel: any Channel
    let port: Int

    var url: String { "ws://127.0.0.1:\(port)" }

    private init(serverChannel: any Channel) {
        self.serverChannel = serverChannel
        self.port = serverChannel.localAddress?.port ?? 0
    }

    static func start() async throws -> FakeGameLift {
        let box = NIOLockedValueBox<FakeGameLift?>(nil)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let upgrader = NIOWebSocketServerUpgrader(
                    shouldUpgrade: { channel, head in
                        let service = box.withLockedValue { $0 }
                        guard let service, !service.state.withLockedValue({ $0.forbid }) else {
                            return channel.eventLoop.makeSucceededFuture(nil)
                        }
                        service.recordQuery(head.uri)
                        return channel.eventLoop.makeSucceededFuture(HTTPHeaders())
                    },
                    upgradePipelineHandler: { channel, _ in
                        let service = box.withLockedValue { $0 }!
                        return channel.pipeline.removeHandler(name: "forbidden").flatMap {
                            channel.pipeline.addHandler(ServiceHandler(service: service))
                        }
                    }
                )
                return channel.pipeline.configureHTTPServerPipeline(
                    withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in })
                ).flatMap {
                    channel.pipeline.addHandler(ForbiddenResponder(), name: "forbidden")
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let service = FakeGameLift(serverChannel: channel)
        box.withLockedValue { $0 = service }
        return service
    }

    // MARK: Behaviour

    /// Answer the handshake with 403 from now on.
    func forbid() { state.withLockedValue { $0.forbid = true } }

    /// How to answer requests: nil = 200; otherwise a status code and an error message.
    func answer(_ rule: @escaping @Sendable (String, [String: JSONText]) -> (Int, String)?) {
        state.withLockedValue { $0.answer = rule }
    }

    /// Extra fields for the response to an action (DescribePlayerSessions' `PlayerSessions`).
    func respondWith(_ extra: @escaping @Sendable (String) -> [String: Any]) {
        state.withLockedValue { $0.extra = extra }
    }

    /// Sends a push (a message without `RequestId`) on the newest connection.
    func push(_ message: [String: Any]) throws {
        let data = try JSONSerialization.data(withJSONObject: message)
        guard let channel = state.withLockedValue({ state in state.current.flatMap { state.channels[$0] } }) else {
            throw TestFailure("no process is connected to the fake GameLift")
        }
        channel.writeAndFlush(ServiceHandler.text(String(decoding: data, as: UTF8.self)), promise: nil)
    }

    /// Drops every connection without a close frame (the service restarting).
    func dropConnections() {
        let channels = state.withLockedValue { state in
            defer { state.channels = [:] }
            state.current = nil
            return Array(state.channels.values)
        }
        for channel in channels { channel.close(promise: nil) }
    }

    func stop() async {
        dropConnections()
        try? await serverChannel.close()
    }

    // MARK: What it received

    var queries: [[String: String]] { state.withLockedValue { $0.queries } }
    var requests: [Request] { state.withLockedValue { $0.requests } }
    func requests(_ action: String) -> [Request] { requests.filter { $0.action == action } }

    // MARK: Internals

    private func recordQuery(_ uri: String) {
        var query: [String: String] = [:]
        for item in URLComponents(string: uri)?.queryItems ?? [] { query[item.name] = item.value ?? "" }
        state.withLockedValue { $0.queries.append(query) }
    }

    fileprivate func connected(_ channel: any Channel) -> Int {
        state.withLockedValue { state in
            let id = state.queries.count
            state.channels[id] = channel
            state.current = id
            return id
        }
    }

    fileprivate func disconnected(_ id: Int) {
        state.withLockedValue { state in
            state.channels[id] = nil
            if state.current == id { state.current = nil }
        }
    }

    /// Records a request and builds its response; nil for a message that is not a request.
    fileprivate func received(_ text: String, on connection: Int) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            let action = object["Action"] as? String, let requestId = object["RequestId"] as? String
        else { return nil }
        var fields: [String: JSONText] = [:]
        for (key, value) in object where key != "Action" && key != "RequestId" {
            let data = try? JSONSerialization.data(
                withJSONObject: value,
                options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes]
            )
            fields[key] = JSONText(description: data.map { String(decoding: $0, as: UTF8.self) } ?? "?")
        }
        let (rule, extra) = state.withLockedValue { state in
            state.requests.append(Request(action: action, fields: fields, connection: connection))
            return (state.answer, state.extra)
        }
        var response: [String: Any] = ["Action": action, "RequestId": requestId, "StatusCode": 200]
        if let (status, message) = rule(action, fields) {
            response["StatusCode"] = status
            response["ErrorMessage"] = message
        }
        for (key, value) in extra(action) { response[key] = value }
        let data = (try? JSONSerialization.data(withJSONObject: response)) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

/// One process's connection on the fake service.
private final class ServiceHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let service: FakeGameLift
    private var id = 0
    private var fragments = ""

    init(service: FakeGameLift) {
        self.service = service
    }

    static func text(_ string: String) -> WebSocketFrame {
        WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: string))
    }

    func handlerAdded(context: ChannelHandlerContext) {
        id = service.connected(context.channel)
    }

    func channelInactive(context: ChannelHandlerContext) {
        service.disconnected(id)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .continuation:
            fragments += String(buffer: frame.unmaskedData)
            guard frame.fin else { return }
            let text = fragments
            fragments = ""
            if let response = service.received(text, on: id) {
                context.writeAndFlush(Self.wrapOutboundOut(Self.text(response)), promise: nil)
            }
        case .connectionClose:
            var data = ByteBuffer()
            data.writeInteger(UInt16(1000))
            let close = WebSocketFrame(fin: true, opcode: .connectionClose, data: data)
            let channel = context.channel
            context.writeAndFlush(Self.wrapOutboundOut(close)).whenComplete { _ in channel.close(promise: nil) }
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)
            context.writeAndFlush(Self.wrapOutboundOut(pong), promise: nil)
        default:
            break
        }
    }
}

/// A request that was not upgraded (the service forbids): 403 Forbidden.
private final class ForbiddenResponder: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = Self.unwrapInboundIn(data) else { return }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Length", value: "0")
        headers.add(name: "Connection", value: "close")
        context.write(
            Self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .forbidden, headers: headers))),
            promise: nil
        )
        let channel = context.channel
        context.writeAndFlush(Self.wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
