import Foundation
import NIOCore
import Testing

@testable import RealtimeServer

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The fast port's fan-out writes with `sendmmsg` on the socket itself: every datagram the kernel takes arrives whole
/// and in order; what it has no room for is handed back in order, and one it refuses alone is skipped.
@Suite("Sending datagrams with sendmmsg")
struct DatagramSenderTests {
    /// A non-blocking datagram socket of `family`, closed by `body`'s end.
    static func withSocket<T>(_ family: CInt, _ body: (CInt) throws -> T) throws -> T {
        #if canImport(Glibc)
        let type = CInt(SOCK_DGRAM.rawValue) | CInt(SOCK_NONBLOCK.rawValue)
        #else
        let type = SOCK_DGRAM | SOCK_NONBLOCK
        #endif
        let descriptor = socket(family, type, 0)
        try #require(descriptor >= 0, "socket: errno \(errno)")
        defer { close(descriptor) }
        return try body(descriptor)
    }

    /// Every datagram waiting on `descriptor`, as text.
    static func drain(_ descriptor: CInt) -> [String] {
        var texts: [String] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count >= 0 else { return texts }
            texts.append(String(decoding: buffer[..<count], as: UTF8.self))
        }
    }

    static func localPort(_ descriptor: CInt) throws -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        try #require(result == 0)
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @Test func whatTheKernelHasNoRoomForIsHandedBackInOrder() throws {
        // A Unix datagram socket queues only net.unix.max_dgram_qlen datagrams (10 by default) for a reader that does
        // not read: past that the kernel answers EAGAIN, as a UDP socket does when its send buffer is full.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rtctl-sender-\(getpid()).sock").path
        unlink(path)
        defer { unlink(path) }
        let address = try SocketAddress(unixDomainSocketPath: path)
        try Self.withSocket(AF_UNIX) { reader in
            let bound = address.withSockAddr { name, length in bind(reader, name, socklen_t(length)) }
            try #require(bound == 0, "bind: errno \(errno)")
            try Self.withSocket(AF_UNIX) { writer in
                let sender = DatagramSender(descriptor: writer, maxDatagramSize: 2048)
                let count = 200
                for index in 0..<count {
                    #expect(sender.enqueue(ByteBuffer(string: "datagram \(index)"), to: address))
                }
                var handedBack: [String] = []
                let outcome = sender.flush { bytes, to in
                    #expect(to == address)
                    handedBack.append(String(buffer: bytes))
                }
                #expect(outcome.sent > 0)
                #expect(outcome.refused > 0, "the reader's queue should have filled")
                #expect(outcome.sent + outcome.refused == count)
                #expect(outcome.failed == 0)
                #expect(outcome.sentBytes == (0..<outcome.sent).map { "datagram \($0)".utf8.count }.reduce(0, +))
                #expect(sender.isEmpty)
                // The first `sent` datagrams arrived, whole and in order; the others came back, in order.
                #expect(Self.drain(reader) == (0..<outcome.sent).map { "datagram \($0)" })
                #expect(handedBack == (outcome.sent..<count).map { "datagram \($0)" })
            }
        }
    }

    @Test func aDatagramTheKernelRefusesIsSkippedAndTheOthersLeave() throws {
        try Self.withSocket(AF_INET) { reader in
            let loopback = try SocketAddress(ipAddress: "127.0.0.1", port: 0)
            let bound = loopback.withSockAddr { name, length in bind(reader, name, socklen_t(length)) }
            try #require(bound == 0)
            let target = try SocketAddress(ipAddress: "127.0.0.1", port: try Self.localPort(reader))
            let descriptor = try DatagramSender.reusePortSocket(boundTo: loopback)
            defer { close(descriptor) }
            let sender = DatagramSender(descriptor: descriptor, maxDatagramSize: 2048)
            // An IPv6 destination cannot be reached from an IPv4 socket: the kernel refuses that one datagram.
            #expect(sender.enqueue(ByteBuffer(string: "first"), to: target))
            #expect(sender.enqueue(ByteBuffer(string: "lost"), to: try SocketAddress(ipAddress: "::1", port: 9)))
            #expect(sender.enqueue(ByteBuffer(string: "second"), to: target))
            let outcome = sender.flush { _, _ in Issue.record("nothing should be handed back") }
            #expect(outcome.sent == 2)
            #expect(outcome.failed == 1)
            #expect(outcome.lastError != 0)
            #expect(outcome.refused == 0)
            var texts: [String] = []
            for _ in 0..<100 where texts.count < 2 {
                texts += Self.drain(reader)
                if texts.count < 2 { usleep(10_000) }
            }
            #expect(texts == ["first", "second"])
        }
    }

    @Test func aFullSenderRefusesUntilItIsFlushed() throws {
        try Self.withSocket(AF_INET) { descriptor in
            let target = try SocketAddress(ipAddress: "127.0.0.1", port: 9)
            // Room for `capacity` datagrams, and for `capacity` times 8 bytes in all.
            let sender = DatagramSender(descriptor: descriptor, maxDatagramSize: 8)
            let small = ByteBuffer(string: "1")
            for _ in 0..<DatagramSender.capacity { #expect(sender.enqueue(small, to: target)) }
            #expect(!sender.enqueue(small, to: target))
            #expect(sender.discard() == DatagramSender.capacity)
            #expect(sender.isEmpty)
            let large = ByteBuffer(repeating: 7, count: 8 * DatagramSender.capacity - 4)
            #expect(sender.enqueue(large, to: target))
            #expect(!sender.enqueue(ByteBuffer(repeating: 7, count: 5), to: target))
            #expect(sender.enqueue(ByteBuffer(repeating: 7, count: 4), to: target))
        }
    }
}
