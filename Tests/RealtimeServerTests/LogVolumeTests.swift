import NIOCore
import RealtimeProtocol
import RealtimeServer
import RealtimeTestSupport
import Testing

/// What a client can make the server write to its log is bounded: an attacker must not be able to fill a disk.
@Suite("Log volume")
struct LogVolumeTests {
    @Test("a loop of refused logins writes at most one line per reason per second; connections are not logged")
    func refusedLoginLoop() async throws {
        let capture = LogCapture()
        let server = try await RunningServer.start(logger: capture.logger()) {
            $0.session.reservedPlayerSessionIds = ["alice"]
        }
        defer { server.task.cancel() }
        let start = ContinuousClock.now
        for attempt in 0..<300 {
            let client = try await server.connect()
            try await client.send(loginPacket("mallory-\(attempt)"))
            _ = try await client.expectClose()
            await client.disconnect()
        }
        let seconds = (ContinuousClock.now - start).components.seconds + 1
        let refused = capture.all.filter { $0.hasPrefix("login refused") }
        #expect(refused.count >= 1 && refused.count <= Int(seconds) + 1, "\(refused.count) lines in \(seconds) s")
        #expect(refused.last?.contains("heldBack=") == true)
        #expect(!capture.all.contains { $0.hasPrefix("connection opened") })
        try await server.stop()
    }

    @Test("client-supplied strings are cut to 128 characters and control characters escaped in log lines")
    func clientStringsAreBounded() async throws {
        let capture = LogCapture()
        let server = try await RunningServer.start(logger: capture.logger())
        defer { server.task.cancel() }
        let id = "evil\nline" + String(repeating: "x", count: 240)
        let player = try await server.login(id)
        try await player.roundTrip()
        let line = try #require(capture.all.first { $0.hasPrefix("player logged in") })
        #expect(!line.contains("\n"))
        #expect(line.contains("playerSessionId=evil\\nline"))
        #expect(line.contains(String(repeating: "x", count: 119) + "…"))
        #expect(!line.contains(String(repeating: "x", count: 120)))
        try await server.stop()
    }
}
