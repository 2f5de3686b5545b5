import ArgumentParser
import Foundation
import RealtimeClient

/// How the client commands check a secure server (`wss://` endpoints).
struct TLSFlags: ParsableArguments {
    @Option(
        name: .customLong("tls-ca"),
        help: ArgumentHelp(
            "wss://: trust the CA certificates in this PEM file instead of the system's (e.g. rtctl cert's ca.pem).",
            valueName: "file"
        )
    )
    var tlsCA: String?

    @Flag(
        name: .customLong("tls-insecure"),
        help:
            "wss://: check neither certificates nor host names, on the WebSocket or the DTLS fast channel (tests only)."
    )
    var tlsInsecure = false

    func validate() throws {
        if tlsCA != nil, tlsInsecure {
            throw ValidationError("--tls-ca and --tls-insecure contradict each other")
        }
        _ = try clientTLS()
    }

    /// The client's TLS settings; the `--tls-ca` file is read here.
    func clientTLS() throws -> ClientTLS {
        guard let tlsCA else { return ClientTLS(insecure: tlsInsecure) }
        guard let data = FileManager.default.contents(atPath: tlsCA) else {
            throw ValidationError("--tls-ca \(tlsCA): the file cannot be read")
        }
        let text = String(decoding: data, as: UTF8.self)
        guard text.contains("-----BEGIN CERTIFICATE-----") else {
            throw ValidationError("--tls-ca \(tlsCA): no PEM certificate (\"-----BEGIN CERTIFICATE-----\")")
        }
        return ClientTLS(trustedPEM: text)
    }
}
