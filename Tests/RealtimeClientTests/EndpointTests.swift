import RealtimeClient
import Testing

@Suite("Endpoint parsing")
struct EndpointTests {
    @Test(
        arguments: [
            ("127.0.0.1:1900", Endpoint(host: "127.0.0.1", port: 1900)),
            ("localhost:2001", Endpoint(host: "localhost", port: 2001)),
            ("game.example.com", Endpoint(host: "game.example.com", port: 1900)),
            ("[::1]:1900", Endpoint(host: "::1", port: 1900)),
            ("[fe80::1%eth0]:7", Endpoint(host: "fe80::1%eth0", port: 7)),
            ("[::1]", Endpoint(host: "::1", port: 1900)),
            ("ws://127.0.0.1:1900", Endpoint(host: "127.0.0.1", port: 1900)),
            ("ws://127.0.0.1:1900/websocket", Endpoint(host: "127.0.0.1", port: 1900)),
            ("ws://host:80/", Endpoint(host: "host", port: 80, path: "/")),
            ("ws://host:80/rt/v1?x=1", Endpoint(host: "host", port: 80, path: "/rt/v1?x=1")),
            ("WS://[2001:db8::5]:1999/websocket", Endpoint(host: "2001:db8::5", port: 1999)),
            ("wss://secure.example.com:443", Endpoint(host: "secure.example.com", port: 443, secure: true)),
        ]
    )
    func accepted(text: String, expected: Endpoint) throws {
        #expect(try Endpoint(parsing: text) == expected)
    }

    @Test(
        arguments: [
            "", ":1900", "host:", "host:0", "host:65536", "host:port", "::1", "::1:1900", "[::1", "[::1]1900",
            "[]:1900", "http://host:1900", "host:1900/websocket", "ws://", "ws:///websocket",
        ]
    )
    func rejected(text: String) {
        #expect(throws: RealtimeClientError(.invalidEndpoint, "")) { try Endpoint(parsing: text) }
    }

    @Test func headersAndURL() throws {
        let v4 = try Endpoint(parsing: "127.0.0.1:1900")
        #expect(v4.authority == "127.0.0.1:1900")
        #expect(v4.url == "ws://127.0.0.1:1900/websocket")
        let v6 = try Endpoint(parsing: "[::1]:2000")
        #expect(v6.authority == "[::1]:2000")
        #expect(v6.description == "ws://[::1]:2000/websocket")
        #expect(try Endpoint(parsing: "wss://h:1").url == "wss://h:1/websocket")
    }

    @Test func errorDescriptionIsReadable() {
        do {
            _ = try Endpoint(parsing: "host:99999")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)" == "invalid port \"99999\" in \"host:99999\"")
        }
    }
}
