import Foundation
import Testing

/// The layers of the package (STYLE.md): the wire format, then the session state machines, then the server and the
/// client on NIO; the bench builds on the client, the fleet integrations on the server, and only the executable
/// composes them. A module that imports one it must not fails this test, naming the file.
@Suite("Module boundaries")
struct ModuleBoundaryTests {
    enum Rule: Sendable {
        /// Only these modules (and the standard library).
        case only(Set<String>)
        /// Anything but these.
        case not(Set<String>)
    }

    static let rules: [(module: String, rule: Rule)] = [
        // WebSocket framing is part of the wire format: the message reader uses NIOWebSocket's opcodes and masking.
        ("RealtimeProtocol", .only(["NIOCore", "NIOWebSocket"])),
        ("RealtimeSession", .only(["RealtimeProtocol", "NIOCore", "DequeModule"])),
        (
            "RealtimeSecurity",
            .not(["RealtimeProtocol", "RealtimeSession", "RealtimeServer", "RealtimeClient", "NIOPosix"])
        ),
        ("RealtimeServer", .not(["RealtimeClient", "RealtimeBench", "RealtimeFleet"])),
        ("RealtimeClient", .not(["RealtimeServer", "RealtimeBench", "RealtimeFleet", "ServiceLifecycle"])),
        ("RealtimeBench", .not(["RealtimeServer", "RealtimeFleet", "RealtimeSecurity", "ServiceLifecycle"])),
        ("RealtimeFleet", .not(["RealtimeClient", "RealtimeBench"])),
    ]

    /// The modules a source file imports, whatever the attributes or access level in front of `import`.
    static func imports(of text: String) -> Set<String> {
        var modules: Set<String> = []
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            guard let index = words.firstIndex(of: "import"),
                words[..<index].allSatisfy({ $0.hasPrefix("@") || ["public", "internal", "package"].contains($0) })
            else { continue }
            // `import struct Module.Type` names a declaration kind first.
            let kinds: Set<Substring> = ["struct", "class", "enum", "protocol", "func", "var", "let", "typealias"]
            guard let name = words[(index + 1)...].first(where: { !kinds.contains($0) }) else { continue }
            modules.insert(String(name.split(separator: ".").first ?? ""))
        }
        return modules
    }

    @Test("each library imports only what its layer allows", arguments: 0..<rules.count)
    func boundaries(index: Int) throws {
        let (module, rule) = Self.rules[index]
        let directory = Subprocess.packageRoot.appendingPathComponent("Sources/\(module)")
        let files = try #require(FileManager.default.enumerator(atPath: directory.path)?.allObjects as? [String])
            .filter { $0.hasSuffix(".swift") }
        #expect(!files.isEmpty, "no sources in \(directory.path)")
        let platform: Set<String> = ["Foundation", "Glibc", "Musl", "Darwin", "Dispatch", "Synchronization"]
        for file in files {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            for imported in Self.imports(of: text).subtracting(platform) {
                switch rule {
                case .only(let allowed):
                    #expect(allowed.contains(imported), "\(module)/\(file) imports \(imported)")
                case .not(let forbidden):
                    #expect(!forbidden.contains(imported), "\(module)/\(file) imports \(imported)")
                }
            }
        }
    }

    @Test("the import reader sees every form of import")
    func importReader() {
        let text = """
            import NIOCore
            @testable import RealtimeServer
            internal import COpenSSL
            @_implementationOnly import Secret
            public import struct Foundation.URL
            // import NotThis
            let x = "import NorThis"
            """
        #expect(Self.imports(of: text) == ["NIOCore", "RealtimeServer", "COpenSSL", "Secret", "Foundation"])
    }
}
