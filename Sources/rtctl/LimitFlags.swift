import ArgumentParser
import NIOCore
import RealtimeBench
import RealtimeServer
import RealtimeSession

/// The flags of `rtctl serve` that bound what one client, or a crowd of them, can cost the others (README "Limits and
/// abuse").
struct LimitFlags: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            """
            Messages per second each player may send, counted apart on the WebSocket and over UDP. Datagrams beyond \
            it are dropped; WebSocket messages beyond it wait (the server stops reading the connection: the sender \
            is slowed down, nothing is lost). Logged once per player every 10 s. 0 turns the limit off.
            """,
            valueName: "msgs/s"
        )
    )
    var rateLimit = "\(RateLimit.defaultPerSecond)"

    @Option(
        help: ArgumentHelp("How many messages may arrive at once above the rate (default: the rate).", valueName: "n")
    )
    var burst: Int?

    @Option(
        help: ArgumentHelp(
            """
            Disconnect (1008 "rate limit exceeded") a player that keeps sending more than twice its rate limit over \
            UDP, or is held back on its WebSocket without a break, for this long; 0 never disconnects.
            """,
            valueName: "duration"
        )
    )
    var rateLimitKick = DurationArgument(.seconds(10))

    @Option(
        help: ArgumentHelp(
            "Close a connection that has not logged in this long after connecting (1008 \"login timeout\").",
            valueName: "duration"
        )
    )
    var loginTimeout = DurationArgument(.seconds(5))

    @Option(
        help: ArgumentHelp(
            "Connections that have not logged in, at most; a new one closes the oldest of them.",
            valueName: "n"
        )
    )
    var maxPending = 1024

    @Option(
        help: ArgumentHelp(
            """
            TCP connections at once, at most; more are closed as soon as they are accepted (default: max players + \
            max pending + 64, within the open-file limit; given, it is used as is).
            """,
            valueName: "n"
        )
    )
    var maxConnections: Int?

    @Option(
        help: ArgumentHelp(
            """
            How long a player whose connection was lost (no close frame) keeps its slot, peer id and groups for a \
            login with the same player session id; 0 removes it at once.
            """,
            valueName: "duration"
        )
    )
    var reconnectGrace = DurationArgument(.seconds(10))

    @Option(
        help: ArgumentHelp(
            """
            Close (1008 "too slow") a player whose oldest unsent reliable message is older than this; 0 turns the \
            check off.
            """,
            valueName: "duration"
        )
    )
    var maxLag = DurationArgument(.seconds(5))

    @Option(
        help: ArgumentHelp(
            """
            The receive buffer (SO_RCVBUF) of each UDP socket of the fast port: the shared one, and each bound \
            player's own. How much the kernel holds while the server is busy; small keeps fast messages from \
            arriving late (past it they are dropped); capped by net.core.rmem_max.
            """,
            valueName: "bytes"
        )
    )
    var udpReceiveBuffer = 256 * 1024

    mutating func validate() throws {
        guard (4096...(1 << 30)).contains(udpReceiveBuffer) else {
            throw ValidationError("--udp-receive-buffer \(udpReceiveBuffer) is not between 4096 and 1073741824 bytes")
        }
        guard let rate = Quantity.rate(rateLimit), rate <= 10_000_000, rate == rate.rounded() else {
            throw ValidationError(
                "--rate-limit \(rateLimit) is not a whole number of messages per second (e.g. 60, 1k)"
            )
        }
        if let burst, !(1...10_000_000).contains(burst) {
            throw ValidationError("--burst \(burst) is not between 1 and 10000000")
        }
        if !(1...1_000_000).contains(maxPending) {
            throw ValidationError("--max-pending \(maxPending) is not between 1 and 1000000")
        }
        if let maxConnections, !(1...10_000_000).contains(maxConnections) {
            throw ValidationError("--max-connections \(maxConnections) is not between 1 and 10000000")
        }
        guard loginTimeout.nanoseconds > 0 else { throw ValidationError("--login-timeout must be positive") }
    }

    /// The rate limit these flags describe (the same for the WebSocket and for UDP).
    var limit: RateLimit {
        let perSecond = Int(Quantity.rate(rateLimit) ?? Double(RateLimit.defaultPerSecond))
        guard perSecond > 0 else { return .off }
        return RateLimit(
            perSecond: perSecond,
            burst: burst ?? perSecond,
            kickAfter: rateLimitKick.nanoseconds > 0 ? .nanoseconds(rateLimitKick.nanoseconds) : nil
        )
    }

    func apply(to configuration: inout ServerConfiguration) {
        configuration.reliableRateLimit = limit
        configuration.session.fastRateLimit = limit
        configuration.loginTimeout = .nanoseconds(loginTimeout.nanoseconds)
        configuration.maxPending = maxPending
        configuration.maxConnections = maxConnections
        configuration.session.reconnectGrace = .nanoseconds(reconnectGrace.nanoseconds)
        configuration.maxLag = maxLag.nanoseconds > 0 ? .nanoseconds(maxLag.nanoseconds) : nil
        configuration.udpReceiveBuffer = udpReceiveBuffer
    }
}
