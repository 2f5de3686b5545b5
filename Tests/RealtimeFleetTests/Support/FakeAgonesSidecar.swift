import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import RealtimeServer

/// A stand-in for the Agones SDK sidecar's REST API on 127.0.0.1 port 0: `GET /gameserver`, `GET
/// /watch/gameserver` (NDJSON lines `{"result": GameServer}`, the current state first, then one per change),
/// `POST /ready`, `/health`, `/shutdown`, `/allocate`, and the `players` List's `:addValue` and `:removeValue`.
/// JSON is grpc-gateway's: snake_case names, int64 values as strings. Records every request.
final class FakeAgonesSidecar: Sendable {
    struct Request: Sendable, Hashable {
        var method: String
        var path: String
        var body: String
    }

    private struct State {
        var requests: [Request] = []
        var state = "Scheduled"
        var annotations: [String: String] = [:]
        var ports: [(String, Int)]
        var periodSeconds: Int
        var players: [String] = []
        var hasPlayersList = true
        var unavailable = 0
        var watchers: [Int: AsyncStream<String>.Continuation] = [:]
        var nextWatcher = 0
    }

    private let state: NIOLockedValueBox<State>
    private let serverChannel: NIOAsyncChannel<any Channel, Never>
    private let task: Task<Void, Never>
    let port: Int

    private init(
        state: NIOLockedValueBox<State>,
        channel: NIOAsyncChannel<any Channel, Never>,
        task: Task<Void, Never>
    ) {
        self.state = state
        self.serverChannel = channel
        self.task = task
        self.port = channel.channel.localAddress?.port ?? 0
    }

    /// A sidecar for a GameServer with these ports (name, port) and health period.
    static func start(ports: [(String, Int)], periodSeconds: Int = 1) async throws -> FakeAgonesSidecar {
        let state = NIOLockedValueBox(State(ports: ports, periodSeconds: periodSeconds))
        let channel = try await bindHTTPListener(host: "127.0.0.1", port: 0)
        let box = NIOLockedValueBox<FakeAgonesSidecar?>(nil)
        let task = Task<Void, Never> {
            await acceptUntilClosed(channel) { accepted in
                try? await serveHTTP(accepted) { connection in
                    guard let sidecar = box.withLockedValue({ $0 }) else {
                        // Not started yet: closed unanswered.
                        try await connection.executeThenClose { _, _ in }
                        return
                    }
                    try await sidecar.serve(connection)
                }
            }
        }
        let sidecar = FakeAgonesSidecar(state: state, channel: channel, task: task)
        box.withLockedValue { $0 = sidecar }
        return sidecar
    }

    // MARK: Behaviour

    /// The next `count` `GET /gameserver` answer 503 (the sidecar is not up yet).
    func unavailable(_ count: Int) { state.withLockedValue { $0.unavailable = count } }

    /// The GameServer has no `players` List: list calls answer 404.
    func withoutPlayersList() { state.withLockedValue { $0.hasPlayersList = false } }

    /// A GameServerAllocation: state Allocated, with these annotations.
    func allocate(annotations: [String: String]) {
        change {
            $0.state = "Allocated"
            $0.annotations.merge(annotations) { $1 }
        }
    }

    /// Ends every watch stream (the sidecar restarting).
    func endWatches() {
        let watchers = state.withLockedValue { state in
            defer { state.watchers = [:] }
            return state.watchers.values
        }
        for watcher in watchers { watcher.finish() }
    }

    func stop() async {
        endWatches()
        task.cancel()
        await task.value
    }

    // MARK: What it received

    var requests: [Request] { state.withLockedValue { $0.requests } }
    func requests(_ method: String, _ path: String) -> [Request] {
        requests.filter { $0.method == method && $0.path == path }
    }
    var players: [String] { state.withLockedValue { $0.players } }
    var gameServerState: String { state.withLockedValue { $0.state } }

    // MARK: Serving

