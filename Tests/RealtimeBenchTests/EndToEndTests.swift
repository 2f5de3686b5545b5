import Logging
import NIOCore
import Testing

@testable import RealtimeBench

@Suite("Bench end to end")
struct EndToEndTests {
    @Test("a short fast run against an in-process server accounts for every expected delivery", .timeLimit(.minutes(1)))
    func shortRun() async throws {
        let logger = Logger(label: "bench-test", factory: { _ in SwiftLogNoOpLogHandler() })
        let server = try await InProcessServer.start(maxPlayers: 6, logger: logger)
        var configuration = BenchConfiguration()
        configuration.clients = 6
        configuration.groups = 2
        configuration.rate = 300
        configuration.warmup = .milliseconds(100)
        configuration.duration = .milliseconds(300)
        configuration.drain = .milliseconds(300)
        configuration.size = 40
        configuration.threads = 2
        let result: BenchResult
        do {
            result = try await BenchRunner(configuration: configuration, endpoint: server.endpoint, logger: logger)
                .run()
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
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
        let logger = Logger(label: "bench-test", factory: { _ in SwiftLogNoOpLogHandler() })
        let server = try await InProcessServer.start(maxPlayers: 3, logger: logger)
        var configuration = BenchConfiguration()
        configuration.clients = 3
        configuration.target = .player
        configuration.reliable = true
        configuration.rate = 200
        configuration.warmup = .milliseconds(50)
        configuration.duration = .milliseconds(200)
        configuration.drain = .milliseconds(500)
        let result: BenchResult
        do {
            result = try await BenchRunner(configuration: configuration, endpoint: server.endpoint, logger: logger)
                .run()
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
        #expect(result.counters.sent > 0)
        #expect(result.counters.expected == result.counters.sent)
        #expect(result.counters.delivered == result.counters.expected)
        #expect(result.counters.lost == 0)
    }
}
