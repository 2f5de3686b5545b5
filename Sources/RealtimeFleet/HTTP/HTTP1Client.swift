import NIOCore
import NIOHTTP1
import NIOPosix

/// A response read whole.
public struct HTTP1Response: Sendable {
    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: ByteBuffer

    public var text: String { String(buffer: body) }
}

/// A small HTTP/1.1 client on NIOHTTP1 for local peers (the Agones SDK sidecar): one connection per request
/// (`Connection: close`), JSON bodies, a bounded response size, and streamed responses read line by line.
public struct HTTP1Client: Sendable {
    public var host: String
    public var port: Int
    /// How long connecting may take.
    public var connectTimeout: Duration = .seconds(5)
    /// The largest response body read whole.
    public var maxBodySize = 4 * 1024 * 1024

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    private typealias Connection = NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>

    /// Sends one request and reads the whole response.
    public func send(
        _ method: HTTPMethod,
        _ path: String,
        json body: String? = nil,
        timeout: Duration = .seconds(10)
    ) async throws -> HTTP1Response {
        let target = "\(method) http://\(host):\(port)\(path)"
        return try await withTimeout(timeout, target) { [self] in
            let connection = try await connect()
            return try await connection.executeThenClose { inbound, outbound in
                try await write(method, path, body: body, to: outbound)
                var response: HTTP1Response?
                for try await part in inbound {
                    switch part {
                    case .head(let head):
                        response = HTTP1Response(status: head.status, headers: head.headers, body: ByteBuffer())
                    case .body(var chunk):
                        guard response != nil else { continue }
                        guard response!.body.readableBytes + chunk.readableBytes <= maxBodySize else {
                            throw FleetError(.badResponse, "\(target): response over \(maxBodySize) bytes")
                        }
                        response!.body.writeBuffer(&chunk)
                    case .end:
                        if let response { return response }
                    }
                }
                throw FleetError(.closed, "\(target): the connection closed before the response ended")
            }
        }
    }

    /// Sends a GET and hands each line of the streamed response to `onLine` as it arrives; returns at the end of the
    /// response (or of the connection). Throws ``FleetError/Code/refused`` when the status is not 2xx.
    public func streamLines(
        _ path: String,
        onLine: @escaping @Sendable (String) async throws -> Void
    ) async throws {
        let target = "GET http://\(host):\(port)\(path)"
        let connection = try await connect()
        try await connection.executeThenClose { inbound, outbound in
            try await write(.GET, path, body: nil, to: outbound)
            var pending = ByteBuffer()
            for try await part in inbound {
                switch part {
                case .head(let head):
                    guard (200..<300).contains(head.status.code) else {
                        throw FleetError(.refused, "\(target) answered \(head.status.code) \(head.status.reasonPhrase)")
                    }
                case .body(var chunk):
                    pending.writeBuffer(&chunk)
                    while let newline = pending.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                        let length = newline - pending.readerIndex
                        let line = pending.readString(length: length) ?? ""
                        pending.moveReaderIndex(forwardBy: 1)
                        if !line.allSatisfy(\.isWhitespace) { try await onLine(line) }
                    }
                    guard pending.readableBytes <= maxBodySize else {
                        throw FleetError(.badResponse, "\(target): a line over \(maxBodySize) bytes")
                    }
                    pending.discardReadBytes()
                case .end:
                    if let rest = pending.readString(length: pending.readableBytes), !rest.allSatisfy(\.isWhitespace) {
                        try await onLine(rest)
                    }
                    return
                }
            }
        }
    }

    private func connect() async throws -> Connection {
        do {
            return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.nanoseconds(Int64(connectTimeout.components.seconds) * 1_000_000_000))
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        return try Connection(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw FleetError(.connectFailed, "cannot connect to \(host):\(port): \(error)")
        }
    }

    private func write(
        _ method: HTTPMethod,
        _ path: String,
        body: String?,
        to outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>
    ) async throws {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "\(host):\(port)")
        headers.add(name: "Connection", value: "close")
        headers.add(name: "Accept", value: "application/json")
        if let body {
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: "\(body.utf8.count)")
        } else if method == .POST || method == .PUT || method == .PATCH {
            headers.add(name: "Content-Length", value: "0")
        }
        try await outbound.write(.head(HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)))
        if let body { try await outbound.write(.body(.byteBuffer(ByteBuffer(string: body)))) }
        try await outbound.write(.end(nil))
    }
}
