import Foundation
import Testing

@Suite("Module boundaries")
struct ModuleBoundaryTests {
    /// The bench library is a load generator built on the client library; the executable composes it with the server
    /// (`bench --serve`). It must not reach into the server.
    @Test("RealtimeBench imports neither the server nor its lifecycle")
    func benchDoesNotImportTheServer() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/RealtimeBench")
        let files = try FileManager.default.contentsOfDirectory(atPath: sources.path).filter { $0.hasSuffix(".swift") }
        #expect(!files.isEmpty)
        for file in files {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            let imports = text.split(separator: "\n").filter { $0.hasPrefix("import ") || $0.contains(" import ") }
            for forbidden in ["RealtimeServer", "ServiceLifecycle"] {
                #expect(!imports.contains { $0.hasSuffix(" " + forbidden) }, "\(file) imports \(forbidden)")
            }
        }
    }
}
