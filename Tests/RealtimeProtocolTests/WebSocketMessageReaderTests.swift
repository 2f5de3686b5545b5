import NIOCore
import NIOEmbedded
import NIOWebSocket
import RealtimeProtocol
import Testing

/// The reader against NIO's frame encoder as the reference for valid frames, and hand-made bytes for every framing
/// rule a peer can break.
@Suite("WebSocket message reader")
struct WebSocketMessageReaderTests {
    typealias Message = WebSocketMessageReader.Message

    static let maxSize = 1 << 17

    /// The bytes NIO's encoder writes for `frame`.
    static func encoded(_ frames: [WebSocketFrame]) throws -> [UInt8] {
        let channel = EmbeddedChannel(handler: WebSocketFrameEncoder())
        for frame in frames { try channel.writeOutbound(frame) }
        var bytes: [UInt8] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { bytes += buffer.readableBytesView }
        _ = try channel.finish()
        return bytes
    }

    /// Feeds `bytes` in `chunks` (their sizes; the rest in one) and returns every message, or the violation that
    /// ended the reading with the messages before it.
    static func read(
        _ bytes: [UInt8],
        sender: WebSocketMessageReader.Sender,
        chunks: [Int] = [],
        maxFragments: Int = 16
    ) -> (messages: [Message], violation: WebSocketMessageReader.Violation?) {
        var reader = WebSocketMessageReader(sender: sender, maxMessageSize: maxSize, maxFragments: maxFragments)
        var messages: [Message] = []
        var rest = bytes[...]
        var sizes = chunks[...]
        while !rest.isEmpty {
            let size = min(rest.count, sizes.popFirst() ?? rest.count)
            reader.append(ByteBuffer(bytes: rest.prefix(size)))
            rest = rest.dropFirst(size)
            do {
                while let message = try reader.next() { messages.append(message) }
            } catch {
                return (messages, error)
            }
        }
        return (messages, nil)
    }

    static func frame(_ first: UInt8, _ second: UInt8, _ rest: [UInt8] = []) -> [UInt8] {
        [first, second] + rest
    }

