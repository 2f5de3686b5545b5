internal import COpenSSL

/// A failure of the secure mode: certificates, keys, DTLS. Equal and hashable on its ``code`` only; the description
/// names what was wrong in one line, with OpenSSL's reason when it gave one.
public struct SecurityError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case unreadableFile
            case invalidCertificate
            case invalidKey
            case keyMismatch
            case missingIssuer
            case invalidHost
            case handshakeFailed
            case openSSL
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A certificate or key file cannot be read.
        public static let unreadableFile = Code(.unreadableFile)
        /// No PEM certificate, or a certificate OpenSSL cannot parse.
        public static let invalidCertificate = Code(.invalidCertificate)
        /// No PEM private key, or one OpenSSL cannot parse.
        public static let invalidKey = Code(.invalidKey)
        /// The private key does not belong to the certificate.
        public static let keyMismatch = Code(.keyMismatch)
        /// A CA-signed certificate without its issuer, and no CA given: clients could not verify the DTLS server.
        public static let missingIssuer = Code(.missingIssuer)
        /// A host name or IP address that cannot go into a certificate.
        public static let invalidHost = Code(.invalidHost)
        /// The DTLS handshake failed (a certificate that does not verify, a wrong host name, a protocol error).
        public static let handshakeFailed = Code(.handshakeFailed)
        /// Any other OpenSSL failure.
        public static let openSSL = Code(.openSSL)

        public var description: String { base.rawValue }
    }

    public let code: Code
    private let detail: String

    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { detail }

    public static func == (lhs: SecurityError, rhs: SecurityError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    /// An error with OpenSSL's queued reasons appended (and the queue cleared).
    static func openSSL(_ code: Code, _ detail: String) -> SecurityError {
        let reasons = OpenSSLErrors.drain()
        return SecurityError(code, reasons.isEmpty ? detail : "\(detail): \(reasons)")
    }
}

/// OpenSSL's per-thread error queue.
enum OpenSSLErrors {
    /// The queued errors as one line, oldest first; the queue is left empty.
    static func drain() -> String {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            if let reason = ERR_reason_error_string(code) {
                reasons.append(String(cString: reason))
            } else {
                reasons.append("error \(code)")
            }
        }
        return reasons.joined(separator: "; ")
    }
}
