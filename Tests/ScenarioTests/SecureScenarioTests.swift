import Foundation
import Testing

/// Secure mode from the shell: `rtctl cert`, then `serve` with its files, then the client commands over wss and DTLS.
@Suite("Secure mode from the shell")
struct SecureScenarioTests {
    @Test("rtctl cert's files work with serve; clients connect over wss with --tls-ca and get a DTLS fast channel")
    func certServeAndClients() async throws {
        let result = try await Shell.run(
            #"""
            rtctl cert 127.0.0.1 localhost --out certs > cert.jsonl
            check cert.jsonl '.[0].event == "certificates" and .[0].hosts == ["127.0.0.1","localhost"] and .[0].certificate == "certs/server.pem"'
            [ "$(stat -c %a certs/server-key.pem)" = 600 ] || fail "the key is readable by others"
            [ "$(stat -c %a certs/ca-key.pem)" = 600 ] || fail "the CA key is readable by others"
            expect_status 1 rtctl cert 127.0.0.1 --out certs 2> again.err
            grep -q 'exists (--force overwrites it)' again.err || fail "overwrote: $(cat again.err)"

            rtctl serve --port 0 --host 127.0.0.1 --tls-cert certs/server.pem --tls-key certs/server-key.pem > serve.jsonl 2> serve.err &
            wait_for serve.jsonl '.event == "listening"'
            check serve.jsonl '.[0].secure == true'
            port=$(jq -r .tcpPort serve.jsonl)

            rtctl listen "wss://127.0.0.1:$port" --tls-ca certs/ca.pem --count 1 --timeout 30s > l.jsonl 2> l.err & L=$!
            wait_for l.jsonl '.event == "fastReady"'
            rtctl send "wss://localhost:$port/websocket" --tls-ca certs/ca.pem --opcode 10 --group -1 --reliable --payload "over wss"
            wait $L || fail "listen exited $?: $(cat l.err)"
            check l.jsonl 'map(select(.event == "message")) | length == 1 and .[0].payload == "over wss"'

            # Plain ws:// to the secure port, and a server the client does not trust: cannot connect (3).
            expect_status 3 rtctl send "127.0.0.1:$port" --opcode 10 --payload x --connect-timeout 5s 2> plain.err
            expect_status 3 rtctl send "wss://127.0.0.1:$port" --opcode 10 --payload x 2> untrusted.err
            grep -q 'TLS' untrusted.err || fail "no TLS reason: $(cat untrusted.err)"
            expect_status 0 rtctl send "wss://127.0.0.1:$port" --tls-insecure --opcode 10 --payload x

            # A lone CA-signed certificate without --tls-ca is a usage error naming the fix.
            sed -n '1,/END CERTIFICATE/p' certs/server.pem > leaf.pem
            expect_status 64 rtctl serve --tls-cert leaf.pem --tls-key certs/server-key.pem 2> leaf.err
            grep -q -- '--tls-ca' leaf.err || fail "$(cat leaf.err)"
            expect_status 64 rtctl serve --tls-cert certs/server.pem 2> nokey.err
            """#
        )
        #expect(result.status == 0, "stderr:\n\(result.stderr)\nstdout:\n\(result.stdout)")
    }
}
