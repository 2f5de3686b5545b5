internal import COpenSSL
import Foundation

/// What a secure server presents: its certificate chain and key (for wss and DTLS alike), and the CA certificate the
/// login result hands to clients as `caCert`, which they use to verify the DTLS server (docs/SECURE.md).
public struct ServerIdentity: Sendable {
    /// The certificates the server sends, as PEM: the leaf first, then intermediates. A self-signed root at the top of
    /// the given chain is left out: clients have it already (it is `caCertificatePEM`), and a small chain keeps every
    /// DTLS handshake flight in one datagram.
    public let chainPEM: [String]
    /// The private key, as unencrypted PKCS #8 PEM.
    public let privateKeyPEM: String
    /// `caCert` of the login result: ASCII PEM of the issuer of the leaf (the chain's top), or of the leaf itself when
    /// it is self-signed.
    public let caCertificatePEM: String

    let chain: [X509Certificate]
    let key: PrivateKey

    /// Reads `--tls-cert`, `--tls-key` and `--tls-ca` files; see ``init(certificatesPEM:privateKeyPEM:caPEM:)``.
    public static func load(certificateFile: String, keyFile: String, caFile: String?) throws -> ServerIdentity {
        try ServerIdentity(
            certificatesPEM: read(certificateFile, what: "certificate"),
            privateKeyPEM: read(keyFile, what: "key"),
            caPEM: caFile.map { try read($0, what: "CA") },
            sources: (certificateFile, keyFile, caFile ?? "")
        )
    }

    /// Checks the chain, the key and the CA together:
    /// * the key must belong to the first certificate (the leaf);
    /// * without `caPEM`, `caCert` is the top of the chain; a lone certificate must then be self-signed, since the SDK
    ///   cannot verify a CA-signed leaf without its issuer (``SecurityError/Code/missingIssuer``);
    /// * with `caPEM`, the chain must verify against it (as the client will check it).
    public init(certificatesPEM: String, privateKeyPEM: String, caPEM: String? = nil) throws {
        try self.init(
            certificatesPEM: certificatesPEM,
            privateKeyPEM: privateKeyPEM,
            caPEM: caPEM,
            sources: ("the certificate", "the key", "the CA")
        )
    }

    private init(
        certificatesPEM: String,
        privateKeyPEM: String,
        caPEM: String?,
        sources: (certificate: String, key: String, ca: String)
    ) throws {
        var chain = try X509Certificate.all(fromPEM: certificatesPEM, source: sources.certificate)
        let key = try PrivateKey.read(fromPEM: privateKeyPEM, source: sources.key)
        ERR_clear_error()
        guard X509_check_private_key(chain[0].pointer, key.pointer) == 1 else {
            ERR_clear_error()
            throw SecurityError(
                .keyMismatch,
                "\(sources.key) is not the private key of the first certificate in \(sources.certificate)"
            )
        }
        let caCertificates: [X509Certificate]
        if let caPEM {
            caCertificates = try X509Certificate.all(fromPEM: caPEM, source: sources.ca)
            try Self.verify(chain, anchors: caCertificates, sources: sources)
        } else if chain.count > 1 {
            // The top of the chain becomes caCert: the chain must lead to it, or every DTLS handshake would fail.
            caCertificates = [chain[chain.count - 1]]
            try Self.verify(
                chain,
                anchors: caCertificates,
                sources: (sources.certificate, sources.key, "the last certificate of \(sources.certificate)")
            )
        } else if chain[0].isSelfSigned {
            caCertificates = chain
        } else {
            throw SecurityError(
                .missingIssuer,
                "\(sources.certificate) holds a CA-signed certificate without its issuer: append the CA certificate "
                    + "to it or give --tls-ca (clients verify the DTLS server against that CA)"
            )
        }
        if chain.count > 1, chain[chain.count - 1].isSelfSigned {
            chain.removeLast()
        }
        self.chain = chain
        self.key = key
        self.chainPEM = chain.map(\.pem)
        self.privateKeyPEM = key.pem
        self.caCertificatePEM = caCertificates.map(\.pem).joined()
    }

    /// Verifies the chain's leaf against `anchors` (purpose: TLS server), as a client will.
    private static func verify(
        _ chain: [X509Certificate],
        anchors: [X509Certificate],
        sources: (certificate: String, key: String, ca: String)
    ) throws {
        guard let store = X509_STORE_new() else { throw SecurityError.openSSL(.openSSL, "out of memory") }
        defer { X509_STORE_free(store) }
        guard let context = X509_STORE_CTX_new() else { throw SecurityError.openSSL(.openSSL, "out of memory") }
        defer { X509_STORE_CTX_free(context) }
        for anchor in anchors { X509_STORE_add_cert(store, anchor.pointer) }
        let untrusted = OPENSSL_sk_new_null()
        defer { OPENSSL_sk_free(untrusted) }
        for certificate in chain.dropFirst() { OPENSSL_sk_push(untrusted, UnsafeRawPointer(certificate.pointer)) }
        guard X509_STORE_CTX_init(context, store, chain[0].pointer, untrusted) == 1 else {
            throw SecurityError.openSSL(.openSSL, "cannot set up the certificate check")
        }
        X509_STORE_CTX_set_purpose(context, X509_PURPOSE_SSL_SERVER)
        guard X509_verify_cert(context) == 1 else {
            let reason = String(cString: X509_verify_cert_error_string(Int(X509_STORE_CTX_get_error(context))))
            ERR_clear_error()
            throw SecurityError(
                .invalidCertificate,
                "\(sources.certificate) does not verify against \(sources.ca): \(reason)"
            )
        }
    }

    private static func read(_ path: String, what: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            let reason =
                !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
                ? "no such file" : isDirectory.boolValue ? "is a directory" : "cannot be read"
            throw SecurityError(.unreadableFile, "\(what) file \(path): \(reason)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
