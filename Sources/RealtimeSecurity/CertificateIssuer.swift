internal import COpenSSL
import Foundation

/// Issues certificates for local testing (`rtctl cert`): a CA, and a server certificate it signs for given host names
/// and IP addresses. Made with the OpenSSL library the DTLS server already links, so no other package is needed.
public enum CertificateIssuer {
    /// The kind of key pair.
    public enum KeyType: String, Sendable, CaseIterable {
        /// ECDSA on P-256: small certificates, so each DTLS handshake flight stays one small datagram.
        case ec
        /// RSA 2048: for clients whose TLS library has no ECDSA.
        case rsa
    }

    /// What ``issue(hosts:days:keyType:ca:)`` made, all PEM.
    public struct Issued: Sendable {
        public var caCertificatePEM: String
        /// The CA's private key; empty when an existing CA signed the server certificate.
        public var caKeyPEM: String
        /// The server certificate followed by the CA certificate: what `serve --tls-cert` takes (the CA is the top of
        /// the chain, so it becomes `caCert` in login results and is not sent in handshakes).
        public var serverChainPEM: String
        public var serverKeyPEM: String
    }

    /// A server certificate for `hosts` (DNS names, `*.example` wildcards, IPv4 or IPv6 addresses), valid from an hour
    /// ago for `days` days, signed by `ca` (certificate and key PEM) or by a new CA issued alongside.
    public static func issue(
        hosts: [String],
        days: Int = 365,
        keyType: KeyType = .ec,
        ca: (certificatePEM: String, keyPEM: String)? = nil
    ) throws -> Issued {
        guard !hosts.isEmpty else { throw SecurityError(.invalidHost, "name at least one host name or IP address") }
        let names = try hosts.map(SubjectAlternativeName.init(parsing:))
        guard (1...3650).contains(days) else {
            throw SecurityError(.openSSL, "the validity (\(days) days) is not between 1 and 3650 days")
        }
        let caCertificate: X509Certificate
        let caKey: PrivateKey
        var newCAKeyPEM = ""
        if let ca {
            caCertificate = try X509Certificate.all(fromPEM: ca.certificatePEM, source: "the CA certificate")[0]
            caKey = try PrivateKey.read(fromPEM: ca.keyPEM, source: "the CA key")
            guard X509_check_private_key(caCertificate.pointer, caKey.pointer) == 1 else {
                ERR_clear_error()
                throw SecurityError(.keyMismatch, "the CA key is not the private key of the CA certificate")
            }
        } else {
            caKey = try generateKey(keyType)
            caCertificate = try makeCertificate(
                commonName: "rtctl local CA \(String(UInt32.random(in: .min ... .max), radix: 16))",
                key: caKey,
                issuer: nil,
                days: days + 1,
                extensions: [
                    (NID_basic_constraints, "critical,CA:TRUE,pathlen:0"),
                    (NID_key_usage, "critical,keyCertSign,cRLSign"),
                    (NID_subject_key_identifier, "hash"),
                ]
            )
            newCAKeyPEM = caKey.pem
        }
        let serverKey = try generateKey(keyType)
        let usage = keyType == .rsa ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature"
        let server = try makeCertificate(
            commonName: String(hosts[0].prefix(64)),
            key: serverKey,
            issuer: (caCertificate, caKey),
            days: days,
            extensions: [
                (NID_basic_constraints, "critical,CA:FALSE"),
                (NID_key_usage, usage),
                (NID_ext_key_usage, "serverAuth"),
                (NID_subject_alt_name, names.map(\.confValue).joined(separator: ",")),
                (NID_subject_key_identifier, "hash"),
                (NID_authority_key_identifier, "keyid"),
            ]
        )
        return Issued(
            caCertificatePEM: caCertificate.pem,
            caKeyPEM: newCAKeyPEM,
            serverChainPEM: server.pem + caCertificate.pem,
            serverKeyPEM: serverKey.pem
        )
    }

    static func generateKey(_ type: KeyType) throws -> PrivateKey {
        let key =
            switch type {
            case .ec: rtctl_EVP_EC_gen("P-256")
            case .rsa: rtctl_EVP_RSA_gen(2048)
            }
        guard let key else { throw SecurityError.openSSL(.openSSL, "cannot generate a \(type.rawValue) key") }
        return PrivateKey(taking: key)
    }

    private static func makeCertificate(
        commonName: String,
        key: PrivateKey,
        issuer: (certificate: X509Certificate, key: PrivateKey)?,
        days: Int,
        extensions: [(Int32, String)]
    ) throws -> X509Certificate {
        guard let pointer = X509_new() else { throw SecurityError.openSSL(.openSSL, "out of memory") }
        let certificate = X509Certificate(taking: pointer)
        X509_set_version(pointer, 2)
        ASN1_INTEGER_set_uint64(X509_get_serialNumber(pointer), UInt64.random(in: 1...(UInt64.max >> 1)))
        X509_gmtime_adj(X509_getm_notBefore(pointer), -3600)
        X509_gmtime_adj(X509_getm_notAfter(pointer), days * 86_400)
        X509_set_pubkey(pointer, key.pointer)
        let subject = X509_get_subject_name(pointer)
        X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_ASC, "rtctl local testing", -1, -1, 0)
        X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, commonName, -1, -1, 0)
        let issuerCertificate = issuer?.certificate.pointer ?? pointer
        X509_set_issuer_name(pointer, X509_get_subject_name(issuerCertificate))
        var context = X509V3_CTX()
        rtctl_X509V3_set_ctx_nodb(&context)
        X509V3_set_ctx(&context, issuerCertificate, pointer, nil, nil, 0)
        for (nid, value) in extensions {
            guard let extensionPointer = X509V3_EXT_nconf_nid(nil, &context, nid, value) else {
                throw SecurityError.openSSL(.openSSL, "cannot add the certificate extension \(value)")
            }
            X509_add_ext(pointer, extensionPointer, -1)
            X509_EXTENSION_free(extensionPointer)
        }
        guard X509_sign(pointer, (issuer?.key ?? key).pointer, EVP_sha256()) > 0 else {
            throw SecurityError.openSSL(.openSSL, "cannot sign the certificate")
        }
        return certificate
    }
}

/// One entry of a certificate's subjectAltName: a DNS name or an IP address, checked so it cannot inject anything
/// into OpenSSL's extension syntax.
struct SubjectAlternativeName: Hashable, Sendable {
    var confValue: String

    init(parsing host: String) throws {
        if Self.isIPAddress(host) {
            confValue = "IP:\(host)"
            return
        }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        let valid =
            host.utf8.count <= 253 && !labels.isEmpty
            && labels.enumerated().allSatisfy { index, label in
                if index == 0, label == "*", labels.count > 2 { return true }
                return (1...63).contains(label.utf8.count) && label.first != "-" && label.last != "-"
                    && label.utf8.allSatisfy { $0 == UInt8(ascii: "-") || Self.isAlphanumeric($0) }
            }
        guard valid else {
            throw SecurityError(.invalidHost, "\"\(host)\" is neither a DNS name nor an IP address")
        }
        confValue = "DNS:\(host.lowercased())"
    }

    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}

/// What kind of host an endpoint names.
public enum HostName {
    /// True for an IPv4 or IPv6 address (checked against a certificate's IP entries, never sent as SNI).
    public static func isIPAddress(_ host: String) -> Bool {
        SubjectAlternativeName.isIPAddress(host)
    }
}