    private func change(_ body: (inout State) -> Void) {
        let (json, watchers) = state.withLockedValue { state in
            body(&state)
            return (Self.gameServer(state), Array(state.watchers.values))
        }
        for watcher in watchers { watcher.yield(#"{"result":"# + json + "}\n") }
    }

    private static func gameServer(_ state: State) -> String {
        let object: [String: Any] = [
            "object_meta": [
                "name": "rtctl-gs-1", "namespace": "default", "uid": "0b9a7c1e", "resource_version": "4711",
                "generation": "3", "creation_timestamp": "1798761600", "deletion_timestamp": "0",
                "annotations": state.annotations, "labels": ["agones.dev/fleet": "rtctl"],
            ],
            "spec": [
                "health": [
                    "disabled": false, "period_seconds": state.periodSeconds, "failure_threshold": 3,
                    "initial_delay_seconds": 0,
                ]
            ],
            "status": [
                "state": state.state, "address": "127.0.0.1",
                "ports": state.ports.map { ["name": $0.0, "port": $0.1] },
                "lists": ["players": ["capacity": "8", "values": state.players]],
            ],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    private func serve(_ connection: HTTPConnection) async throws {
        try await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body = ""
            for try await part in inbound {
                switch part {
                case .head(let requestHead):
                    head = requestHead
                    body = ""
                case .body(let buffer):
                    body += String(buffer: buffer)
                case .end:
                    guard let request = head else { continue }
                    let path = request.uri
                    state.withLockedValue {
                        $0.requests.append(Request(method: "\(request.method)", path: path, body: body))
                    }
                    if request.method == .GET, path == "/watch/gameserver" {
                        try await streamWatch(to: outbound)
                        return
                    }
                    let (status, json) = respond(request.method, path, body)
                    var headers = HTTPHeaders()
                    headers.add(name: "Content-Type", value: "application/json")
                    headers.add(name: "Content-Length", value: "\(json.utf8.count)")
                    try await outbound.write(
                        .head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))
                    )
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(string: json))))
                    try await outbound.write(.end(nil))
                }
            }
        }
    }

    private func respond(_ method: HTTPMethod, _ path: String, _ body: String) -> (HTTPResponseStatus, String) {
        switch (method, path) {
        case (.GET, "/gameserver"):
            let unavailable = state.withLockedValue { state in
                defer { state.unavailable = max(0, state.unavailable - 1) }
                return state.unavailable > 0
            }
            if unavailable { return (.serviceUnavailable, #"{"error":"not ready"}"#) }
            return (.ok, state.withLockedValue { Self.gameServer($0) })
        case (.POST, "/ready"):
            change { $0.state = "Ready" }
            return (.ok, "{}")
        case (.POST, "/health"):
            return (.ok, "{}")
        case (.POST, "/shutdown"):
            change { $0.state = "Shutdown" }
            return (.ok, "{}")
        case (.POST, "/allocate"):
            change { $0.state = "Allocated" }
            return (.ok, "{}")
        case (.POST, "/v1beta1/lists/players:addValue"), (.POST, "/v1beta1/lists/players:removeValue"):
            guard state.withLockedValue({ $0.hasPlayersList }) else {
                return (.notFound, #"{"code":5,"message":"List not found: players"}"#)
            }
            let value =
                (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["value"] as? String
            guard let value else { return (.badRequest, #"{"code":3,"message":"no value"}"#) }
            let add = path.hasSuffix(":addValue")
            change { state in
                if add { state.players.append(value) } else { state.players.removeAll { $0 == value } }
            }
            let players = state.withLockedValue { $0.players }
            let list =
                (try? JSONSerialization.data(withJSONObject: ["name": "players", "capacity": "8", "values": players]))
            return (.ok, list.map { String(decoding: $0, as: UTF8.self) } ?? "{}")
        default:
            return (.notFound, #"{"code":5,"message":"Not Found"}"#)
        }
    }

    /// The watch: the current GameServer first, then one line per change, until ``endWatches()``.
    private func streamWatch(to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        let (lines, continuation) = AsyncStream.makeStream(of: String.self)
        let id = state.withLockedValue { state in
            let id = state.nextWatcher
            state.nextWatcher += 1
            state.watchers[id] = continuation
            continuation.yield(#"{"result":"# + Self.gameServer(state) + "}\n")
            return id
        }
        defer { _ = state.withLockedValue { $0.watchers.removeValue(forKey: id) } }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Transfer-Encoding", value: "chunked")
        try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)))
        for await line in lines {
            try await outbound.write(.body(.byteBuffer(ByteBuffer(string: line))))
        }
        try await outbound.write(.end(nil))
    }
}
