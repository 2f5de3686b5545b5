import Logging
import NIOCore
import NIOPosix
import RealtimeProtocol
import RealtimeSession

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Plain mode's fast port as one socket per active player beside the shared one (opened at a bound player's first
/// game message, so idle players cost none): each bound to the fast port itself
/// (`SO_REUSEPORT`) and connected to its player's address. The kernel hands a datagram to the socket connected to its
/// source before the shared one, so each player's datagrams wait in a queue of their own, and a flood at the port
/// (random bytes, forged senders, `-5`s from strangers) fills only the shared socket's receive buffer, never a
/// player's.
///
/// Every socket hands its datagrams to a ``FastChannelHandler`` of the same session, which screens and decodes them
/// by their source exactly as on the shared socket: which socket a datagram arrives on changes its queue and nothing
/// else. A socket opened late, or closed up to a second after its binding moved (``closeUnbound(keeping:)``), costs
/// only that isolation. Replies and relays all leave from the shared socket, one `sendmmsg` per batch.
///
/// Lives on the session's event loop, like the session.
final class PlayerSockets {
    private enum Slot {
        case opening
        case open(any Channel)
        /// Opening failed, or the socket closed on an error (an ICMP error the kernel reports on a connected
        /// socket, out of descriptors): the player shares the port's socket until then.
        case failed(until: NIODeadline)
    }

    /// How long a player whose socket failed shares the port's socket before another try (by default).
    static let defaultRetryAfter = TimeAmount.seconds(10)

    /// `SO_REUSEPORT`: every socket on the fast port sets it, the shared one included.
    static let reusePort = ChannelOptions.Types.SocketOption(
        level: .socket,
        name: NIOBSDSocket.Option(rawValue: SO_REUSEPORT)
    )

    private let loop: any EventLoop
    private let localAddress: SocketAddress
    private let receiveBuffer: Int
    /// Sockets at most (the open-file limit's share); past it, players share the port's socket.
    private let capacity: Int
    private let logger: Logger
    private let retryAfter: TimeAmount
    /// The time, for the back-off (a test's own clock).
    private let now: @Sendable () -> NIODeadline
    /// The handler of a new socket: the session's ``FastChannelHandler``.
    private let makeHandler: @Sendable () -> any ChannelHandler
    private var slots: [UDPEndpoint: Slot] = [:]
    private var closed = false

    init(
        loop: any EventLoop,
        localAddress: SocketAddress,
        receiveBuffer: Int,
        capacity: Int,
        logger: Logger,
        retryAfter: TimeAmount = PlayerSockets.defaultRetryAfter,
        now: @escaping @Sendable () -> NIODeadline = NIODeadline.now,
        makeHandler: @escaping @Sendable () -> any ChannelHandler
    ) {
        self.loop = loop
        self.localAddress = localAddress
        self.receiveBuffer = receiveBuffer
        self.capacity = capacity
        self.logger = logger
        self.retryAfter = retryAfter
        self.now = now
        self.makeHandler = makeHandler
    }

    /// A message came from `endpoint` through the shared socket: give it its own socket (once) when `isBound` says a
    /// player is bound to it. One lookup when it has one, is getting one, or cannot have one.
    func open(_ endpoint: UDPEndpoint, isBound: (UDPEndpoint) -> Bool) {
        guard !closed else { return }
        switch slots[endpoint] {
        case .opening?, .open?: return
        case .failed(let until)? where now() < until: return
        case .failed?: break
        case nil: guard slots.count < capacity else { return }
        }
        guard isBound(endpoint) else { return }
        slots[endpoint] = .opening
        let makeHandler = self.makeHandler
        var bootstrap = DatagramBootstrap(group: loop)
            .channelOption(Self.reusePort, value: 1)
            // One datagram per read, into a buffer just over the largest one allowed (a longer one shows as
            // oversized): a socket per player must cost little memory (10,000 idle players), and a player's queue
            // holds only what it sent since the loop's last turn.
            .channelOption(.maxMessagesPerRead, value: 1)
            .channelOption(
                .recvAllocator,
                value: FixedSizeRecvByteBufferAllocator(capacity: RealtimeConstants.maxDatagramSize + 1)
            )
            .channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(receiveBuffer))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(makeHandler())
                }
            }
        if localAddress.protocol == .inet6 {
            bootstrap = bootstrap.channelOption(RealtimeServer.ipv6Only, value: 0)
        }
        let sockets = NIOLoopBound(self, eventLoop: loop)
        bootstrap.bind(to: localAddress)
            .flatMap { channel in
                channel.connect(to: endpoint.address)
                    .map { channel }
                    .flatMapError { error in channel.close().flatMapThrowing { throw error } }
            }
            .whenComplete { result in sockets.value.opened(endpoint, result) }
    }

    private func opened(_ endpoint: UDPEndpoint, _ result: Result<any Channel, any Error>) {
        switch result {
        case .success(let channel):
            guard !closed, case .opening = slots[endpoint] else {
                channel.close(promise: nil)
                return
            }
            slots[endpoint] = .open(channel)
            let sockets = NIOLoopBound(self, eventLoop: loop)
            channel.closeFuture.whenComplete { _ in sockets.value.forget(endpoint, channel) }
        case .failure(let error):
            // The shared socket still takes this player's datagrams; only the isolation is missing.
            guard case .opening = slots[endpoint] else { return }
            slots[endpoint] = .failed(until: now() + retryAfter)
            logger.debug(
                "no socket of its own for a player's fast channel",
                metadata: ["address": "\(endpoint)", "error": "\(error)"]
            )
        }
    }

    /// A socket closed; unless this closed it (its slot is gone then), it closed on an error.
    private func forget(_ endpoint: UDPEndpoint, _ channel: any Channel) {
        if case .open(let current) = slots[endpoint], current === channel {
            slots[endpoint] = .failed(until: now() + retryAfter)
        }
    }

    /// Closes the sockets of addresses no player is bound to any more (it moved, or left).
    func closeUnbound(keeping isBound: (UDPEndpoint) -> Bool) {
        for (endpoint, slot) in slots where !isBound(endpoint) {
            if case .open(let channel) = slot { channel.close(promise: nil) }
            slots[endpoint] = nil
        }
    }

    /// At shutdown: closes every socket and opens no more.
    func closeAll() {
        closed = true
        closeUnbound { _ in false }
    }
}