    @Test("messages from NIO's encoder come out whole, in order, however the bytes are split", arguments: [1, 2, 3])
    func splitStreams(seed: UInt64) throws {
        var generator = SplitMix64(seed: seed)
        for sender in [WebSocketMessageReader.Sender.client, .server] {
            for _ in 0..<40 {
                var frames: [WebSocketFrame] = []
                var expected: [Message] = []
                for _ in 0..<Int.random(in: 1...12, using: &generator) {
                    let size = [0, 1, 70, 125, 126, 300, 65_535, 65_536].randomElement(using: &generator)!
                    let data = ByteBuffer(bytes: (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) })
                    let text = Bool.random(using: &generator)
                    let parts = Int.random(in: 1...3, using: &generator)
                    var remaining = data
                    for part in 0..<parts {
                        let length = part == parts - 1 ? remaining.readableBytes : remaining.readableBytes / 2
                        let piece = remaining.readSlice(length: length)!
                        let opcode: WebSocketOpcode = part > 0 ? .continuation : text ? .text : .binary
                        frames.append(Self.frame(opcode, fin: part == parts - 1, data: piece, sender, &generator))
                        if part < parts - 1, Bool.random(using: &generator) {
                            let ping = ByteBuffer(string: "ping \(frames.count)")
                            frames.append(Self.frame(.ping, fin: true, data: ping, sender, &generator))
                            expected.append(.ping(ping))
                        }
                    }
                    expected.append(text ? .text(data) : .binary(data))
                }
                let bytes = try Self.encoded(frames)
                let chunks = (0..<20).map { _ in Int.random(in: 1...200, using: &generator) }
                let result = Self.read(bytes, sender: sender, chunks: chunks)
                #expect(result.violation == nil)
                #expect(result.messages == expected)
            }
        }
    }

    static func frame(
        _ opcode: WebSocketOpcode,
        fin: Bool,
        data: ByteBuffer,
        _ sender: WebSocketMessageReader.Sender,
        _ generator: inout SplitMix64
    ) -> WebSocketFrame {
        let key = sender == .client ? WebSocketMaskingKey.random(using: &generator) : nil
        return WebSocketFrame(fin: fin, opcode: opcode, maskKey: key, data: data)
    }

    @Test("a frame split byte by byte gives its message once it is whole")
    func byteByByte() throws {
        let bytes = try Self.encoded([
            WebSocketFrame(fin: true, opcode: .binary, maskKey: [1, 2, 3, 4], data: ByteBuffer(string: "hello")),
            WebSocketFrame(
                fin: true,
                opcode: .connectionClose,
                maskKey: [9, 8, 7, 6],
                data: ByteBuffer(bytes: [3, 232])
            ),
        ])
        let result = Self.read(bytes, sender: .client, chunks: Array(repeating: 1, count: bytes.count))
        #expect(result.violation == nil)
        #expect(result.messages == [.binary(ByteBuffer(string: "hello")), .close(ByteBuffer(bytes: [3, 232]))])
    }

    @Test(
        "every framing rule broken gets its close code and reason",
        arguments: [
            (frame(0x82, 0x81, [0, 0, 0, 0, 7]), WebSocketMessageReader.Sender.server, 1002, "masked server frame"),
            (frame(0x82, 0x01, [7]), .client, 1002, "unmasked client frame"),
            (frame(0xC2, 0x01, [7]), .server, 1002, "reserved bits set"),
            (frame(0x92, 0x01, [7]), .server, 1002, "reserved bits set"),
            (frame(0x83, 0x01, [7]), .server, 1002, "unknown opcode 3"),
            (frame(0x8B, 0x00), .server, 1002, "unknown opcode 11"),
            (frame(0x09, 0x00), .server, 1002, "fragmented control frame"),
            (frame(0x89, 0x7E, [0, 126] + Array(repeating: 0, count: 126)), .server, 1002, "control frame over 125"),
            (frame(0x80, 0x01, [7]), .server, 1002, "continuation frame with no message"),
            (frame(0x02, 0x01, [7]) + frame(0x82, 0x01, [8]), .server, 1002, "new message before"),
            (frame(0x82, 0x7F, [0x80, 0, 0, 0, 0, 0, 0, 1]), .server, 1002, "top bit set"),
            (frame(0x82, 0x7F, [0, 0, 0, 0, 0, 2, 0, 1]), .server, 1009, "frame over 131072 bytes"),
            (
                frame(0x02, 0x7F, [0, 0, 0, 0, 0, 1, 0, 0] + Array(repeating: 0, count: 65_536))
                    + frame(0x80, 0x7F, [0, 0, 0, 0, 0, 1, 0, 1] + Array(repeating: 0, count: 65_537)),
                .server, 1009, "message over 131072 bytes"
            ),
        ]
    )
    func violations(bytes: [UInt8], sender: WebSocketMessageReader.Sender, code: Int, reason: String) throws {
        let violation = try #require(Self.read(bytes, sender: sender).violation)
        #expect(violation.code == UInt16(code))
        #expect(violation.reason.contains(reason), "\(violation.reason)")
    }

    @Test("a frame too big is refused from its header, before its payload comes")
    func oversizedFromTheHeader() {
        let result = Self.read(Self.frame(0x82, 0x7F, [0, 0, 0, 1, 0, 0, 0, 0]), sender: .server)
        #expect(result.violation?.code == 1009)
    }

    @Test("a message in more frames than allowed is refused")
    func tooManyFragments() {
        let bytes = Self.frame(0x02, 0x01, [1]) + Self.frame(0x00, 0x01, [2]) + Self.frame(0x80, 0x01, [3])
        #expect(Self.read(bytes, sender: .server, maxFragments: 3).messages == [.binary(ByteBuffer(bytes: [1, 2, 3]))])
        let refused = Self.read(bytes, sender: .server, maxFragments: 2)
        #expect(refused.violation?.reason == "message in more than 2 frames")
    }

    @Test("after a violation the reader reads nothing more and keeps nothing it is given")
    func violationIsFinal() throws {
        var reader = WebSocketMessageReader(sender: .server, maxMessageSize: 100, maxFragments: 4)
        reader.append(ByteBuffer(bytes: Self.frame(0x82, 0x81, [0, 0, 0, 0, 1]) + Self.frame(0x82, 0x01, [2])))
        #expect(throws: WebSocketMessageReader.Violation.self) { try reader.next() }
        #expect(reader.unreadBytes == 0)
        for _ in 0..<3 { reader.append(ByteBuffer(bytes: Self.frame(0x82, 0x01, [3]))) }
        #expect(reader.unreadBytes == 0)
        #expect(throws: WebSocketMessageReader.Violation.self) { try reader.next() }
    }

    @Test("a frame trickling in keeps only its own bytes; what follows a whole frame keeps none of it")
    func unreadBytesAreTheFramesStart() throws {
        var reader = WebSocketMessageReader(sender: .server, maxMessageSize: 1000, maxFragments: 4)
        let frame = Self.frame(0x82, 0x7E, [0x01, 0x2C] + Array(repeating: 7, count: 300))
        for (index, byte) in frame.dropLast().enumerated() {
            reader.append(ByteBuffer(bytes: [byte]))
            #expect(try reader.next() == nil)
            #expect(reader.unreadBytes == index + 1)
        }
        reader.append(ByteBuffer(bytes: [frame.last!] + Self.frame(0x82, 0x01)))
        #expect(try reader.next() == .binary(ByteBuffer(bytes: Array(repeating: 7, count: 300))))
        #expect(reader.unreadBytes == 2)
        #expect(try reader.next() == nil)
        reader.append(ByteBuffer(bytes: [9]))
        #expect(try reader.next() == .binary(ByteBuffer(bytes: [9])))
        #expect(try reader.next() == nil)
        #expect(reader.unreadBytes == 0)
    }

    @Test("a fragmented message over the limit is refused from the header of the frame that would pass it")
    func oversizedMessageFromTheHeader() {
        let first = Self.frame(0x02, 0x7F, [0, 0, 0, 0, 0, 1, 0, 0] + Array(repeating: 0, count: 65_536))
        let second = Self.frame(0x00, 0x7F, [0, 0, 0, 0, 0, 1, 0, 1])
        let result = Self.read(first + second, sender: .server)
        #expect(result.violation == WebSocketMessageReader.Violation(1009, "message over 131072 bytes"))
    }

    @Test(
        "mutated streams from either end give messages or a violation, never a crash",
        arguments: FuzzTests.seeds
    )
    func fuzz(seed: UInt64) throws {
        var generator = SplitMix64(seed: seed)
        for sender in [WebSocketMessageReader.Sender.client, .server] {
            let key: WebSocketMaskingKey? = sender == .client ? [0x37, 0xFA, 0x21, 0x3D] : nil
            let corpus = try Self.encoded([
                WebSocketFrame(
                    fin: false,
                    opcode: .binary,
                    maskKey: key,
                    data: ByteBuffer(bytes: Array(repeating: 1, count: 130))
                ),
                WebSocketFrame(fin: true, opcode: .ping, maskKey: key, data: ByteBuffer(string: "p")),
                WebSocketFrame(fin: true, opcode: .continuation, maskKey: key, data: ByteBuffer(bytes: [2, 3])),
                WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: key, data: ByteBuffer(bytes: [3, 232])),
            ])
            #expect(Self.read(corpus, sender: sender).messages.count == 3)
            for _ in 0..<FuzzTests.iterations {
                let bytes =
                    Bool.random(using: &generator)
                    ? FuzzTests.mutate(corpus, &generator) : FuzzTests.randomBytes(&generator)
                let chunks = (0..<8).map { _ in Int.random(in: 1...64, using: &generator) }
                let result = Self.read(bytes, sender: sender, chunks: chunks)
                if let violation = result.violation { #expect([1002, 1009].contains(violation.code)) }
            }
        }
    }
}
