import Logging
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Watches the listening socket's accept errors. When the process is out of file descriptors, NIO's accept back-off
/// (added by the bootstrap, after this handler) pauses accepting for a second instead of spinning; this handler says
/// so in the log, once a minute at most, with the number of errors held back.
final class AcceptErrorLogger: ChannelInboundHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    private let logger: Logger
    private var log = LogLimiter<Int32>(interval: .seconds(60))

    init(logger: Logger) {
        self.logger = logger
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? IOError, let heldBack = log.admit(error.errnoCode, at: .now()) {
            let outOfDescriptors = error.errnoCode == EMFILE || error.errnoCode == ENFILE
            logger.warning(
                outOfDescriptors
                    ? "out of file descriptors: not accepting connections for a second (raise ulimit -n)"
                    : "cannot accept a connection",
                metadata: ["error": "\(error)", "heldBack": "\(heldBack)"]
            )
        }
        context.fireErrorCaught(error)
    }
}
