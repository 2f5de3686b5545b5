import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import RealtimeSecurity

/// How a client checks a secure server (`wss://`): the trust roots for the WebSocket's TLS, or no check at all.
///
/// The DTLS fast channel always trusts only the login result's `caCert`, as the official SDK does; `--tls-insecure`
/// turns that check off too.
public struct ClientTLS: Sendable {
    /// `--tls-ca FILE`: PEM certificates to trust instead of the system's roots.
    public var trustedPEM: String?
    /// `--tls-insecure`: check neither certificate nor host name, on either channel.
    public var insecure: Bool
    /// The contexts made from these settings, shared by every connection made with them (a TLS context loads its
    /// trust roots, a DTLS one parses the `caCert` it trusts: once, not once per connection).
    private let contexts = Contexts()

    /// The system's roots (or `trustedPEM`), with full verification.
    public init(trustedPEM: String? = nil, insecure: Bool = false) {
        self.trustedPEM = trustedPEM
        self.insecure = insecure
    }

    private final class Contexts: Sendable {
        let tls = NIOLockedValueBox<NIOSSLContext?>(nil)
        let dtls = NIOLockedValueBox<[String: DTLSContext]>([:])
    }

    /// The WebSocket's TLS context, made on first use.
    func context() throws -> NIOSSLContext {
        try contexts.tls.withLockedValue { made in
            if let made { return made }
            let context = try makeContext()
            made = context
            return context
        }
    }

    /// The fast channel's DTLS context trusting `caCert` (nothing when `insecure`), made on first use.
    func dtlsContext(trusting caCert: String) throws -> DTLSContext {
        let trusted = insecure ? nil : caCert
        return try contexts.dtls.withLockedValue { made in
            if let context = made[trusted ?? ""] { return context }
            let context = try DTLSContext.client(trustedPEM: trusted)
            made[trusted ?? ""] = context
            return context
        }
    }

    /// The TLS context of the WebSocket: TLS 1.2 or 1.3, the host name (or IP address) checked against the
    /// certificate unless `insecure`.
    private func makeContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if insecure {
            configuration.certificateVerification = .none
        } else if let trustedPEM {
            let roots: [NIOSSLCertificate]
            do {
                roots = try NIOSSLCertificate.fromPEMBytes(Array(trustedPEM.utf8))
            } catch {
                throw RealtimeClientError(.tlsFailed, "the trusted certificates (--tls-ca) cannot be read: \(error)")
            }
            guard !roots.isEmpty else {
                throw RealtimeClientError(
                    .tlsFailed,
                    "the trusted certificates (--tls-ca) cannot be read: no PEM certificate"
                )
            }
            configuration.trustRoots = .certificates(roots)
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw RealtimeClientError(.tlsFailed, "cannot set up TLS: \(error)")
        }
    }
}

extension ClientTLS {
    /// A failed TLS handshake, said the way a person can act on it.
    static func failure(_ error: any Error, endpoint: Endpoint) -> RealtimeClientError {
        let reason: String
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            reason = "the server's certificate does not name \(endpoint.host)"
        } else if case NIOSSLError.handshakeFailed(let inner) = error {
            reason =
                "\(inner)".contains("CERTIFICATE_VERIFY_FAILED")
                ? "the server's certificate is not trusted (give its CA with --tls-ca)"
                : "the handshake failed (\(inner))"
        } else if case NIOSSLError.uncleanShutdown = error {
            reason = "the server closed the connection during the handshake (is it a secure server?)"
        } else {
            reason = "\(error)"
        }
        return RealtimeClientError(.tlsFailed, "TLS with \(endpoint) failed: \(reason)")
    }
}

/// Remembers the first error of a `wss://` connection's TLS layer, so that a failed handshake is reported as such.
final class TLSFailureRecorder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let record: (any Error) -> Void

    init(record: @escaping (any Error) -> Void) {
        self.record = record
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        record(error)
        context.fireErrorCaught(error)
    }
}
