import NIOCore
import NIOSSL
import RealtimeSecurity

/// Secure mode's TLS side (docs/SECURE.md): wss on the WebSocket port with swift-nio-ssl. TLS 1.2 must be offered,
/// since the official SDK refuses a server that speaks only TLS 1.3; 1.3 is offered too.
extension ServerIdentity {
    func makeWebSocketTLSContext() throws -> NIOSSLContext {
        let chain = try chainPEM.map {
            try NIOSSLCertificateSource.certificate(NIOSSLCertificate(bytes: Array($0.utf8), format: .pem))
        }
        let key = try NIOSSLPrivateKey(bytes: Array(privateKeyPEM.utf8), format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain,
            privateKey: .privateKey(key)
        )
        configuration.minimumTLSVersion = .tlsv12
        return try NIOSSLContext(configuration: configuration)
    }
}

/// The contexts of both secure listeners, made once at start-up.
struct SecureListeners {
    var webSocket: NIOSSLContext
    var dtls: DTLSContext

    init(identity: ServerIdentity) throws {
        webSocket = try identity.makeWebSocketTLSContext()
        dtls = try DTLSContext.server(identity: identity)
    }
}
