import Foundation
import NIOCore
import RealtimeServer
import Testing

@testable import rtctl

@Suite("Replay plans, timing and verification")
struct ReplayPlanTests {
    static let recording = """
        {"gameSessionId":"g","recording":1,"server":"rtctl serve 127.0.0.1:1900","source":"serve","started":"2026-11-21T10:00:00.000Z"}
        {"event":"connected","peerId":1,"playerSessionId":"bob","t":0.5}
        {"event":"joinGroup","group":2,"peerId":1,"t":0.6}
        {"event":"connected","peerId":2,"playerSessionId":"alice","t":1.0}
        {"event":"message","opCode":5,"payload":"hello","peerId":2,"recipients":[1],"reliable":true,"sender":2,"t":1.5,"targetGroup":2,"targetPlayer":0}
        {"event":"message","opCode":6,"payloadBase64":"AP8=","peerId":2,"recipients":[1],"reliable":false,"sender":2,"t":3.5,"targetGroup":0,"targetPlayer":1}
        {"event":"message","opCode":107,"payload":"echo","peerId":-1,"recipients":[2],"reliable":true,"sender":-1,"t":3.6,"targetGroup":0,"targetPlayer":2}
        {"event":"disconnected","peerId":2,"playerSessionId":"alice","reason":"bye","t":4.0}
        {"event":"leaveGroup","group":2,"peerId":2,"t":4.0}
        {"event":"message","opCode":9,"pay
        """

    static func plan() throws -> ReplayPlan {
        ReplayPlan(try RecordingReader(data: Data(recording.utf8), name: "test"))
    }

    @Test func aRecordingBecomesStepsAndExpectations() throws {
        let reader = try RecordingReader(data: Data(Self.recording.utf8), name: "test")
        #expect(reader.events.count == 8, "the cut-off last line is ignored")
        #expect(reader.skipped.isEmpty)
        let plan = ReplayPlan(reader)
        #expect(plan.players.map(\.playerSessionId) == ["bob", "alice"])
        #expect(plan.messageCount == 2, "the script's message is expected, not replayed")
        #expect(plan.steps.map(\.at) == [0.5, 0.6, 1.0, 1.5, 3.5, 4.0])
        guard case .send(2, 6, let payload, 1, 0, false) = plan.steps[4].step else {
            Issue.record("unexpected step \(plan.steps[4])")
            return
        }
        #expect(Array(payload.readableBytesView) == [0, 255])
        #expect(plan.expected[1]?.map(\.opCode) == [5, 6])
        #expect(plan.expected[2]?.map(\.opCode) == [107])
        // The group leave that came with the disconnect is not a request to replay; the disconnect waits for the
        // one message alice had received.
        #expect(plan.steps.last?.step == .disconnect(player: 2, received: 1))
    }

    @Test func timingModes() throws {
        let plan = try Self.plan()
        func times(_ timing: ReplayPlan.Timing) -> [Double] {
            plan.timed(timing).steps.map { ($0.at * 1e6).rounded() / 1e6 }
        }
        #expect(times(.init(speed: 2)) == [0, 0.05, 0.25, 0.5, 1.5, 1.75])
        #expect(plan.timed(.init(topSpeed: true)).steps.allSatisfy { $0.at == 0 })
        #expect(times(.init(maxGap: 0.5)) == [0, 0.1, 0.5, 1.0, 1.5, 2.0])
        // Evenly spaced messages; other steps go with the message before them.
        #expect(plan.timed(.init(rate: 10)).steps.map(\.at) == [0, 0, 0, 0, 0.1, 0.1])
        let limited = plan.timed(.init(limit: 1))
        #expect(limited.messageCount == 1)
        #expect(limited.expected.isEmpty)
    }

    @Test func verificationComparesPerReceiverAndSenderInOrder() {
        func message(_ opCode: Int32, from sender: Int32, _ text: String = "") -> ReplayPlan.Message {
            ReplayPlan.Message(
                opCode: opCode,
                sender: sender,
                targetPlayer: 0,
                targetGroup: -1,
                payload: ByteBuffer(string: text)
            )
        }
        let expected: [Int32: [ReplayPlan.Message]] = [
            1: [message(1, from: 2), message(2, from: 3), message(3, from: 2)]
        ]
        // Other senders may interleave differently: no difference.
        let interleaved: [Int32: [ReplayPlan.Message]] = [
            1: [message(2, from: 3), message(1, from: 2), message(3, from: 2)]
        ]
        #expect(ReplayVerification.differences(expected: expected, received: interleaved).isEmpty)
        // One sender's order changed.
        let reordered: [Int32: [ReplayPlan.Message]] = [
            1: [message(3, from: 2), message(1, from: 2), message(2, from: 3)]
        ]
        #expect(ReplayVerification.differences(expected: expected, received: reordered).map(\.kind) == [.order])
        // A payload changed: one missing, one unexpected.
        let changed: [Int32: [ReplayPlan.Message]] = [
            1: [message(1, from: 2), message(2, from: 3, "x"), message(3, from: 2)]
        ]
        let differences = ReplayVerification.differences(expected: expected, received: changed)
        #expect(differences.map(\.kind) == [.missing, .unexpected])
        #expect(differences.allSatisfy { $0.receiver == 1 && $0.message.opCode == 2 })
        // Nothing received at all.
        #expect(ReplayVerification.differences(expected: expected, received: [:]).count == 3)
    }
}
