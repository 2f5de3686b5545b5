import Foundation
import NIOCore
import NIOEmbedded
import RealtimeProtocol
import Testing

@testable import RealtimeServer

/// The frames the server writes for the script host, as it reads them back (the host reads the same layout).
@Suite struct BridgeFrameTests {
    @Test func framesWrittenOneAfterAnotherReadBackWhole() throws {
        let packet = Packet(opCode: OpCode(5), targetPlayer: 0, targetGroup: 2, sender: 9, payload: ByteBuffer())
        var frames = ByteBuffer()
        frames.writeBridgeFrame(
            kind: .call,
            id: 7,
            payload: ByteBuffer(bytes: [1, 2, 3]),
            writeHeader: MessageArguments(key: "hook", name: "onSendToGroup", packet: packet, reliable: true).write
        )
        frames.writeBridgeFrame(BridgeFrame(kind: .notify, header: ByteBuffer(string: #"{"event":"x"}"#)))
        frames.writeBridgeFrame(kind: .ended, id: 0, payload: ByteBuffer()) { _ in }

        let call = try #require(try frames.readBridgeFrame())
        #expect(call.kind == .call && call.id == 7)
        #expect(
            String(buffer: call.header)
                == #"{"hook":"onSendToGroup","opCode":5,"sender":9,"targetPlayer":0,"targetGroup":2,"reliable":true}"#
        )
        #expect(Array(call.payload.readableBytesView) == [1, 2, 3])
        let notify = try #require(try frames.readBridgeFrame())
        #expect(
            notify.kind == .notify && String(buffer: notify.header) == #"{"event":"x"}"#
                && notify.payload.readableBytes == 0
        )
        let ended = try #require(try frames.readBridgeFrame())
        #expect(ended.kind == .ended && ended.header.readableBytes == 0 && ended.payload.readableBytes == 0)
        #expect(frames.readableBytes == 0)
    }

    @Test func theLengthFieldsCountTheHeaderWrittenInPlace() {
        var frame = ByteBuffer()
        frame.writeBridgeFrame(kind: .call, id: 1, payload: ByteBuffer(bytes: [9, 9])) { $0.writeString("{}") }
        // u32 length (9 + 2 + 2), kind, id, u32 JSON length 2, "{}", payload.
        #expect(frame.getInteger(at: 0, endianness: .little, as: UInt32.self) == 13)
        #expect(frame.getInteger(at: 9, endianness: .little, as: UInt32.self) == 2)
        #expect(frame.readableBytes == 4 + 13)
    }

    @Test func anIncompleteFrameWaitsAndAnOutOfRangeLengthIsAnError() throws {
        var frame = ByteBuffer()
        frame.writeBridgeFrame(kind: .call, id: 1, payload: ByteBuffer()) { $0.writeString("{}") }
        var partial = frame.getSlice(at: 0, length: frame.readableBytes - 1)!
        #expect(try partial.readBridgeFrame() == nil)
        #expect(partial.readerIndex == 0)
        var short = ByteBuffer()
        short.writeInteger(UInt32(8), endianness: .little)
        #expect(throws: BridgeError.self) { try short.readBridgeFrame() }
    }

    /// The frames a handler hands on, by kind and id.
    final class Collected: @unchecked Sendable {
        var frames: [(kind: UInt8, id: UInt32, header: String)] = []
        var payloads: [[UInt8]] = []
        var failures: [String] = []

        func handler() -> BridgeHandler {
            BridgeHandler(
                received: { frame in
                    self.frames.append((frame.kind.rawValue, frame.id, String(buffer: frame.header)))
                    self.payloads.append(Array(frame.payload.readableBytesView))
                },
                failed: { self.failures.append("\($0)") }
            )
        }
    }

    @Test func theHandlerHandsOnFramesCutAnywhereByTheReadsInOrder() throws {
        var bytes = ByteBuffer()
        for id in UInt32(1)...5 {
            bytes.writeBridgeFrame(kind: .result, id: id, payload: ByteBuffer()) { $0.writeString(#"{"value":true}"#) }
        }
        // Every way of cutting the bytes into two reads, and one read per byte.
        var cuts = (0...bytes.readableBytes).map {
            [bytes.getSlice(at: 0, length: $0)!, bytes.getSlice(at: $0, length: bytes.readableBytes - $0)!]
        }
        cuts.append((0..<bytes.readableBytes).map { bytes.getSlice(at: $0, length: 1)! })
        for reads in cuts {
            let collected = Collected()
            let channel = EmbeddedChannel(handler: collected.handler())
            for read in reads { try channel.writeInbound(read) }
            #expect(collected.frames.map(\.id) == [1, 2, 3, 4, 5])
            #expect(collected.frames.allSatisfy { $0.kind == 103 && $0.header == #"{"value":true}"# })
            _ = try channel.finish()
        }
    }

    @Test func aMalformedFrameClosesTheBridgeAfterTheFramesBeforeIt() throws {
        var bytes = ByteBuffer()
        bytes.writeBridgeFrame(kind: .result, id: 1, payload: ByteBuffer()) { $0.writeString(#"{"value":false}"#) }
        bytes.writeInteger(UInt32(3), endianness: .little)  // below the 9 bytes every frame has
        bytes.writeBytes([0, 0, 0])
        let collected = Collected()
        let channel = EmbeddedChannel(handler: collected.handler())
        #expect(throws: BridgeError.self) { try channel.writeInbound(bytes) }
        #expect(collected.frames.map(\.id) == [1])
        #expect(collected.failures == ["frame length 3 out of range"])
        #expect(!channel.isActive)
    }

    /// A host that writes faster than the server reads fills every read, and reads seldom end on a frame's end: what
    /// is held between reads is the cut frame alone, not every byte read since the last read that ended on one.
    @Test func readsThatEndInsideFramesHoldOnlyTheCutFrame() throws {
        var bytes = ByteBuffer()
        for id in UInt32(1)...200 {
            let payload = ByteBuffer(bytes: (0..<1000).map { UInt8(truncatingIfNeeded: Int(id) &+ $0) })
            bytes.writeBridgeFrame(kind: .send, id: id, payload: payload) { $0.writeString(#"{"opCode":1}"#) }
        }
        let collected = Collected()
        let handler = collected.handler()
        let channel = EmbeddedChannel(handler: handler)
        var largestHeld = 0
        // Reads of 1,500 bytes: frames are 1,025 bytes, so most reads end inside one.
        while bytes.readableBytes > 0 {
            try channel.writeInbound(bytes.readSlice(length: min(1500, bytes.readableBytes))!)
            largestHeld = max(largestHeld, handler.heldCapacity)
        }
        #expect(collected.frames.map(\.id) == Array(1...200))
        #expect(
            collected.payloads.enumerated().allSatisfy { index, payload in
                payload == (0..<1000).map { UInt8(truncatingIfNeeded: index + 1 &+ $0) }
            }
        )
        #expect(largestHeld > 0 && largestHeld <= 4096)
        #expect(collected.failures.isEmpty)
    }
}
