import Foundation
import NIOCore
import RealtimeClient
import RealtimeFleet
import RealtimeTestSupport
import Testing

extension FleetSuites {
    /// The status page in a real browser: headless Chromium (Debian's `chromium`, installed by `.ci/run`) loads it,
    /// follows its event stream, and shows the players; the test reads the page through the DevTools protocol and
    /// keeps a screenshot (a test attachment, and `.build/test-output/status-page.png`).
    @Suite(
        "Status page in Chromium",
        .enabled(if: Chromium.executable != nil, "needs chromium (apt-get install chromium)")
    )
    struct StatusPageBrowserTests {
        @Test func thePageShowsPlayersGroupsAndHealthFromTheEventStream() async throws {
            let running = try await FleetServer.start(admin: true)
            let admin = try #require(running.admin)
            let alice = try await running.connect("psess-alice")
            let bob = try await running.connect("psess-bob")
            try await alice.joinGroup(2)
            try await bob.joinGroup(2)
            let browser = try await Chromium.launch(url: "http://127.0.0.1:\(admin.port)/")
            defer { if browser.process.isRunning { browser.process.terminate() } }
            let page = try await browser.page()
            try await eventually("the page to show both players") {
                try await page.evaluate("document.getElementById('players').textContent") == "2 / 32"
            }
            #expect(try await page.evaluate("document.getElementById('live').textContent") == "live")
            let rows = try await page.evaluate(
                "[...document.querySelectorAll('#playerRows td.mono')].map(td => td.textContent).join(',')"
            )
            #expect(rows == "psess-alice,psess-bob")
            #expect(try await page.evaluate("document.getElementById('groupRows').textContent") == "21, 2")
            #expect(try await page.evaluate("document.getElementById('healthy').textContent") == "healthy")
            // The next event shows a player leaving: the page follows the stream, not a one-time load.
            await bob.close()
            try await eventually("the page to show one player") {
                try await page.evaluate("document.getElementById('players').textContent") == "1 / 32"
            }
            let png = try await page.screenshot()
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
            let output = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".build/test-output")
            try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
            try Data(png).write(to: output.appendingPathComponent("status-page.png"))
            Attachment.record(png, named: "status-page.png")
            await page.close()
            await browser.stop()
            await alice.close()
            await running.stop()
        }
    }

    /// Headless Chromium with its DevTools endpoint on a free loopback port.
    struct Chromium {
        let process: Process
        let devTools: HTTP1Client
        let profile: URL

        static var executable: String? {
            ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
                FileManager.default.isExecutableFile(atPath: $0)
            }
        }

        static func launch(url: String) async throws -> Chromium {
            let profile = FileManager.default.temporaryDirectory.appendingPathComponent("rtctl-chromium-\(UUID())")
            try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try #require(executable))
            process.arguments = [
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                "--window-size=1100,720", "--remote-debugging-port=0", "--remote-allow-origins=*",
                "--user-data-dir=\(profile.path)", url,
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Chromium writes the port it took to DevToolsActivePort in its profile.
            let portFile = profile.appendingPathComponent("DevToolsActivePort")
            var port: Int?
            try await eventually("Chromium to open its DevTools port") {
                port = (try? String(contentsOf: portFile, encoding: .utf8))?.split(separator: "\n").first.flatMap {
                    Int($0)
                }
                return port != nil
            }
            return Chromium(
                process: process,
                devTools: HTTP1Client(host: "127.0.0.1", port: try #require(port)),
                profile: profile
            )
        }

        /// The page it opened.
        func page() async throws -> DevToolsPage {
            var socketURL: URL?
            try await eventually("Chromium to list its page") {
                let list = try await devTools.send(.GET, "/json/list")
                let targets = try JSONSerialization.jsonObject(with: Data(list.text.utf8)) as? [[String: Any]] ?? []
                socketURL = targets.first { $0["type"] as? String == "page" }
                    .flatMap { $0["webSocketDebuggerUrl"] as? String }.flatMap(URL.init(string:))
                return socketURL != nil
            }
            return DevToolsPage(connection: try await WebSocketTextConnection.connect(to: try #require(socketURL)))
        }

        func stop() async {
            if process.isRunning {
                process.terminate()
                try? await eventually("Chromium to exit") { !process.isRunning }
            }
            try? FileManager.default.removeItem(at: profile)
        }
    }

    /// One page over the DevTools protocol: evaluate an expression, take a screenshot.
    final class DevToolsPage: @unchecked Sendable {
        private let connection: WebSocketTextConnection
        private var events: AsyncStream<WebSocketTextConnection.Event>.AsyncIterator
        private var nextId = 1

        init(connection: WebSocketTextConnection) {
            self.connection = connection
            self.events = connection.events.makeAsyncIterator()
        }

        private func call(_ method: String, _ params: [String: Any]) async throws -> [String: Any] {
            let id = nextId
            nextId += 1
            let request = try JSONSerialization.data(withJSONObject: ["id": id, "method": method, "params": params])
            try await connection.send(String(decoding: request, as: UTF8.self))
            while let event = await events.next() {
                guard case .text(let text) = event,
                    let message = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                    message["id"] as? Int == id
                else { continue }
                if let error = message["error"] { throw TestFailure("\(method) failed: \(error)") }
                return message["result"] as? [String: Any] ?? [:]
            }
            throw TestFailure("the DevTools connection closed")
        }

        /// The value of a JavaScript expression in the page, as a string.
        func evaluate(_ expression: String) async throws -> String? {
            let result = try await call("Runtime.evaluate", ["expression": expression, "returnByValue": true])
            let value = (result["result"] as? [String: Any])?["value"]
            return value.map { "\($0)" }
        }

        func screenshot() async throws -> [UInt8] {
            let result = try await call("Page.captureScreenshot", ["format": "png"])
            guard let base64 = result["data"] as? String, let data = Data(base64Encoded: base64) else {
                throw TestFailure("no screenshot data")
            }
            return [UInt8](data)
        }

        func close() async {
            await connection.close()
        }
    }
}
