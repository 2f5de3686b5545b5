import NIOCore
import NIOPosix
import NIOSSL

extension RealtimeServer {
    /// Binds the WebSocket listener, then the UDP socket. With a port range (`--port-range`), takes the first port of
    /// the range where both bind, so that several processes share one host; otherwise the configured ports.
    func bindListeners(
        group: MultiThreadedEventLoopGroup,
        loop: any EventLoop,
        configuration: ServerConfiguration,
        gate: ConnectionGate,
        host: EventLoopFuture<SessionHost>,
        tls: NIOSSLContext?
    ) async throws -> (NIOAsyncChannel<EventLoopFuture<Accepted>, Never>, FastPort) {
        // With a range, each port of it in turn (the same for TCP and UDP); without, the configured ports once.
        let candidates =
            configuration.portRange.map { range in
                range.map { port in
                    var candidate = configuration
                    candidate.port = port
                    candidate.udpPort = port
                    return candidate
                }
            } ?? [configuration]
        var lastError: (any Error)?
        for candidate in candidates {
            do {
                return try await bindPair(
                    group: group,
                    loop: loop,
                    configuration: candidate,
                    gate: gate,
                    host: host,
                    tls: tls
                )
            } catch let error as IOError where error.errnoCode == EADDRINUSE && configuration.portRange != nil {
                // Taken (by another process on this host): the next port of the range. Any other error is final.
                logger.debug("port \(candidate.port) is taken", metadata: ["error": "\(error)"])
                lastError = error
            }
        }
        throw lastError ?? IOError(errnoCode: EADDRINUSE, reason: "bind")
    }

    private func bindPair(
        group: MultiThreadedEventLoopGroup,
        loop: any EventLoop,
        configuration: ServerConfiguration,
        gate: ConnectionGate,
        host: EventLoopFuture<SessionHost>,
        tls: NIOSSLContext?
    ) async throws -> (NIOAsyncChannel<EventLoopFuture<Accepted>, Never>, FastPort) {
        let tcpAddress = try SocketAddress.makeAddressResolvingHost(configuration.host, port: configuration.port)
        let serverChannel = try await bindWebSocket(
            group: group,
            address: tcpAddress,
            configuration: configuration,
            gate: gate,
            host: host,
            tls: tls
        )
        do {
            let fastPort = try await bindUDP(
                loop: loop,
                tcpAddress: tcpAddress,
                tcpChannel: serverChannel.channel,
                configuration: configuration
            )
            return (serverChannel, fastPort)
        } catch {
            try? await serverChannel.channel.close()
            throw error
        }
    }
}

/// The fast port's socket: its channel, and in plain mode the descriptor the fan-out writes to (``DatagramSender``).
struct FastPort: Sendable {
    var channel: any Channel
    var descriptor: CInt?
}
