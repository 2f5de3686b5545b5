/// A client failure. Equal and hashable on its ``code`` only, so that tests and the CLI can match the kind of failure
/// while the description carries the detail for a person.
public struct RealtimeClientError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidEndpoint
            case tlsFailed
            case connectionFailed
            case upgradeRefused
            case connectTimeout
            case loginRefused
            case disconnected
            case payloadTooLarge
            case notConnected
            case closed
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The endpoint text is not one of the accepted forms.
        public static let invalidEndpoint = Code(.invalidEndpoint)
        /// `wss://`: the TLS handshake failed (a certificate the client does not trust or that does not name the host, a
        /// server that does not speak TLS), or the trust roots cannot be read.
        public static let tlsFailed = Code(.tlsFailed)
        /// The TCP connection (or name resolution) failed.
        public static let connectionFailed = Code(.connectionFailed)
        /// The server did not accept the WebSocket upgrade.
        public static let upgradeRefused = Code(.upgradeRefused)
        /// Connecting and logging in took longer than the options allow.
        public static let connectTimeout = Code(.connectTimeout)
        /// The server answered the login with `success:false`.
        public static let loginRefused = Code(.loginRefused)
        /// The connection closed before the login completed.
        public static let disconnected = Code(.disconnected)
        /// A payload over 4096 bytes.
        public static let payloadTooLarge = Code(.payloadTooLarge)
        /// Not logged in.
        public static let notConnected = Code(.notConnected)
        /// The connection is closing or closed.
        public static let closed = Code(.closed)

        public var description: String { base.rawValue }

        /// True for failures to connect or log in (the CLI's exit status 3).
        public var isConnectFailure: Bool {
            switch base {
            case .tlsFailed, .connectionFailed, .upgradeRefused, .connectTimeout, .loginRefused,
                .disconnected:
                return true
            case .invalidEndpoint, .payloadTooLarge, .notConnected, .closed:
                return false
            }
        }
    }

    public let code: Code
    private let detail: String
    /// For ``Code/loginRefused`` and ``Code/disconnected``: the close code the server sent, if any.
    public let closeCode: UInt16?

    public init(_ code: Code, _ detail: String, closeCode: UInt16? = nil) {
        self.code = code
        self.detail = detail
        self.closeCode = closeCode
    }

    public var description: String { detail }

    public static func == (lhs: RealtimeClientError, rhs: RealtimeClientError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
