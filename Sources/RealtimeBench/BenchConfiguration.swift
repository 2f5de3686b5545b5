import NIOCore
import RealtimeClient

/// Everything one bench run is told (`rtctl bench`'s flags, parsed).
public struct BenchConfiguration: Sendable {
    /// Whom every message is addressed to.
    public enum Target: String, Sendable, CaseIterable {
        /// The sender's group (client `i` is in group `i % groups + 1`); every member receives it, the sender too.
        case group
        /// One other client (client `i` sends to client `i + 1`); one recipient.
        case player
        /// The server (`targetPlayer` -1): only its script sees it, so nothing is delivered back.
        case server
    }

    /// Clients connected, all in this process.
    public var clients: Int = 64
    /// New connections started per second during the ramp.
    public var connectRate: Double = 1000
    /// Groups the clients are spread over (round robin).
    public var groups: Int = 1
    public var target: Target = .group
    /// Messages per second, all clients together; 0 sends nothing (idle clients).
    public var rate: Double = 1000
    /// The measured period, after the warm-up.
    public var duration: TimeAmount = .seconds(10)
    /// Sent and delivered like the rest, left out of every figure.
    public var warmup: TimeAmount = .seconds(1)
    /// How long receivers keep counting after the last scheduled send.
    public var drain: TimeAmount = .seconds(1)
    /// Payload bytes per message (at least ``BenchPayload/minimumSize``).
    public var size: Int = BenchPayload.minimumSize
    /// `--reliable`: WebSocket messages (the clients then skip UDP altogether); otherwise fast (UDP) messages.
    public var reliable: Bool = false
    /// The op code of the bench's messages.
    public var opCode: Int32 = 100
    /// Event-loop threads for the clients; nil: one per core.
    public var threads: Int?
    /// How `wss://` endpoints are checked (`--tls`).
    public var tls: ClientTLS?

    public init() {}

    /// The sender's group for client `index` (1-based group ids).
    public func group(ofClient index: Int) -> Int32 {
        Int32(index % max(groups, 1) + 1)
    }

    /// How many clients each message reaches, client by client: the recipients at send time.
    public func recipientCounts() -> [Int] {
        switch target {
        case .server:
            return Array(repeating: 0, count: clients)
        case .player:
            return Array(repeating: 1, count: clients)
        case .group:
            var sizes = [Int](repeating: 0, count: max(groups, 1) + 1)
            for index in 0..<clients { sizes[Int(group(ofClient: index))] += 1 }
            return (0..<clients).map { sizes[Int(group(ofClient: $0))] }
        }
    }

    /// Descriptors the run needs: a TCP socket per client, a UDP socket per client for fast messages, the server's
    /// side of every connection when it runs in this process, and some room for everything else.
    public func descriptorsNeeded(inProcessServer: Bool) -> Int {
        clients * (reliable ? 1 : 2) + (inProcessServer ? clients : 0) + 64
    }
}
