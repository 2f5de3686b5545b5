import ArgumentParser
import Foundation
import RealtimeSecurity

extension Rtctl {
    /// `rtctl cert`: a CA and a server certificate for local testing of secure mode.
    struct Cert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a CA and a server certificate for local testing of secure mode (PEM files).",
            discussion: """
                Writes, in --out (default: the current directory): ca.pem (the CA certificate: install it where \\
                clients look for trusted roots, or give it to rtctl clients with --tls-ca), ca-key.pem (its key, \\
                to sign more server certificates with --ca and --ca-key), server.pem (the server certificate for \\
                every HOST, followed by the CA certificate) and server-key.pem. Keys are written readable by the \\
                owner only. Existing files are not overwritten unless --force is given. The server certificate \\
                names each HOST (DNS names, *.wildcards, IPv4 and IPv6 addresses) in its subjectAltName, as the \\
                SDK checks the exact host string it was given; it is valid from an hour ago for --days days.

                On success one JSON line on standard output gives the paths: \\
                {"event":"certificates","ca":…,"caKey":…,"certificate":…,"key":…,"hosts":[…]}.

                Keys are ECDSA P-256 by default (small certificates keep each DTLS handshake flight small); \\
                --key-type rsa makes RSA 2048 keys for clients without ECDSA.

                Examples:
                  rtctl cert 127.0.0.1 localhost
                  rtctl serve --tls-cert server.pem --tls-key server-key.pem
                  rtctl listen wss://127.0.0.1:1900 --tls-ca ca.pem
                  rtctl cert game.example 192.0.2.10 --out certs --ca ca.pem --ca-key ca-key.pem
                """
        )

        enum KeyType: String, ExpressibleByArgument, CaseIterable {
            case ec, rsa
        }

        @Argument(help: ArgumentHelp("The host names and IP addresses clients connect to.", valueName: "host"))
        var hosts: [String] = []

        @Option(help: ArgumentHelp("The folder to write the files to.", valueName: "dir"))
        var out = "."

        @Option(help: "How many days the server certificate is valid.")
        var days = 365

        @Option(help: "The kind of keys.")
        var keyType: KeyType = .ec

        @Option(
            help: ArgumentHelp("Sign with this existing CA certificate (PEM) instead of a new CA.", valueName: "file")
        )
        var ca: String?

        @Option(help: ArgumentHelp("The private key of --ca (PEM).", valueName: "file"))
        var caKey: String?

        @Flag(help: "Overwrite existing files.")
        var force = false

        @OptionGroup
        var logging: LoggingOptions

        func validate() throws {
            guard !hosts.isEmpty else { throw ValidationError("name at least one host name or IP address") }
            guard (1...3650).contains(days) else { throw ValidationError("--days \(days) is not between 1 and 3650") }
            if (ca == nil) != (caKey == nil) { throw ValidationError("--ca and --ca-key go together") }
        }

        func run() throws {
            let existingCA = try ca.map { (try Self.read($0, "--ca"), try Self.read(caKey!, "--ca-key")) }
            let issued: CertificateIssuer.Issued
            do {
                issued = try CertificateIssuer.issue(
                    hosts: hosts,
                    days: days,
                    keyType: keyType == .rsa ? .rsa : .ec,
                    ca: existingCA.map { (certificatePEM: $0.0, keyPEM: $0.1) }
                )
            } catch let error as SecurityError {
                throw ValidationError("\(error)")
            }
            func path(_ name: String) -> String { out == "." ? name : (out as NSString).appendingPathComponent(name) }
            var files: [(name: String, text: String, secret: Bool)] = [
                ("server.pem", issued.serverChainPEM, false),
                ("server-key.pem", issued.serverKeyPEM, true),
            ]
            if existingCA == nil {
                files += [("ca.pem", issued.caCertificatePEM, false), ("ca-key.pem", issued.caKeyPEM, true)]
            }
            do {
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            } catch {
                throw RtctlError.runtime("cert: cannot create \(out): \(error.localizedDescription)")
            }
            let paths = files.map { path($0.name) }
            if !force, let existing = paths.first(where: { FileManager.default.fileExists(atPath: $0) }) {
                throw RtctlError.runtime("cert: \(existing) exists (--force overwrites it)")
            }
            for (file, path) in zip(files, paths) {
                try Self.writeFile(file.text, to: path, secret: file.secret)
            }
            var line = JSONObjectWriter()
            line.add("event", string: "certificates")
            line.add("ca", string: ca ?? path("ca.pem"))
            line.add("caKey", string: caKey ?? path("ca-key.pem"))
            line.add("certificate", string: paths[0])
            line.add("key", string: paths[1])
            line.add("hosts", raw: "[" + hosts.map(JSONText.quoted).joined(separator: ",") + "]")
            StandardStreams.writeToStandardOutput(line.finish() + "\n")
        }

        private static func read(_ path: String, _ flag: String) throws -> String {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ValidationError("\(flag) \(path): the file cannot be read")
            }
            return String(decoding: data, as: UTF8.self)
        }

        /// Writes a file whole; a key is created readable by its owner only.
        private static func writeFile(_ text: String, to path: String, secret: Bool) throws {
            let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, secret ? 0o600 : 0o644)
            guard descriptor >= 0 else {
                throw RtctlError.runtime("cert: cannot write \(path): \(String(cString: strerror(errno)))")
            }
            defer { close(descriptor) }
            if secret { fchmod(descriptor, 0o600) }
            let bytes = Array(text.utf8)
            var written = 0
            while written < bytes.count {
                let result = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
                guard result > 0 else {
                    throw RtctlError.runtime("cert: cannot write \(path): \(String(cString: strerror(errno)))")
                }
                written += result
            }
        }
    }
}
