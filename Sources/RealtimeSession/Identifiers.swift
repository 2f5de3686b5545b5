import NIOCore

/// One reliable (WebSocket) connection, numbered by the server as it accepts them.
public struct ConnectionID: Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(_ rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public var description: String { "c\(rawValue)" }
}

/// An IP address in a form where IPv4 and IPv4-mapped IPv6 compare equal (PROTOCOL.md §6).
public struct HostKey: Hashable, Sendable, CustomStringConvertible {
    /// The 16 address bytes, big-endian, as two words; IPv4 addresses are stored IPv4-mapped (`::ffff:a.b.c.d`).
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The host of a socket address; nil for a Unix-domain address.
    public init?(_ address: SocketAddress) {
        switch address {
        case .v4(let v4):
            self.high = 0
            self.low = 0xFFFF_0000_0000 | UInt64(UInt32(bigEndian: v4.address.sin_addr.s_addr))
        case .v6(let v6):
            var in6 = v6.address.sin6_addr
            let bytes = withUnsafeBytes(of: &in6) { raw in
                (
                    raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
                    raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                )
            }
            self.high = UInt64(bigEndian: bytes.0)
            self.low = UInt64(bigEndian: bytes.1)
        case .unixDomainSocket:
            return nil
        }
    }

    /// True for an IPv4 address (or its IPv4-mapped IPv6 form).
    public var isIPv4: Bool { high == 0 && low >> 32 == 0xFFFF }

    public var description: String {
        if isIPv4 {
            return [24, 16, 8, 0].map { String(UInt8(truncatingIfNeeded: low >> $0)) }.joined(separator: ".")
        }
        let groups =
            [48, 32, 16, 0].map { UInt16(truncatingIfNeeded: high >> $0) }
            + [48, 32, 16, 0].map { UInt16(truncatingIfNeeded: low >> $0) }
        return groups.map { String($0, radix: 16) }.joined(separator: ":")
    }
}

/// A UDP peer: the source address of its datagrams. IPv4 and IPv4-mapped IPv6 forms of one address are one endpoint.
public struct UDPEndpoint: Hashable, Sendable, CustomStringConvertible {
    public var host: HostKey
    public var port: Int
    /// The address to send datagrams to, exactly as it was received.
    public var address: SocketAddress

    public init?(_ address: SocketAddress) {
        guard let host = HostKey(address), let port = address.port else { return nil }
        self.host = host
        self.port = port
        self.address = address
    }

    public static func == (lhs: UDPEndpoint, rhs: UDPEndpoint) -> Bool {
        lhs.host == rhs.host && lhs.port == rhs.port
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(host)
        hasher.combine(port)
    }

    public var description: String { "\(address)" }
}
