import Foundation
import NIOConcurrencyHelpers
import NIOHTTP1

/// A response of the admin listener: status, content type and body, or an event stream.
struct AdminResponse: Sendable {
    var status: HTTPResponseStatus
    var contentType = "text/plain; charset=utf-8"
    var body = ""
    /// For an event stream: produces the next event (`data: …` and a blank line).
    var events: (@Sendable () async -> String)?
    var extraHeaders: [(String, String)] = []

    func head(version: HTTPVersion, keepAlive: Bool) -> HTTPResponseHead {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Cache-Control", value: "no-store")
        for (name, value) in extraHeaders { headers.add(name: name, value: value) }
        if events == nil {
            headers.add(name: "Content-Length", value: "\(body.utf8.count)")
        }
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        return HTTPResponseHead(version: version, status: status, headers: headers)
    }
}

/// What each admin path answers.
struct AdminRouter: Sendable {
    let status: ServerStatus
    let metricsText: (@Sendable () -> String)?
    /// `/status` rates are per second since the previous `/status` request (the first one's are zero).
    private let statusMeter = NIOLockedValueBox(RateMeter())

    func respond(to request: HTTPRequestHead) async -> AdminResponse {
        guard request.method == .GET || request.method == .HEAD else {
            return AdminResponse(
                status: .methodNotAllowed,
                body: "\(request.method) is not allowed here: use GET\n",
                extraHeaders: [("Allow", "GET, HEAD")]
            )
        }
        let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
        switch path {
        case "/healthz":
            let health = status.health
            return Self.verdict(health.isHealthy, "ok", otherwise: "unhealthy", health.problems)
        case "/readyz":
            let health = status.health
            return Self.verdict(health.isReady, "ready", otherwise: "not ready", health.problems)
        case "/metrics":
            guard let metricsText else {
                return AdminResponse(status: .notFound, body: "metrics are not enabled in this process\n")
            }
            _ = await status.snapshot()  // sets the gauges
            return AdminResponse(
                status: .ok,
                contentType: "text/plain; version=0.0.4; charset=utf-8",
                body: metricsText()
            )
        case "/status":
            let snapshot = await status.snapshot()
            let document = statusMeter.withLockedValue { $0.document(for: snapshot) }
            return AdminResponse(status: .ok, contentType: "application/json", body: document + "\n")
        case "/events":
            let meter = NIOLockedValueBox(RateMeter())
            let status = self.status
            return AdminResponse(
                status: .ok,
                contentType: "text/event-stream",
                events: {
                    let snapshot = await status.snapshot()
                    let document = meter.withLockedValue { $0.document(for: snapshot) }
                    return "event: status\ndata: \(document)\n\n"
                }
            )
        case "/", "/index.html":
            return AdminResponse(status: .ok, contentType: "text/html; charset=utf-8", body: StatusPage.html)
        default:
            return AdminResponse(
                status: .notFound,
                body: "no such page: \(path) (try /, /healthz, /readyz, /metrics, /status or /events)\n"
            )
        }
    }
}

extension AdminRouter {
    /// 200 with `yes`, or 503 with `no` and the problems.
    fileprivate static func verdict(
        _ holds: Bool,
        _ yes: String,
        otherwise no: String,
        _ problems: [String]
    )
        -> AdminResponse
    {
        holds
            ? AdminResponse(status: .ok, body: yes + "\n")
            : AdminResponse(status: .serviceUnavailable, body: "\(no): \(problems.joined(separator: ", "))\n")
    }
}

/// Turns successive snapshots into the status document, with rates per second since the previous snapshot.
struct RateMeter {
    private var previous: StatusSnapshot?

    struct Rates: Encodable, Hashable {
        var messagesIn = 0.0
        var messagesOut = 0.0
        var bytesIn = 0.0
        var bytesOut = 0.0
        var relayed = 0.0
    }

    private struct Health: Encodable {
        var healthy: Bool
        var ready: Bool
        var problems: [String]
        var script: String
        var scriptHealthy: Bool?
        var gameSession: String
        var listening: Bool
        var shuttingDown: Bool
    }

    private struct Document: Encodable {
        var gameSessionId: String
        var uptime: Double
        var maxPlayers: Int
        var health: Health
        var players: [StatusSnapshot.PlayerSummary]
        var groups: [StatusSnapshot.GroupSummary]
        var totals: TrafficTotals
        var rates: Rates
    }

    /// The rates between the previous snapshot and this one (zero for the first).
    mutating func rates(for snapshot: StatusSnapshot) -> Rates {
        defer { previous = snapshot }
        guard let previous, snapshot.uptime > previous.uptime else { return Rates() }
        let seconds = snapshot.uptime - previous.uptime
        let now = snapshot.totals
        let then = previous.totals
        func rate(_ value: (TrafficTotals) -> Int) -> Double { Double(value(now) - value(then)) / seconds }
        return Rates(
            messagesIn: rate { $0.messagesReceivedReliable + $0.messagesReceivedFast },
            messagesOut: rate { $0.packetsSentReliable + $0.packetsSentFast },
            bytesIn: rate { $0.bytesReceivedReliable + $0.bytesReceivedFast },
            bytesOut: rate { $0.bytesSentReliable + $0.bytesSentFast },
            relayed: rate { $0.relayed }
        )
    }

    /// The snapshot as one line of JSON (keys sorted), with its rates.
    mutating func document(for snapshot: StatusSnapshot) -> String {
        let health = snapshot.health
        let document = Document(
            gameSessionId: snapshot.gameSessionId,
            uptime: snapshot.uptime,
            maxPlayers: snapshot.maxPlayers,
            health: Health(
                healthy: health.isHealthy,
                ready: health.isReady,
                problems: health.problems,
                script: health.script.rawValue,
                scriptHealthy: health.scriptHealthy,
                gameSession: health.gameSession.rawValue,
                listening: health.listening,
                shuttingDown: health.shuttingDown
            ),
            players: snapshot.players,
            groups: snapshot.groups,
            totals: snapshot.totals,
            rates: rates(for: snapshot)
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(document)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
