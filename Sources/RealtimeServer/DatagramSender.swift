import CDatagram
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Sends the fast port's datagrams straight to its socket, one `sendmmsg` per flush, past SwiftNIO's channel.
///
/// A fan-out writes each message to every recipient, so the per-datagram cost of the write path counts as many times.
/// Through the channel, a datagram is an addressed envelope passed down the pipeline, queued as a pending write with
/// its own promise slot and buffer reference, and turned into a message header at flush time. Here it is a copy of
/// its bytes into one reused block and a message header filled in place: no allocation, no reference counting.
///
/// What the kernel does not take at once for want of buffer space (a burst larger than the socket's send buffer, which
/// on a network interface holds what the card has not sent yet) is handed back to the caller (``flush(refused:)``),
/// which queues it on the channel: SwiftNIO sends it when the socket is writable again, up to its high-water mark.
///
/// Plain mode only: in secure mode each datagram goes through the DTLS layer in the channel's pipeline. The socket is
/// the channel's (``RealtimeServer`` creates it and hands it to the channel); the sender lives on the channel's event
/// loop, which is where the channel would close it, and is used only while the channel is active.
final class DatagramSender {
    /// The datagrams one flush carries at most; more leave with a flush of their own first.
    static let capacity = 512

    private let descriptor: CInt
    private let messages: UnsafeMutablePointer<rtctl_mmsghdr>
    private let vectors: UnsafeMutablePointer<iovec>
    private let addresses: UnsafeMutablePointer<sockaddr_storage>
    private let bytes: UnsafeMutableRawBufferPointer
    private var count = 0
    private var used = 0

    /// A sender for the socket `descriptor`, with room for ``capacity`` datagrams of up to `maxDatagramSize` bytes.
    init(descriptor: CInt, maxDatagramSize: Int) {
        self.descriptor = descriptor
        messages = .allocate(capacity: Self.capacity)
        messages.initialize(repeating: rtctl_mmsghdr(), count: Self.capacity)
        vectors = .allocate(capacity: Self.capacity)
        vectors.initialize(repeating: iovec(), count: Self.capacity)
        addresses = .allocate(capacity: Self.capacity)
        addresses.initialize(repeating: sockaddr_storage(), count: Self.capacity)
        bytes = .allocate(byteCount: Self.capacity * maxDatagramSize, alignment: 16)
        for index in 0..<Self.capacity {
            messages[index].msg_hdr.msg_iov = vectors + index
            messages[index].msg_hdr.msg_iovlen = 1
            messages[index].msg_hdr.msg_name = UnsafeMutableRawPointer(addresses + index)
        }
    }

    deinit {
        messages.deallocate()
        vectors.deallocate()
        addresses.deallocate()
        bytes.deallocate()
    }

    /// Datagrams waiting for ``flush()``.
    var isEmpty: Bool { count == 0 }

    /// Queues `datagram` for `address`. False when there is no room left: flush, then queue it again.
    func enqueue(_ datagram: ByteBuffer, to address: SocketAddress) -> Bool {
        let size = datagram.readableBytes
        guard count < Self.capacity, used + size <= bytes.count else { return false }
        let start = bytes.baseAddress! + used
        datagram.withUnsafeReadableBytes { source in
            if let base = source.baseAddress { start.copyMemory(from: base, byteCount: size) }
        }
        vectors[count] = iovec(iov_base: start, iov_len: size)
        let nameLength = address.withSockAddr { name, length in
            UnsafeMutableRawPointer(addresses + count).copyMemory(from: name, byteCount: length)
            return length
        }
        messages[count].msg_hdr.msg_namelen = socklen_t(nameLength)
        count += 1
        used += size
        return true
    }

