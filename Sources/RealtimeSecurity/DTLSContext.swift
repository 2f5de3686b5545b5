internal import COpenSSL

/// The settings every DTLS association of one side shares (an OpenSSL `SSL_CTX` for DTLS 1.2 only).
///
/// A server context holds the certificate chain, the key and the secret its HelloVerifyRequest cookies are made with;
/// a client context holds the certificates it trusts (the login result's `caCert`, and nothing else, as the SDK does).
public final class DTLSContext: @unchecked Sendable {
    let pointer: OpaquePointer
    let isServer: Bool
    let verifiesPeer: Bool
    /// The HMAC key of the cookies (server only).
    let cookieSecret: [UInt8]

    /// The datagram size DTLS plans its records for: each handshake message fits in one record, and the whole flight
    /// is then sent as one datagram (docs/SECURE.md).
    static let mtu = 1400

    private init(pointer: OpaquePointer, isServer: Bool, verifiesPeer: Bool, cookieSecret: [UInt8]) {
        self.pointer = pointer
        self.isServer = isServer
        self.verifiesPeer = verifiesPeer
        self.cookieSecret = cookieSecret
    }

    deinit {
        SSL_CTX_free(pointer)
    }

    /// A server context presenting `identity`, with a new random cookie secret.
    public static func server(identity: ServerIdentity) throws -> DTLSContext {
        let context = try makeContext(server: true)
        do {
            guard SSL_CTX_use_certificate(context, identity.chain[0].pointer) == 1 else {
                throw SecurityError.openSSL(.invalidCertificate, "the DTLS server cannot use the certificate")
            }
            for intermediate in identity.chain.dropFirst() {
                guard rtctl_SSL_CTX_add1_chain_cert(context, intermediate.pointer) == 1 else {
                    throw SecurityError.openSSL(.invalidCertificate, "the DTLS server cannot use the chain")
                }
            }
            guard SSL_CTX_use_PrivateKey(context, identity.key.pointer) == 1,
                SSL_CTX_check_private_key(context) == 1
            else {
                throw SecurityError.openSSL(.keyMismatch, "the DTLS server cannot use the private key")
            }
        } catch {
            SSL_CTX_free(context)
            throw error
        }
        SSL_CTX_set_cookie_generate_cb(context, generateCookie)
        SSL_CTX_set_cookie_verify_cb(context, verifyCookie)
        var secret = [UInt8](repeating: 0, count: 32)
        guard RAND_bytes(&secret, Int32(secret.count)) == 1 else {
            SSL_CTX_free(context)
            throw SecurityError.openSSL(.openSSL, "no random bytes for the cookie secret")
        }
        return DTLSContext(pointer: context, isServer: true, verifiesPeer: false, cookieSecret: secret)
    }

    /// A client context that trusts only the certificates in `trustedPEM` (the login result's `caCert`), or verifies
    /// nothing when `trustedPEM` is nil (`--tls-insecure`).
    public static func client(trustedPEM: String?) throws -> DTLSContext {
        let context = try makeContext(server: false)
        guard let trustedPEM else {
            SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
            return DTLSContext(pointer: context, isServer: false, verifiesPeer: false, cookieSecret: [])
        }
        do {
            let anchors = try X509Certificate.all(fromPEM: trustedPEM, source: "caCert")
            guard let store = SSL_CTX_get_cert_store(context) else {
                throw SecurityError.openSSL(.openSSL, "no certificate store")
            }
            for anchor in anchors where X509_STORE_add_cert(store, anchor.pointer) != 1 {
                throw SecurityError.openSSL(.invalidCertificate, "caCert cannot be trusted")
            }
        } catch {
            SSL_CTX_free(context)
            throw error
        }
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        return DTLSContext(pointer: context, isServer: false, verifiesPeer: true, cookieSecret: [])
    }

    private static func makeContext(server: Bool) throws -> OpaquePointer {
        ERR_clear_error()
        guard let context = SSL_CTX_new(server ? DTLS_server_method() : DTLS_client_method()) else {
            throw SecurityError.openSSL(.openSSL, "cannot create a DTLS context")
        }
        rtctl_SSL_CTX_set_min_proto_version(context, DTLS1_2_VERSION)
        rtctl_SSL_CTX_set_max_proto_version(context, DTLS1_2_VERSION)
        rtctl_SSL_CTX_disable_session_cache(context)
        SSL_CTX_set_options(context, rtctl_dtls_options())
        return context
    }

    /// The cookie for one source address: HMAC-SHA-256 of the address with the context's secret.
    func cookie(for peer: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        cookieSecret.withUnsafeBytes { key in
            peer.withUnsafeBufferPointer { data in
                _ = HMAC(
                    EVP_sha256(),
                    key.baseAddress,
                    Int32(key.count),
                    data.baseAddress,
                    data.count,
                    &digest,
                    &length
                )
            }
        }
        return Array(digest.prefix(Int(length)))
    }
}

// OpenSSL's cookie callbacks: the association (SSL ex data 0) knows the datagram's source address.

private func generateCookie(
    _ ssl: OpaquePointer?,
    _ cookie: UnsafeMutablePointer<UInt8>?,
    _ length: UnsafeMutablePointer<UInt32>?
) -> Int32 {
    guard let session = DTLSSession.owner(of: ssl), let cookie, let length else { return 0 }
    let bytes = session.context.cookie(for: session.peer)
    bytes.withUnsafeBufferPointer { cookie.update(from: $0.baseAddress!, count: bytes.count) }
    length.pointee = UInt32(bytes.count)
    return 1
}

private func verifyCookie(_ ssl: OpaquePointer?, _ cookie: UnsafePointer<UInt8>?, _ length: UInt32) -> Int32 {
    guard let session = DTLSSession.owner(of: ssl), let cookie else { return 0 }
    let expected = session.context.cookie(for: session.peer)
    guard Int(length) == expected.count else { return 0 }
    // Constant time: every byte is compared whatever the first difference.
    var difference: UInt8 = 0
    for index in 0..<expected.count { difference |= expected[index] ^ cookie[index] }
    return difference == 0 ? 1 : 0
}
