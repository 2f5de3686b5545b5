import Histogram
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RealtimeClient
import RealtimeProtocol

/// The bench's clients once connected and ready: connected at the connect rate, spread over groups, UDP handshakes
/// done, every group complete. One set serves every step of a run (a `--find-max` search connects once).
///
/// The clients share one event-loop group, one thread per core by default; each loop's clients are driven by one
/// ``LoopDriver`` that both sends and records, so the hot path crosses no thread and takes no lock.
final class BenchClients: Sendable {
    let configuration: BenchConfiguration
    let drivers: [LoopDriver]
    /// Time from starting the TCP connection to the successful login, one value per client.
    let connectTimes: Histogram<UInt64>
    /// From the first connection started to the last login.
    let connectSeconds: Double
    private let clients: NIOLockedValueBox<[RealtimeClient?]>

    private init(
        configuration: BenchConfiguration,
        drivers: [LoopDriver],
        clients: NIOLockedValueBox<[RealtimeClient?]>,
        connectTimes: Histogram<UInt64>,
        connectSeconds: Double
    ) {
        self.configuration = configuration
        self.drivers = drivers
        self.clients = clients
        self.connectTimes = connectTimes
        self.connectSeconds = connectSeconds
    }

    /// Connects every client on `group` and waits until all are ready; closes what it opened when it throws.
    static func connect(
        on group: MultiThreadedEventLoopGroup,
        runner: BenchRunner,
        progress: (@Sendable (BenchProgress) -> Void)?
    ) async throws -> BenchClients {
        let configuration = runner.configuration
        let loops = Array(group.makeIterator())
        let drivers = loops.enumerated().map { offset, loop in
            LoopDriver(
                loop: loop,
                clientIndices: Array(stride(from: offset, to: configuration.clients, by: loops.count)),
                configuration: configuration
            )
        }
        let clients = NIOLockedValueBox([RealtimeClient?](repeating: nil, count: configuration.clients))
        do {
            let (times, seconds) = try await connectAll(drivers, clients: clients, runner: runner, progress: progress)
            let connected = BenchClients(
                configuration: configuration,
                drivers: drivers,
                clients: clients,
                connectTimes: times,
                connectSeconds: seconds
            )
            try await connected.prepare(readyTimeout: runner.readyTimeout, logger: runner.logger)
            return connected
        } catch {
            await close(drivers, clients: clients)
            throw error
        }
    }

    /// Every loop's figures, for the progress line and the readiness checks.
    func snapshots() async throws -> [LoopDriver.Snapshot] {
        var snapshots: [LoopDriver.Snapshot] = []
        for driver in drivers { snapshots.append(try await driver.loop.submit { driver.snapshot() }.get()) }
        return snapshots
    }

    func close() async {
        await Self.close(drivers, clients: clients)
    }

    // MARK: - Connecting

    private static func connectAll(
        _ drivers: [LoopDriver],
        clients: NIOLockedValueBox<[RealtimeClient?]>,
        runner: BenchRunner,
        progress: (@Sendable (BenchProgress) -> Void)?
    ) async throws -> (Histogram<UInt64>, Double) {
        let configuration = runner.configuration
        let endpoint = runner.endpoint
        let logger = runner.logger
        // Player session ids unique to this run: two benches on one server must not take each other's slots over
        // (a login with a player session id already in the session is a reconnect).
        let runId = String(UInt32.random(in: .min ... .max), radix: 36)
        let start = NIODeadline.now().uptimeNanoseconds
        let planned = Double(configuration.clients) / configuration.connectRate
        let connected = NIOLockedValueBox(0)
        let failure = NIOLockedValueBox<BenchError?>(nil)
        var times = LatencyRecorder.makeHistogram()
        try await withThrowingTaskGroup(of: UInt64?.self) { tasks in
            var lastReport = start
            for index in 0..<configuration.clients {
                // A failure stops the ramp at once.
                if let error = failure.withLockedValue({ $0 }) { throw error }
                let due = start + UInt64(Double(index) * 1e9 / configuration.connectRate)
                var now = NIODeadline.now().uptimeNanoseconds
                if due > now {
                    try await Task.sleep(nanoseconds: due - now)
                    now = NIODeadline.now().uptimeNanoseconds
                }
                if let progress, now - lastReport >= 250_000_000 {
                    lastReport = now
                    progress(
                        BenchProgress(
                            phase: .connecting,
                            elapsed: Double(now - start) / 1e9,
                            total: planned,
                            clientsConnected: connected.withLockedValue { $0 },
                            sent: 0,
                            received: 0
                        )
                    )
                }
                let driver = drivers[index % drivers.count]
                let slot = index / drivers.count
                tasks.addTask {
                    let began = NIODeadline.now().uptimeNanoseconds
                    var options = ClientOptions(
                        playerSessionId: "bench-\(runId)-\(index)",
                        noUDP: configuration.reliable,
                        eventLoopGroup: driver.loop,
                        logger: logger,
                        eventHandler: driver.handler(slot: slot),
                        tls: configuration.tls
                    )
                    options.datagramReadBatch = BenchRunner.datagramReadBatch
                    let client: RealtimeClient
                    do {
                        client = try await RealtimeClient.connect(to: endpoint, options: options)
                    } catch {
                        let clients = configuration.clients
                        failure.withLockedValue {
                            if $0 == nil {
                                $0 = BenchError(
                                    .connectFailed,
                                    "client \(index + 1) of \(clients) could not connect to \(endpoint): \(error)"
                                )
                            }
                        }
                        return nil
                    }
                    let took = NIODeadline.now().uptimeNanoseconds - began
                    clients.withLockedValue { $0[index] = client }
                    try await driver.loop.submit { driver.attach(client, slot: slot) }.get()
                    connected.withLockedValue { $0 += 1 }
                    return took
                }
            }
            for try await took in tasks {
                if let took { times.record(took) }
            }
            if let error = failure.withLockedValue({ $0 }) { throw error }
        }
        return (times, Double(NIODeadline.now().uptimeNanoseconds - start) / 1e9)
    }

