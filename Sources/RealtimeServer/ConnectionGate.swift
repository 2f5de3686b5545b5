import DequeModule
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Counts the server's TCP connections and keeps the ones that have not logged in yet in check.
///
/// * At most `maxConnections` at once: a connection over it is closed as soon as it is accepted.
/// * At most `maxPending` that have not logged in: a new one pushes the oldest such connection out, so that a crowd
///   of idle connections cannot lock a real player out (a real client logs in within a round trip of connecting,
///   long before thousands of newer connections could push it out).
///
/// Connections arrive on every event loop, so the gate keeps its books under a lock; it is touched only when a
/// connection opens, logs in and closes.
final class ConnectionGate: Sendable {
    struct Limits: Sendable, Hashable {
        var maxConnections: Int
        var maxPending: Int
    }

    private struct State {
        var open = 0
        /// Pending connections, oldest first, with the serial number they were admitted with; entries of connections
        /// that logged in or closed are skipped lazily (a later channel may have the same identifier: the serial
        /// tells them apart).
        var pendingOrder: Deque<(id: ObjectIdentifier, serial: UInt64)> = []
        var pending: [ObjectIdentifier: (channel: any Channel, serial: UInt64)] = [:]
        var nextSerial: UInt64 = 0
        var refusedLog = LogLimiter<Bool>(interval: .seconds(10))
    }

    let limits: Limits
    private let state = NIOLockedValueBox(State())
    private let logger: Logger
    private let metrics: ServerMetrics

    init(limits: Limits, logger: Logger, metrics: ServerMetrics) {
        self.limits = limits
        self.logger = logger
        self.metrics = metrics
    }

    /// A connection was accepted: false when it must be closed at once (too many connections). It counts as
    /// pending until ``loggedIn(_:)``; the oldest pending connection is closed when there are too many.
    func admit(_ channel: any Channel) -> Bool {
        let id = ObjectIdentifier(channel)
        let (admitted, evicted, logRefusal) = state.withLockedValue { state -> (Bool, (any Channel)?, Int?) in
            guard state.open < limits.maxConnections else {
                return (false, nil, state.refusedLog.admit(true, at: .now()))
            }
            state.open += 1
            state.nextSerial += 1
            state.pending[id] = (channel, state.nextSerial)
            state.pendingOrder.append((id, state.nextSerial))
            while state.pending.count > limits.maxPending, let oldest = state.pendingOrder.popFirst() {
                guard let entry = state.pending[oldest.id], entry.serial == oldest.serial else { continue }
                state.pending[oldest.id] = nil
                return (true, entry.channel, nil)
            }
            return (true, nil, nil)
        }
        if let logRefusal {
            logger.warning(
                "too many connections: closing new ones",
                metadata: ["maxConnections": "\(limits.maxConnections)", "heldBack": "\(logRefusal)"]
            )
        }
        if !admitted {
            metrics.refusedConnections.increment()
            return false
        }
        if let evicted {
            metrics.evictedPending.increment()
            evicted.close(promise: nil)
        }
        channel.closeFuture.whenComplete { [self] _ in closed(id) }
        return true
    }

    /// The connection logged in: it no longer counts as pending.
    func loggedIn(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        state.withLockedValue { state in
            guard state.pending.removeValue(forKey: id) != nil else { return }
            Self.compact(&state)
        }
    }

    /// How many connections are open, and how many of them have not logged in.
    var counts: (open: Int, pending: Int) {
        state.withLockedValue { ($0.open, $0.pending.count) }
    }

    private func closed(_ id: ObjectIdentifier) {
        state.withLockedValue { state in
            state.open -= 1
            if state.pending.removeValue(forKey: id) != nil { Self.compact(&state) }
        }
    }

    /// Drops stale ids from the order once it is mostly stale, so it stays as small as the pending set.
    private static func compact(_ state: inout State) {
        guard state.pendingOrder.count > 2 * state.pending.count + 64 else { return }
        state.pendingOrder = Deque(state.pendingOrder.filter { state.pending[$0.id]?.serial == $0.serial })
    }
}
