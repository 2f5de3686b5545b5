internal import COpenSSL

/// One X.509 certificate, owned (an OpenSSL `X509`).
final class X509Certificate: @unchecked Sendable {
    let pointer: OpaquePointer

    /// Takes ownership of `pointer`.
    init(taking pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        X509_free(pointer)
    }

    /// Every certificate in a PEM text, in order; throws when there is none or one is malformed.
    static func all(fromPEM text: String, source: String) throws -> [X509Certificate] {
        ERR_clear_error()
        guard let bio = MemoryBIO.holding(text) else {
            throw SecurityError.openSSL(.openSSL, "out of memory reading \(source)")
        }
        defer { BIO_free(bio) }
        var certificates: [X509Certificate] = []
        while let certificate = PEM_read_bio_X509(bio, nil, nil, nil) {
            certificates.append(X509Certificate(taking: certificate))
        }
        // The loop ends at the end of the text (a "no start line" error) or at a malformed certificate.
        let error = ERR_peek_last_error()
        let endOfText = ERR_GET_LIB(error) == ERR_LIB_PEM && ERR_GET_REASON(error) == PEM_R_NO_START_LINE
        if error != 0, !endOfText {
            throw SecurityError.openSSL(.invalidCertificate, "\(source): a certificate cannot be read")
        }
        ERR_clear_error()
        guard !certificates.isEmpty else {
            throw SecurityError(.invalidCertificate, "\(source): no PEM certificate (\"-----BEGIN CERTIFICATE-----\")")
        }
        return certificates
    }

    /// The certificate as PEM text.
    var pem: String {
        guard let bio = rtctl_BIO_new_datagram_buffer() else { return "" }
        defer { BIO_free(bio) }
        PEM_write_bio_X509(bio, pointer)
        return MemoryBIO.readAll(bio).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// True when the certificate signed itself (a root CA, or a self-signed server certificate).
    var isSelfSigned: Bool {
        X509_check_issued(pointer, pointer) == X509_V_OK
    }
}

/// One private key, owned (an OpenSSL `EVP_PKEY`).
final class PrivateKey: @unchecked Sendable {
    let pointer: OpaquePointer

    init(taking pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        EVP_PKEY_free(pointer)
    }

    /// The first private key in a PEM text (PKCS #8, RSA or EC; not encrypted).
    static func read(fromPEM text: String, source: String) throws -> PrivateKey {
        ERR_clear_error()
        guard let bio = MemoryBIO.holding(text) else {
            throw SecurityError.openSSL(.openSSL, "out of memory reading \(source)")
        }
        defer { BIO_free(bio) }
        // A passphrase callback that gives none: without one OpenSSL would prompt on the terminal for an encrypted key.
        guard let key = PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil) else {
            throw SecurityError.openSSL(
                .invalidKey,
                "\(source): no unencrypted PEM private key (\"-----BEGIN PRIVATE KEY-----\")"
            )
        }
        return PrivateKey(taking: key)
    }

    /// The key as unencrypted PKCS #8 PEM text.
    var pem: String {
        guard let bio = rtctl_BIO_new_datagram_buffer() else { return "" }
        defer { BIO_free(bio) }
        PEM_write_bio_PrivateKey(bio, pointer, nil, nil, 0, nil, nil)
        return MemoryBIO.readAll(bio).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}

/// OpenSSL memory BIOs.
enum MemoryBIO {
    /// A BIO holding its own copy of `text`, to read from (with an end of file at its end); the caller frees it.
    static func holding(_ text: String) -> OpaquePointer? {
        guard let bio = BIO_new(BIO_s_mem()) else { return nil }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { BIO_write(bio, $0.baseAddress, Int32($0.count)) }
        guard written == bytes.count || bytes.isEmpty else {
            BIO_free(bio)
            return nil
        }
        return bio
    }

    /// Everything waiting in the BIO, or nil when it is empty.
    static func readAll(_ bio: OpaquePointer) -> [UInt8]? {
        let pending = Int(BIO_ctrl_pending(bio))
        guard pending > 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: pending)
        let read = bytes.withUnsafeMutableBytes { BIO_read(bio, $0.baseAddress, Int32(pending)) }
        guard read > 0 else { return nil }
        return Array(bytes.prefix(Int(read)))
    }
}
