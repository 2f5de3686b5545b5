import RealtimeProtocol

/// Where a Realtime server listens: `HOST:PORT`, `[v6]:PORT`, `ws://HOST:PORT[/path]` or `wss://…` (CLI.md).
///
/// A missing port means 1900 (the protocol's default); a missing path means `/websocket`, as the SDK uses.
public struct Endpoint: Hashable, Sendable, CustomStringConvertible {
    /// A host name or an IP address, without brackets.
    public var host: String
    public var port: Int
    /// The WebSocket request path, starting with `/`.
    public var path: String
    /// `wss://`: TLS on the WebSocket and DTLS on UDP (secure mode, not supported yet).
    public var secure: Bool

    public static let defaultPath = "/websocket"

    public init(
        host: String,
        port: Int = RealtimeConstants.defaultPort,
        path: String = defaultPath,
        secure: Bool = false
    ) {
        self.host = host
        self.port = port
        self.path = path
        self.secure = secure
    }

    /// Parses one of the accepted forms; throws ``RealtimeClientError/Code/invalidEndpoint`` with the reason.
    public init(parsing text: String) throws {
        var rest = Substring(text)
        var secure = false
        var hasScheme = false
        if let schemeEnd = rest.firstRange(of: "://") {
            switch rest[..<schemeEnd.lowerBound].lowercased() {
            case "ws": secure = false
            case "wss": secure = true
            default:
                throw RealtimeClientError(.invalidEndpoint, "unsupported scheme in \"\(text)\" (use ws:// or wss://)")
            }
            hasScheme = true
            rest = rest[schemeEnd.upperBound...]
        }
        var path = Self.defaultPath
        if let slash = rest.firstIndex(of: "/") {
            guard hasScheme else {
                throw RealtimeClientError(.invalidEndpoint, "a path needs the ws:// form: \"\(text)\"")
            }
            path = String(rest[slash...])
            rest = rest[..<slash]
        }
        let host: Substring
        var portText: Substring?
        if rest.first == "[" {
            guard let close = rest.firstIndex(of: "]") else {
                throw RealtimeClientError(.invalidEndpoint, "missing \"]\" in \"\(text)\"")
            }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.first == ":" else {
                    throw RealtimeClientError(.invalidEndpoint, "expected \":PORT\" after \"]\" in \"\(text)\"")
                }
                portText = after.dropFirst()
            }
        } else if let colon = rest.firstIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
            if portText?.contains(":") == true {
                throw RealtimeClientError(.invalidEndpoint, "an IPv6 address needs brackets: \"[\(rest)]:PORT\"")
            }
        } else {
            host = rest
        }
        guard !host.isEmpty else {
            throw RealtimeClientError(.invalidEndpoint, "missing host in \"\(text)\"")
        }
        var port = RealtimeConstants.defaultPort
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw RealtimeClientError(.invalidEndpoint, "invalid port \"\(portText)\" in \"\(text)\"")
            }
            port = value
        }
        self.init(host: String(host), port: port, path: path, secure: secure)
    }

    /// `host:port`, with brackets around an IPv6 address: the `Host` header's value.
    public var authority: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// The WebSocket URL the client opens.
    public var url: String { "\(secure ? "wss" : "ws")://\(authority)\(path)" }

    public var description: String { url }
}
