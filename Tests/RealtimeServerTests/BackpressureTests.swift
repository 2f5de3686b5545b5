import MetricsTestKit
import NIOCore
import RealtimeProtocol
import RealtimeServer
import RealtimeSession
import Testing

@Suite("Slow consumers and drop counters")
struct BackpressureTests {
    @Test("a player that stops reading is closed once its reliable backlog passes the limit; the sender is not")
    func slowConsumerIsClosed() async throws {
        let server = try await RunningServer.start {
            $0.maxReliableBacklog = 64 * 1024
            $0.maxFastBacklog = 16 * 1024
        }
        defer { server.task.cancel() }
        let flooder = try await server.login()
        let slow = try await server.login()
        try await slow.ws.channel.setOption(.autoRead, value: false).get()

        // Fill the kernel buffers and then the server's queue; the bound on the loop keeps the test finite.
        let payload = String(repeating: "s", count: RealtimeConstants.maxPayload)
        var gone = false
        for _ in 0..<100 {
            for _ in 0..<100 {
                try await flooder.sendReliable(message(70, to: slow.peerId, payload))
            }
            if try await flooder.members(of: -1) == [flooder.peerId] {
                gone = true
                break
            }
        }
        #expect(gone, "the slow player was never closed")

        // The sender is still served.
        try await flooder.roundTrip()
        // Reading again, the slow player finds well-formed packets and then the end of the connection.
        try await slow.ws.channel.setOption(.autoRead, value: true).get()
        do {
            while true {
                let frame = try await slow.ws.frames.next()
                if frame.opcode == .connectionClose { break }
                var data = frame.unmaskedData
                _ = try data.readOnlyPacket(maxLength: RealtimeConstants.maxFrameSize)
            }
        } catch is InboxFinished {
            // The close frame was still queued behind the backlog when the server gave up waiting.
        }
        try await slow.ws.waitClosed()
        try await server.stop()
    }

    @Test("drops are counted by reason, with fixed labels")
    func dropCounters() async throws {
        let metrics = TestMetrics()
        let server = try await RunningServer.start(metrics: metrics)
        defer { server.task.cancel() }
        let sender = try await server.login()
        let receiver = try await server.login()
        try await sender.associateUDP()
        try await receiver.associateUDP()
        try await sender.udp!.sendBytes(ByteBuffer(bytes: [0xFF]))
        try await sender.sendFast(message(80, to: receiver.peerId, "first"), sequenceNumber: 20)
        try await sender.sendFast(message(80, to: receiver.peerId, "stale"), sequenceNumber: 19)
        try await sender.sendFast(message(80, to: 99, "nobody"))
        try await sender.sendFast(message(80, to: receiver.peerId, "last"))
        #expect(String(buffer: try await receiver.nextFast().payload) == "first")
        #expect(String(buffer: try await receiver.nextFast().payload) == "last")

        func dropped(_ reason: DropReason) throws -> Int64 {
            try metrics.expectCounter("rtctl_dropped_total", [("reason", reason.rawValue)]).totalValue
        }
        #expect(try dropped(.malformedDatagram) == 1)
        #expect(try dropped(.staleSequence) == 1)
        #expect(try dropped(.noRecipient) == 1)
        #expect(metrics.counters(label: "rtctl_dropped_total").count == DropReason.allCases.count)
        #expect(try metrics.expectCounter("rtctl_logins_total", [("result", "accepted")]).totalValue == 2)
        try await server.stop()
    }
}
