import Logging
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps the listening socket from spinning when the process is out of file descriptors.
///
/// When `accept` fails with EMFILE, the connection stays in the listen queue, the socket stays readable, and NIO
/// tries again at once (its pending read is never consumed, so its accept back-off never applies): a core at 100 %.
/// The guard holds one spare descriptor for that moment: on EMFILE or ENFILE it gives the spare back, so the next
/// `accept` succeeds; it closes that connection at once and takes the spare again. The listen queue drains, one
/// refused connection at a time, and the server is idle again. It says so in the log once a minute at most.
final class AcceptGuard: ChannelInboundHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    private let logger: Logger
    private let metrics: ServerMetrics
    private var spare: Int32
    /// The spare was given back: the next accepted connection is the one it made room for.
    private var rejecting = false
    private var log = LogLimiter<Bool>(interval: .seconds(60))

    init(logger: Logger, metrics: ServerMetrics) {
        self.logger = logger
        self.metrics = metrics
        self.spare = open("/dev/null", O_RDONLY | O_CLOEXEC)
    }

    deinit {
        if spare >= 0 { close(spare) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard rejecting else { return context.fireChannelRead(data) }
        rejecting = false
        Self.unwrapInboundIn(data).close(promise: nil)
        metrics.refusedConnections.increment()
        spare = open("/dev/null", O_RDONLY | O_CLOEXEC)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let error = error as? IOError, error.errnoCode == EMFILE || error.errnoCode == ENFILE else {
            return context.fireErrorCaught(error)
        }
        if let heldBack = log.admit(true, at: .now()) {
            logger.warning(
                "out of file descriptors: closing new connections until some close (raise ulimit -n)",
                metadata: ["error": "\(error)", "heldBack": "\(heldBack)"]
            )
        }
        if spare >= 0 {
            close(spare)
            spare = -1
            rejecting = true
        } else {
            // No spare to give back (another part of the process took it): NIO's back-off is all there is.
            context.fireErrorCaught(error)
        }
    }
}
