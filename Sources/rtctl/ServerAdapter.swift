import Logging
import RealtimeServer
import ServiceLifecycle

/// Where `rtctl serve` meets the `RealtimeServer` module.
///
/// Kept apart so that the command's flags, validation and output can be built and tested while the server
/// lands on its own branch.
enum ServerAdapter {
    /// Where the server listens, as it reports once its sockets are bound.
    struct Address: Sendable {
        var host: String
        var tcpPort: Int
        var udpPort: Int
        var gameSessionId: String
    }

    static func makeServer(
        configuration: ServerConfiguration,
        logger: Logger,
        onListening: @escaping @Sendable (Address) -> Void
    ) throws -> any Service {
        throw RtctlError.runtime("this build of rtctl does not include the Realtime server yet")
    }
}

extension ListeningLine {
    init(_ address: ServerAdapter.Address) {
        self.init(
            host: address.host,
            tcpPort: address.tcpPort,
            udpPort: address.udpPort,
            gameSessionId: address.gameSessionId
        )
    }
}

extension ServerAdapter {
    /// Whether `makeServer` builds a real server (false until `RealtimeServer` is merged and wired in).
    static let isAvailable = false
}
