import Foundation
import RealtimeTestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A stranger's socket sending bursts of one datagram at a UDP port on 127.0.0.1, as fast as a blocking socket
/// sends (the calling thread does the work, so a burst ends when its last datagram has left).
final class DatagramFlood {
    private let fd: Int32
    private var target = sockaddr_in()
    private let datagram: [UInt8]

    init(port: Int, datagram: [UInt8]) throws {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: errno \(errno)") }
        target.sin_family = sa_family_t(AF_INET)
        target.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &target.sin_addr)
        self.datagram = datagram
    }

    deinit { close(fd) }

    /// Sends `count` datagrams; returns how many the kernel took.
    @discardableResult
    func burst(_ count: Int) -> Int {
        var sent = 0
        datagram.withUnsafeBytes { bytes in
            withUnsafePointer(to: &target) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                    for _ in 0..<count
                    where sendto(
                        fd,
                        bytes.baseAddress,
                        bytes.count,
                        0,
                        address,
                        socklen_t(MemoryLayout<sockaddr_in>.size)
                    )
                        > 0
                    {
                        sent += 1
                    }
                }
            }
        }
        return sent
    }
}

/// The remote ports of the UDP sockets on this host that are connected from local port `port` (Linux's
/// /proc/net/udp and udp6: local address, remote address, state 01 for a connected socket).
func connectedUDPPeers(ofLocalPort port: Int) -> Set<Int> {
    var peers: Set<Int> = []
    for table in ["/proc/net/udp", "/proc/net/udp6"] {
        // Read to the end: `String(contentsOfFile:)` stops after the first 4 KiB of a /proc table (about 30 sockets),
        // and the tests running beside this one open many more.
        guard let data = try? FileHandle(forReadingFrom: URL(fileURLWithPath: table)).readToEnd() else { continue }
        let text = String(decoding: data, as: UTF8.self)
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count > 3, fields[3] == "01",
                let local = fields[1].split(separator: ":").last.flatMap({ Int($0, radix: 16) }), local == port,
                let remote = fields[2].split(separator: ":").last.flatMap({ Int($0, radix: 16) })
            else { continue }
            peers.insert(remote)
        }
    }
    return peers
}
