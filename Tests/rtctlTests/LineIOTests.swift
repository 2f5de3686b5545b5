import Foundation
import NIOCore
import RealtimeClient
import RealtimeProtocol
import Testing

@testable import rtctl

@Suite("Line splitter, reader and writer")
struct LineIOTests {
    @Test("lines split on \\n, \\r\\n trimmed, the last line kept without a newline")
    func splitter() {
        var splitter = LineSplitter()
        splitter.append(Array("a\r\nb".utf8))
        #expect(splitter.nextLine().map(Array.init) == Array("a".utf8))
        #expect(splitter.nextLine() == nil)
        splitter.append(Array("c\n\nlast".utf8))
        #expect(splitter.nextLine().map(Array.init) == Array("bc".utf8))
        #expect(splitter.nextLine().map(Array.init) == [])
        #expect(splitter.nextLine() == nil)
        #expect(splitter.finish().map(Array.init) == Array("last".utf8))
        #expect(splitter.finish() == nil)
    }

    @Test("an over-long line is cut rather than held forever")
    func longLine() {
        var splitter = LineSplitter(maxLineLength: 4)
        splitter.append(Array("abcdefg\n".utf8))
        #expect(splitter.nextLine().map(Array.init) == Array("abcd".utf8))
        #expect(splitter.nextLine().map(Array.init) == Array("efg".utf8))
    }

    @Test("a regular file: every line numbered, the unterminated last one included")
    func regularFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rtctl-lines-\(UUID()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let lines = (1...10_000).map { #"{"opCode":1,"payload":"line \#($0)"}"# }
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let descriptor = open(path, O_RDONLY)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        let reader = LineReader(descriptor: descriptor, chunkSize: 1000)
        var read: [InputLine] = []
        while let line = try reader.readLine() { read.append(line) }
        #expect(read.count == lines.count)
        #expect(read.map(\.text) == lines)
        #expect(read.last?.number == 10_000)
    }

    @Test("a pipe written in bursts: no line lost at EOF, lines arrive before EOF")
    func pipe() async throws {
        var fds: [Int32] = [0, 0]
        try #require(Glibc.pipe(&fds) == 0)
        let (readEnd, writeEnd) = (fds[0], fds[1])
        defer { close(readEnd) }
        let lines = AsyncLineSequence(descriptor: readEnd)
        var iterator = lines.makeAsyncIterator()

        try FileDescriptorIO.writeAll("first\nsec", to: writeEnd)
        // A line is delivered while the writer is still open.
        #expect(try await iterator.next() == InputLine(number: 1, bytes: Array("first".utf8)))
        let writer = Task.detached {
            try FileDescriptorIO.writeAll("ond\r\n", to: writeEnd)
            try await Task.sleep(for: .milliseconds(20))
            try FileDescriptorIO.writeAll("third\nfourth", to: writeEnd)
            close(writeEnd)
        }
        #expect(try await iterator.next()?.text == "second")
        #expect(try await iterator.next()?.text == "third")
        #expect(try await iterator.next() == InputLine(number: 4, bytes: Array("fourth".utf8)))
        #expect(try await iterator.next() == nil)
        try await writer.value
    }

    @Test("streaming mode: each line reaches the pipe at once")
    func streamingWriter() throws {
        var fds: [Int32] = [0, 0]
        try #require(Glibc.pipe(&fds) == 0)
        defer {
            close(fds[0])
            close(fds[1])
        }
        let writer = LineWriter(descriptor: fds[1])
        #expect(writer.mode == .immediate)
        try writer.write(#"{"event":"fastReady"}"#)
        var buffer = [UInt8](repeating: 0, count: 100)
        let count = read(fds[0], &buffer, buffer.count)
        #expect(String(decoding: buffer[0..<max(count, 0)], as: UTF8.self) == "{\"event\":\"fastReady\"}\n")
    }

    @Test("buffered mode into a file: 100k lines, fast, nothing lost; a quiet writer still flushes")
    func fileWriterThroughput() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rtctl-out-\(UUID()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        let writer = LineWriter(descriptor: descriptor, flushDelay: .milliseconds(20))
        #expect(writer.mode == .buffered(capacity: 65_536))
        let encoder = EventEncoder()
        let event = ClientEvent.message(
            Packet(opCode: OpCode(10), targetGroup: 2, sender: 3, payload: ByteBuffer(string: "hello"))
        )
        let clock = ContinuousClock()
        let encodeTime = clock.measure { for _ in 0..<10_000 { _ = encoder.encode(event) } }
        let line = encoder.encode(event)
        let elapsed = try clock.measure {
            for _ in 0..<100_000 { try writer.write(line) }
            try writer.flush()
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(
            "LineWriter: 100000 lines to a file in \(elapsed) (\(Int(100_000 / seconds)) lines/s); "
                + "encoding 10000 events took \(encodeTime)"
        )
        let written = try String(contentsOfFile: path, encoding: .utf8)
        #expect(written.split(separator: "\n").count == 100_000)

        try writer.write("tail")
        try await Task.sleep(for: .milliseconds(300))
        let after = try String(contentsOfFile: path, encoding: .utf8)
        #expect(after.hasSuffix("\ntail\n"))
    }
}