    /// The destination of queued datagram `index`, as SwiftNIO's value.
    private func address(at index: Int) -> SocketAddress? {
        let name = UnsafeRawPointer(addresses + index)
        switch CInt(addresses[index].ss_family) {
        case AF_INET: return SocketAddress(name.load(as: sockaddr_in.self), host: "")
        case AF_INET6: return SocketAddress(name.load(as: sockaddr_in6.self), host: "")
        case AF_UNIX:
            // The path, up to the name's length or its terminating NUL.
            let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)!
            let bytes = UnsafeRawBufferPointer(
                start: name + pathOffset,
                count: max(0, Int(messages[index].msg_hdr.msg_namelen) - pathOffset)
            )
            let path = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            return try? SocketAddress(unixDomainSocketPath: path)
        default: return nil
        }
    }

    /// Forgets what is queued (the socket is closed). Returns how many datagrams that was.
    func discard() -> Int {
        defer {
            count = 0
            used = 0
        }
        return count
    }

    /// What one flush did: datagrams the kernel took, datagrams it had no buffer space for (handed back), and
    /// datagrams it refused one by one (an address it cannot send to), with the last such error.
    struct Outcome {
        var sent = 0
        var sentBytes = 0
        var refused = 0
        var failed = 0
        var lastError: CInt = 0
    }

    /// Sends what is queued with as few `sendmmsg` calls as the kernel allows. Once the kernel has no buffer space,
    /// the datagrams left are passed to `refused`, in order, with a copy of their bytes.
    func flush(refused: (ByteBuffer, SocketAddress) -> Void) -> Outcome {
        var outcome = Outcome()
        var offset = 0
        while offset < count {
            let result = rtctl_sendmmsg(descriptor, messages + offset, UInt32(count - offset), 0)
            if result > 0 {
                for index in offset..<(offset + Int(result)) { outcome.sentBytes += vectors[index].iov_len }
                outcome.sent += Int(result)
                offset += Int(result)
                continue
            }
            let error = result == 0 ? EAGAIN : errno
            if error == EINTR { continue }
            if error == EAGAIN || error == EWOULDBLOCK || error == ENOBUFS {
                for index in offset..<count {
                    if let address = address(at: index) {
                        let bytes = UnsafeRawBufferPointer(
                            start: vectors[index].iov_base,
                            count: vectors[index].iov_len
                        )
                        refused(ByteBuffer(bytes: bytes), address)
                    }
                }
                outcome.refused += count - offset
                break
            }
            // This datagram cannot be sent (for example, to an address the host cannot route): the next ones can.
            outcome.failed += 1
            outcome.lastError = error
            offset += 1
        }
        count = 0
        used = 0
        return outcome
    }
}

extension DatagramSender {
    /// A non-blocking UDP socket bound to `address` with SO_REUSEPORT (so that players' own sockets can join its port,
    /// see ``PlayerSockets``), and, for IPv6, accepting IPv4 too where the system allows. The caller hands it to a
    /// channel, which owns it from then on.
    static func reusePortSocket(boundTo address: SocketAddress) throws -> CInt {
        let family = address.protocol == .inet6 ? AF_INET6 : AF_INET
        #if canImport(Glibc)
        let type = CInt(SOCK_DGRAM.rawValue) | CInt(SOCK_NONBLOCK.rawValue) | CInt(SOCK_CLOEXEC.rawValue)
        #else
        let type = SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC
        #endif
        let descriptor = socket(family, type, 0)
        guard descriptor >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
        // The same options the bootstraps set on the port's other sockets, set by hand: the socket is not NIO's yet.
        func set(_ option: ChannelOptions.Types.SocketOption, to value: CInt, _ what: String) throws {
            var value = value
            let level = option.optionLevel.rawValue
            let name = option.optionName.rawValue
            guard setsockopt(descriptor, level, name, &value, socklen_t(MemoryLayout<CInt>.size)) == 0 else {
                throw IOError(errnoCode: errno, reason: "setsockopt(\(what))")
            }
        }
        do {
            try set(PlayerSockets.reusePort, to: 1, "SO_REUSEPORT")
            if family == AF_INET6 { try set(RealtimeServer.ipv6Only, to: 0, "IPV6_V6ONLY") }
            let result = address.withSockAddr { name, length in bind(descriptor, name, socklen_t(length)) }
            guard result == 0 else { throw IOError(errnoCode: errno, reason: "bind") }
        } catch {
            close(descriptor)
            throw error
        }
        return descriptor
    }
}
