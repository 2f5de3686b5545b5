import Logging
import NIOCore
import RealtimeClient
import Testing

@testable import RealtimeBench
@testable import rtctl

@Suite("Bench end to end")
struct EndToEndTests {
    /// Runs `body` against an in-process server on loopback and stops the server whatever happens.
    static func withServer<Result>(
        maxPlayers: Int,
        _ body: (Endpoint, Logger) async throws -> Result
    ) async throws -> Result {
        let logger = Logger(label: "bench-test", factory: { _ in SwiftLogNoOpLogHandler() })
        let server = try await InProcessServer.start(maxPlayers: maxPlayers, logger: logger)
        do {
            let result = try await body(server.endpoint, logger)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    @Test("a short fast run against an in-process server accounts for every expected delivery", .timeLimit(.minutes(1)))
    func shortRun() async throws {
        var configuration = BenchConfiguration()
        configuration.clients = 6
        configuration.groups = 2
        configuration.rate = 300
        configuration.warmup = .milliseconds(100)
        configuration.duration = .milliseconds(300)
        configuration.drain = .milliseconds(300)
        configuration.size = 40
        configuration.threads = 2
        let result = try await Self.withServer(maxPlayers: 6) { endpoint, logger in
            try await BenchRunner(configuration: configuration, endpoint: endpoint, logger: logger)
                .run()
        }
        let counters = result.counters
        #expect(result.clientsConnected == 6 && result.clientsFastReady == 6)
        #expect(result.connectTimes.totalCount == 6)
        #expect(counters.sent > 0)
        // Every group has 3 members and each receives its own message too.
        #expect(counters.expected == counters.sent * 3)
        #expect(counters.delivered + counters.late + counters.lost == counters.expected)
        #expect(counters.sendFailures == 0 && counters.malformed == 0 && counters.disconnects == 0)
        #expect(result.latency.corrected.totalCount == UInt64(counters.delivered))
        #expect(counters.deliveredBytes == counters.delivered * 40)
        #expect(abs(result.measuredSeconds - 0.3) < 1e-9)
    }

    @Test("reliable messages to a player are all delivered", .timeLimit(.minutes(1)))
    func reliablePlayer() async throws {
        var configuration = BenchConfiguration()
        configuration.clients = 3
        configuration.target = .player
        configuration.reliable = true
        configuration.rate = 200
        configuration.warmup = .milliseconds(50)
        configuration.duration = .milliseconds(200)
        // A generous drain: reliable messages are late on a loaded machine, never lost; the step ends as soon as the
        // last one arrives.
        configuration.drain = .seconds(30)
        let result = try await Self.withServer(maxPlayers: 3) { endpoint, logger in
            try await BenchRunner(configuration: configuration, endpoint: endpoint, logger: logger)
                .run()
        }
        let counters = result.counters
        #expect(counters.sent > 0)
        #expect(counters.expected == counters.sent)
        #expect(counters.disconnects == 0 && counters.sendFailures == 0, "\(counters)")
        #expect(counters.delivered == counters.expected, "\(counters)")
        #expect(counters.lost == 0, "\(counters)")
    }

    @Test("--find-max on one set of clients: every step meets a loose SLO up to the maximum", .timeLimit(.minutes(2)))
    func findMax() async throws {
        var configuration = BenchConfiguration()
        configuration.clients = 4
        configuration.groups = 2
        configuration.warmup = .milliseconds(50)
        configuration.duration = .milliseconds(200)
        configuration.drain = .milliseconds(200)
        let result = try await Self.withServer(maxPlayers: 4) { endpoint, logger in
            try await BenchRunner(configuration: configuration, endpoint: endpoint, logger: logger)
                .findMax(
                    slo: try ServiceLevel(parsing: "p99<=60s,loss<=100%"),
                    search: RateSearch(start: 100, maximum: 400)
                )
        }
        // Only a generator that fell behind (a slow machine) can miss so loose an SLO; otherwise the search doubles to
        // the maximum.
        if !result.steps.contains(where: \.result.generatorBehind) {
            #expect(result.steps.map(\.result.rate) == [100, 200, 400])
            #expect(result.verdict.kind == .reachedMaximum && result.verdict.rate == 400)
            #expect(result.steps[2].result.counters.sent > result.steps[0].result.counters.sent)
        }
        for step in result.steps {
            #expect(step.met || step.result.generatorBehind)
            // Each step counts only its own messages: 2 members per group receive each one.
            #expect(step.result.counters.sent > 0)
            #expect(step.result.counters.expected == step.result.counters.sent * 2)
            #expect(step.result.counters.disconnects == 0 && step.result.counters.sendFailures == 0)
        }
        #expect(!result.hadFailures)
    }
}
