import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RealtimeSession
import RealtimeTestSupport
import Testing

@testable import RealtimeServer

/// A player's own socket on the fast port that fails, to open or later, leaves the player on the port's shared socket
/// for the back-off, and is opened again after it.
@Suite("A player's own socket on the fast port")
struct PlayerSocketsTests {
    /// The text of each datagram, by the socket it arrived on ("shared" or "own"), and the players' own sockets.
    final class Arrivals: Sendable {
        private let state = NIOLockedValueBox<(texts: [String: [String]], own: [any Channel])>(([:], []))

        func record(_ text: String, on socket: String) {
            state.withLockedValue { $0.texts[socket, default: []].append(text) }
        }

        func texts(on socket: String) -> [String] { state.withLockedValue { $0.texts[socket] ?? [] } }

        func opened(_ channel: any Channel) { state.withLockedValue { $0.own.append(channel) } }

        var ownSockets: [any Channel] { state.withLockedValue { $0.own } }
    }

    final class Tap: ChannelInboundHandler {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let socket: String
        let arrivals: Arrivals

        init(_ socket: String, _ arrivals: Arrivals) {
            self.socket = socket
            self.arrivals = arrivals
        }

        /// A socket is active once bound (one that failed to bind never is).
        func channelActive(context: ChannelHandlerContext) {
            if socket == "own" { arrivals.opened(context.channel) }
            context.fireChannelActive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            arrivals.record(String(buffer: Self.unwrapInboundIn(data).data), on: socket)
        }
    }

    static let backOff = TimeAmount.seconds(10)

    @Test func aFailedSocketBacksOffAndIsOpenedAgain() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let log = LogCapture()
        let arrivals = Arrivals()
        var channels: [any Channel] = []
        // The back-off runs on the test's clock: time passes only when the test says so.
        let clock = NIOLockedValueBox(NIODeadline.now())
        do {
            // A socket without SO_REUSEPORT holds the port: a player's socket cannot bind it.
            let blocker = try await DatagramBootstrap(group: loop).bind(host: "127.0.0.1", port: 0).get()
            let port = try #require(blocker.localAddress?.port)
            let portAddress = try SocketAddress(ipAddress: "127.0.0.1", port: port)
            let player = try await DatagramBootstrap(group: loop).bind(host: "127.0.0.1", port: 0).get()
            channels.append(player)
            let endpoint = try #require(player.localAddress.flatMap(UDPEndpoint.init))
            let sockets = try await loop.submit {
                NIOLoopBound(
                    PlayerSockets(
                        loop: loop,
                        localAddress: portAddress,
                        receiveBuffer: 64 * 1024,
                        capacity: 4,
                        logger: log.logger(level: .debug),
                        retryAfter: Self.backOff,
                        now: { clock.withLockedValue { $0 } }
                    ) { Tap("own", arrivals) },
                    eventLoop: loop
                )
            }.get()
            var sent = 0
            /// Sends a datagram from the player to the port and waits for it to arrive; returns the socket it came on.
            func sendAndFind() async throws -> String {
                sent += 1
                let text = "datagram \(sent)"
                try await player.writeAndFlush(
                    AddressedEnvelope(remoteAddress: portAddress, data: ByteBuffer(string: text))
                ).get()
                var socket = ""
                try await eventually("\(text) arriving") {
                    socket = ["shared", "own"].first { arrivals.texts(on: $0).contains(text) } ?? ""
                    return !socket.isEmpty
                }
                return socket
            }
            func open() async throws { try await loop.submit { sockets.value.open(endpoint) { _ in true } }.get() }

            try await open()
            try await eventually("the failed open being logged") {
                log.contains("no socket of its own for a player's fast channel")
            }
            // The port is free for sockets with SO_REUSEPORT now; within the back-off no socket is opened.
            try await blocker.close()
            let shared = try await DatagramBootstrap(group: loop)
                .channelOption(PlayerSockets.reusePort, value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(Tap("shared", arrivals))
                    }
                }
                .bind(to: portAddress).get()
            channels.append(shared)
            try await open()
            #expect(try await sendAndFind() == "shared")
            #expect(arrivals.ownSockets.isEmpty)

            // After it, the next game message opens the socket, and the player's datagrams arrive on it.
            clock.withLockedValue { $0 = $0 + Self.backOff }
            try await eventually("the player's own socket taking its datagrams") {
                try await open()
                return try await sendAndFind() == "own"
            }

            // A socket that closes on its own (an error) backs off the same way.
            let own = try #require(arrivals.ownSockets.first)
            try await own.close()
            try await loop.submit {}.get()
            try await open()
            #expect(try await sendAndFind() == "shared")
            #expect(arrivals.ownSockets.count == 1)
            clock.withLockedValue { $0 = $0 + Self.backOff }
            try await eventually("a new socket of its own") {
                try await open()
                return try await sendAndFind() == "own"
            }
            #expect(arrivals.ownSockets.count == 2)
            try await loop.submit { sockets.value.closeAll() }.get()
        } catch {
            for channel in channels { try? await channel.close() }
            try await group.shutdownGracefully()
            throw error
        }
        for channel in channels { try? await channel.close() }
        try await group.shutdownGracefully()
    }
}
