import Dispatch
import RealtimeClient
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Ends a client command's connection from anywhere (a timer, a signal, the input reaching its end) and remembers
/// why, so that the command can tell a close it asked for from one the server imposed.
final class ConnectionControl: Sendable {
    /// Why the command closed the connection itself.
    enum StopReason: Sendable, Equatable {
        /// The command reached its goal (end of input, `--count`, an answer).
        case finished
        /// `--timeout` expired.
        case timeout
        /// `--idle` expired.
        case idle
        /// SIGINT or SIGTERM.
        case interrupted
        /// A failure of the command's own (bad input with `--strict`, an I/O error).
        case failed(RtctlError)
    }

    let client: RealtimeClient
    private let reason = Mutex<StopReason?>(nil)

    init(client: RealtimeClient) {
        self.client = client
    }

    /// Closes the connection (1000) for `reason`; the first reason given wins. Returns at once.
    func stop(_ reason: StopReason) {
        let first = self.reason.withLock { current in
            guard current == nil else { return false }
            current = reason
            return true
        }
        guard first else { return }
        let client = self.client
        Task { await client.close() }
    }

    /// Why the command closed the connection; nil while it has not (or when the server closed it).
    var stopReason: StopReason? { reason.withLock { $0 } }

    /// Stops with `.timeout` after `duration` (nil: never). Cancel the returned task when it is no longer needed.
    @discardableResult
    func stop(after duration: Duration?, _ reason: StopReason = .timeout) -> Task<Void, Never>? {
        guard let duration else { return nil }
        return Task { [self] in
            guard (try? await Task.sleep(for: duration)) != nil else { return }
            stop(reason)
        }
    }
}

/// SIGINT and SIGTERM handled as a request to close cleanly: buffered output is written before the process exits.
enum TerminationSignals {
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    /// Calls `handler` (on a dispatch queue) for every SIGINT or SIGTERM from now on. Call once, from one task.
    static func handle(_ handler: @escaping @Sendable () -> Void) {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            sources.append(source)
        }
    }
}
