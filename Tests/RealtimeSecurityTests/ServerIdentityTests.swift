import RealtimeSecurity
import Testing

@Suite("Certificates: rtctl cert and serve --tls-*")
struct ServerIdentityTests {
    @Test("an issued chain loads; caCert is the CA, which is not sent in handshakes")
    func issuedChain() throws {
        let issued = try CertificateIssuer.issue(hosts: ["127.0.0.1", "game.example", "::1"])
        let identity = try ServerIdentity(certificatesPEM: issued.serverChainPEM, privateKeyPEM: issued.serverKeyPEM)
        #expect(identity.caCertificatePEM == issued.caCertificatePEM)
        #expect(identity.chainPEM.count == 1)
        #expect(identity.caCertificatePEM.hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(!issued.caKeyPEM.isEmpty)
    }

    @Test("an existing CA signs a new server certificate", arguments: CertificateIssuer.KeyType.allCases)
    func existingCA(keyType: CertificateIssuer.KeyType) throws {
        let first = try CertificateIssuer.issue(hosts: ["localhost"], keyType: keyType)
        let second = try CertificateIssuer.issue(
            hosts: ["127.0.0.1"],
            keyType: keyType,
            ca: (first.caCertificatePEM, first.caKeyPEM)
        )
        #expect(second.caCertificatePEM == first.caCertificatePEM)
        #expect(second.caKeyPEM.isEmpty)
        let leaf = String(
            second.serverChainPEM.prefix(
                upTo: second.serverChainPEM.range(of: "-----END CERTIFICATE-----\n")!.upperBound
            )
        )
        let identity = try ServerIdentity(
            certificatesPEM: leaf,
            privateKeyPEM: second.serverKeyPEM,
            caPEM: first.caCertificatePEM
        )
        #expect(identity.caCertificatePEM == first.caCertificatePEM)
    }

    @Test("a CA-signed leaf alone, without --tls-ca, is refused: the SDK could not verify it")
    func leafWithoutIssuer() throws {
        let issued = try CertificateIssuer.issue(hosts: ["127.0.0.1"])
        let leaf = String(
            issued.serverChainPEM.prefix(
                upTo: issued.serverChainPEM.range(of: "-----END CERTIFICATE-----\n")!.upperBound
            )
        )
        #expect(throws: SecurityError(.missingIssuer, "")) {
            try ServerIdentity(certificatesPEM: leaf, privateKeyPEM: issued.serverKeyPEM)
        }
    }

    @Test("a key of another certificate, another CA, no certificate, a bad host: one clear error each")
    func mistakes() throws {
        let issued = try CertificateIssuer.issue(hosts: ["127.0.0.1"])
        let other = try CertificateIssuer.issue(hosts: ["127.0.0.1"])
        #expect(throws: SecurityError(.keyMismatch, "")) {
            try ServerIdentity(certificatesPEM: issued.serverChainPEM, privateKeyPEM: other.serverKeyPEM)
        }
        #expect(throws: SecurityError(.invalidCertificate, "")) {
            try ServerIdentity(
                certificatesPEM: issued.serverChainPEM,
                privateKeyPEM: issued.serverKeyPEM,
                caPEM: other.caCertificatePEM
            )
        }
        #expect(throws: SecurityError(.invalidCertificate, "")) {
            try ServerIdentity(certificatesPEM: "not a certificate", privateKeyPEM: issued.serverKeyPEM)
        }
        #expect(throws: SecurityError(.invalidKey, "")) {
            try ServerIdentity(certificatesPEM: issued.serverChainPEM, privateKeyPEM: issued.caCertificatePEM)
        }
        // Without --tls-ca the top of the chain is caCert: a chain that does not lead to it is refused.
        let leaf = try #require(issued.serverChainPEM.components(separatedBy: "-----END CERTIFICATE-----").first)
        #expect(throws: SecurityError(.invalidCertificate, "")) {
            try ServerIdentity(
                certificatesPEM: leaf + "-----END CERTIFICATE-----\n" + other.caCertificatePEM,
                privateKeyPEM: issued.serverKeyPEM
            )
        }
        // An encrypted key is refused at once (never a passphrase prompt on the terminal).
        let encryptedKey = """
            -----BEGIN ENCRYPTED PRIVATE KEY-----
            MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAiikIn8C+DA7gICCAAw
            DAYIKoZIhvcNAgkFADAdBglghkgBZQMEAQIEENSlvQIOO8DwpvyCxboJmeMEgZBb
            1ZG/JArgQnvcY7fvPNYMRyJswyWwdX8W3piKvMuvgc3gah2AiaprdcduQ/bMQShC
            uY9+Z8WsTiISgzze4pkSmPTQAexwsIhOCvjT4nqLuhdNo9rWRxzNizKssRz/cash
            LmU/9zEX/L1qcjT/HbcvXkCOJN4Q48U4x4dDoGXF5aTonj/AqhSuE9co8rZv8Ik=
            -----END ENCRYPTED PRIVATE KEY-----
            """
        #expect(throws: SecurityError(.invalidKey, "")) {
            try ServerIdentity(certificatesPEM: issued.serverChainPEM, privateKeyPEM: encryptedKey)
        }
        for host in ["", "bad host", "a,DNS:evil.example", "-x.example", "x..example"] {
            #expect(throws: SecurityError(.invalidHost, ""), "\(host)") {
                try CertificateIssuer.issue(hosts: [host])
            }
        }
        #expect(throws: SecurityError(.unreadableFile, "")) {
            try ServerIdentity.load(
                certificateFile: "/nonexistent/cert.pem",
                keyFile: "/nonexistent/key.pem",
                caFile: nil
            )
        }
    }
}