    // MARK: - Getting ready

    /// Waits for the UDP handshakes (fast runs), sets every client's target, and for group runs makes the clients
    /// join their groups and checks with the server that every group is complete.
    private func prepare(readyTimeout: TimeAmount, logger: Logger) async throws {
        let configuration = self.configuration
        let deadline = NIODeadline.now() + readyTimeout
        if !configuration.reliable {
            try await waitUntil(deadline, what: "UDP handshakes") { snapshots in
                let ready = snapshots.reduce(0) { $0 + $1.fastReady }
                return ready >= configuration.clients ? nil : "\(ready) of \(configuration.clients)"
            }
        }
        let clients = self.clients.withLockedValue { $0.compactMap(\.self) }
        let peers = clients.map(\.peerId)
        let recipients = configuration.recipientCounts()
        for driver in drivers {
            let targets = driver.clientIndices.map { index -> (Int32, Int32, Int) in
                switch configuration.target {
                case .group:
                    return (RealtimeConstants.noTarget, configuration.group(ofClient: index), recipients[index])
                case .player:
                    return (peers[(index + 1) % peers.count], RealtimeConstants.noTarget, recipients[index])
                case .server:
                    return (RealtimeConstants.serverPeerId, RealtimeConstants.noTarget, 0)
                }
            }
            try await driver.loop.submit {
                for (slot, target) in targets.enumerated() {
                    driver.setTarget(slot: slot, player: target.0, group: target.1, recipients: target.2)
                }
            }.get()
        }
        guard configuration.target == .group else { return }
        var sizes = [Int32: Int]()
        for index in 0..<configuration.clients { sizes[configuration.group(ofClient: index), default: 0] += 1 }
        let first = Dictionary(
            (0..<min(configuration.groups, clients.count)).map { (configuration.group(ofClient: $0), clients[$0]) },
            uniquingKeysWith: { first, _ in first }
        )
        for attempt in 0... {
            // Joining twice changes nothing, so a retry re-sends every join (a fast join may be lost on UDP).
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                for (index, client) in clients.enumerated() {
                    tasks.addTask { try await client.joinGroup(configuration.group(ofClient: index)) }
                }
                try await tasks.waitForAll()
            }
            // The server reads each player's datagrams from a queue of its own, so it may answer a membership
            // request before it has handled another client's join sent earlier: ask again every 100 ms, and join
            // again every second.
            let rejoinAt = min(deadline, NIODeadline.now() + .seconds(1))
            var missing: String?
            repeat {
                for (group, client) in first { try await client.requestGroupMembership(group) }
                missing = try await poll(until: min(rejoinAt, .now() + .milliseconds(100)), what: "group membership") {
                    snapshots in
                    var seen = [Int32: Int]()
                    for snapshot in snapshots { seen.merge(snapshot.memberships) { max($0, $1) } }
                    let incomplete = sizes.filter { group, size in (seen[group] ?? 0) < size }
                    return incomplete.isEmpty ? nil : "\(incomplete.count) of \(sizes.count) groups incomplete"
                }
                if missing == nil { return }
            } while NIODeadline.now() < rejoinAt
            if let missing, NIODeadline.now() >= deadline {
                throw BenchError(.notReady, "the clients were not ready in time: group membership: \(missing)")
            }
            logger.debug("group membership incomplete; joining again", metadata: ["attempt": "\(attempt)"])
        }
    }

    /// Polls the drivers until `pending` returns nil; throws ``BenchError/Code/notReady`` with its last answer at
    /// `deadline`.
    private func waitUntil(
        _ deadline: NIODeadline,
        what: String,
        pending: ([LoopDriver.Snapshot]) -> String?
    ) async throws {
        if let missing = try await poll(until: deadline, what: what, pending: pending) {
            throw BenchError(.notReady, "the clients were not ready in time: \(what): \(missing)")
        }
    }

    /// Polls the drivers until `pending` returns nil (then nil) or `deadline` passes (then its last answer); throws
    /// ``BenchError/Code/notReady`` at once when a client was disconnected.
    private func poll(
        until deadline: NIODeadline,
        what: String,
        pending: ([LoopDriver.Snapshot]) -> String?
    ) async throws -> String? {
        while true {
            let snapshots = try await snapshots()
            guard let missing = pending(snapshots) else { return nil }
            if let lost = snapshots.first(where: { $0.disconnected > 0 }) {
                throw BenchError(
                    .notReady,
                    "a client was disconnected while getting ready (\(what)): \(lost.firstDisconnect ?? "closed")"
                )
            }
            if NIODeadline.now() >= deadline { return missing }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    // MARK: - Closing

    private static func close(_ drivers: [LoopDriver], clients: NIOLockedValueBox<[RealtimeClient?]>) async {
        for driver in drivers { try? await driver.loop.submit { driver.beginClosing() }.get() }
        let all = clients.withLockedValue { $0.compactMap(\.self) }
        await withTaskGroup(of: Void.self) { tasks in
            for client in all { tasks.addTask { await client.close() } }
        }
    }
}
