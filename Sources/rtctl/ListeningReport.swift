import NIOCore
import RealtimeServer
import Synchronization

/// Writes `serve`'s one stdout line once every listener is up: the Realtime listeners and, with `--admin-port`, the
/// admin listener (its port joins the line).
final class ListeningReport: Sendable {
    private struct State {
        var server: ListeningAddress?
        var adminPort: Int?
        var written = false
    }

    private let state = Mutex(State())
    private let waitsForAdmin: Bool
    private let write: @Sendable (ListeningLine) -> Void

    init(waitsForAdmin: Bool, write: @escaping @Sendable (ListeningLine) -> Void) {
        self.waitsForAdmin = waitsForAdmin
        self.write = write
    }

    func server(_ address: ListeningAddress) {
        emitIfComplete { $0.server = address }
    }

    func admin(_ address: SocketAddress) {
        emitIfComplete { $0.adminPort = address.port ?? 0 }
    }

    private func emitIfComplete(_ change: (inout State) -> Void) {
        let line = state.withLock { state -> ListeningLine? in
            change(&state)
            guard !state.written, let server = state.server, !waitsForAdmin || state.adminPort != nil else {
                return nil
            }
            state.written = true
            var line = ListeningLine(server)
            line.adminPort = state.adminPort
            return line
        }
        if let line { write(line) }
    }
}
