import Foundation
import NIOCore
import RealtimeClient
import RealtimeFleet
import RealtimeProtocol
import RealtimeServer
import RealtimeTestSupport
import Testing

extension FleetSuites {
    @Suite("Admin listener") struct AdminListenerTests {
        @Test func healthAndReadinessAnswerOKForAServingProcess() async throws {
            let running = try await FleetServer.start(admin: true)
            defer { Task { await running.stop() } }
            let admin = try #require(running.admin)
            let health = try await admin.send(.GET, "/healthz")
            #expect(health.status == .ok)
            #expect(health.text == "ok\n")
            let ready = try await admin.send(.GET, "/readyz")
            #expect(ready.status == .ok)
            #expect(ready.text == "ready\n")
            await running.stop()
        }

        @Test func anUnhealthyScriptTurnsHealthAndReadinessTo503() async throws {
            let script = try scriptFile(
                """
                exports.ssExports = { init() {}, onHealthCheck() { return false; } };
                """
            )
            let running = try await FleetServer.start(script: script, admin: true)
            let admin = try #require(running.admin)
            try await eventually("the health check to report unhealthy") {
                try await admin.send(.GET, "/healthz").status == .serviceUnavailable
            }
            let health = try await admin.send(.GET, "/healthz")
            #expect(health.text == "unhealthy: the script reports unhealthy (onHealthCheck)\n")
            let ready = try await admin.send(.GET, "/readyz")
            #expect(ready.status == .serviceUnavailable)
            #expect(ready.text.hasPrefix("not ready: the script reports unhealthy"))
            await running.stop()
        }

        @Test func metricsCountPlayersGroupsTrafficAndHookCalls() async throws {
            let script = try scriptFile(
                """
                exports.ssExports = { init() {}, onSendToGroup() { return true; } };
                """
            )
            let running = try await FleetServer.start(script: script, admin: true)
            let admin = try #require(running.admin)
            let alice = try await running.connect("alice")
            let bob = try await running.connect("bob")
            try await alice.joinGroup(7)
            try await bob.joinGroup(7)
            try await alice.send(opCode: OpCode(10), payload: ByteBuffer(string: "hi"), targetGroup: 7, reliable: true)
            try await eventually("the message to be relayed") {
                try await admin.send(.GET, "/metrics").text.contains("rtctl_messages_relayed_total 1")
            }
            let metrics = try await admin.send(.GET, "/metrics")
            #expect(metrics.status == .ok)
            #expect(metrics.headers["Content-Type"].first?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = metrics.text
            #expect(text.contains("rtctl_players 2.0\n"))
            #expect(text.contains("rtctl_groups 1.0\n"))
            #expect(text.contains(#"rtctl_logins_total{result="accepted"} 2"#))
            #expect(text.contains(#"rtctl_script_state{state="running"} 1.0"#))
            #expect(text.contains(#"rtctl_script_state{state="failed"} 0.0"#))
            #expect(text.contains("rtctl_healthy 1.0\n"))
            #expect(text.contains(#"rtctl_script_hook_duration_seconds_count{hook="onSendToGroup"} 1"#))
            #expect(text.contains(#"rtctl_dropped_total{reason="#))
            #expect(text.contains(#"rtctl_messages_received_total{channel="reliable"}"#))
            await alice.close()
            await bob.close()
            await running.stop()
        }

        @Test func statusRatesCountTrafficSinceThePreviousStatusRequest() async throws {
            let running = try await FleetServer.start(admin: true)
            let admin = try #require(running.admin)
            let dave = try await running.connect("dave")
            try await dave.joinGroup(2)
            _ = try await admin.send(.GET, "/status")
            for _ in 0..<5 {
                try await dave.send(
                    opCode: OpCode(10),
                    payload: ByteBuffer(string: "hi"),
                    targetGroup: 2,
                    reliable: true
                )
            }
            try await eventually("the messages to be counted in the rates of /status") {
                let text = try await admin.send(.GET, "/status").text
                let document = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
                let rates = document?["rates"] as? [String: Any]
                return (rates?["messagesIn"] as? Double ?? 0) > 0
            }
            await dave.close()
            await running.stop()
        }

        @Test func theEventStreamSendsSnapshotsWithPlayersAndGroups() async throws {
            let running = try await FleetServer.start(admin: true)
            let admin = try #require(running.admin)
            let carol = try await running.connect("carol")
            try await carol.joinGroup(3)
            let received = Received()
            let stream = Task {
                try await admin.streamLines("/events") { line in
                    guard line.hasPrefix("data: ") else { return }
                    await received.add(String(line.dropFirst(6)))
                }
            }
            try await eventually("a status event with the player") {
                await received.lines.contains { $0.contains(#""playerSessionId":"carol""#) }
            }
            let event = try #require(await received.lines.first { $0.contains("carol") })
            let document = try JSONSerialization.jsonObject(with: Data(event.utf8)) as? [String: Any]
            let groups = document?["groups"] as? [[String: Any]]
            #expect(groups?.first?["group"] as? Int == 3)
            #expect((document?["health"] as? [String: Any])?["ready"] as? Bool == true)
            #expect((document?["rates"] as? [String: Any])?["messagesIn"] != nil)
            stream.cancel()
            await carol.close()
            await running.stop()
        }

        @Test func unknownPathsAndMethodsAreRefusedWithAReason() async throws {
            let running = try await FleetServer.start(admin: true)
            let admin = try #require(running.admin)
            let missing = try await admin.send(.GET, "/nothing")
            #expect(missing.status == .notFound)
            #expect(missing.text.hasPrefix("no such page: /nothing"))
            let post = try await admin.send(.POST, "/healthz", json: "{}")
            #expect(post.status == .methodNotAllowed)
            let page = try await admin.send(.GET, "/")
            #expect(page.headers["Content-Type"].first == "text/html; charset=utf-8")
            #expect(page.text.contains("EventSource"))
            await running.stop()
        }
    }

    actor Received {
        private(set) var lines: [String] = []
        func add(_ line: String) { lines.append(line) }
    }
}
