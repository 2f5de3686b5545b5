import Foundation
import Testing

/// The committed completions/ and man/ must match what the current command line generates.
/// When one of these fails, run `scripts/generate-docs` and commit the result.
@Suite("Generated docs are up to date")
struct GeneratedDocsTests {
    static let hint = "stale generated docs: run scripts/generate-docs and commit the result"

    @Test("completion scripts", arguments: ["bash", "zsh", "fish"])
    func completions(_ shell: String) async throws {
        let generated = try await Subprocess.rtctl(["--generate-completion-script", shell])
        #expect(generated.status == 0)
        let committed = try String(
            contentsOf: Subprocess.packageRoot.appendingPathComponent("completions/rtctl.\(shell)"),
            encoding: .utf8
        )
        #expect(generated.stdout == committed, "completions/rtctl.\(shell): \(Self.hint)")
    }

    @Test("the command-line description the man pages were generated from")
    func dumpHelp() async throws {
        let generated = try await Subprocess.rtctl(["--experimental-dump-help"])
        #expect(generated.status == 0)
        let committed = try String(
            contentsOf: Subprocess.packageRoot.appendingPathComponent("man/.rtctl-dump-help.json"),
            encoding: .utf8
        )
        #expect(generated.stdout == committed, "man/.rtctl-dump-help.json: \(Self.hint)")
    }

    @Test("one man page per command, each with that command's abstract and options")
    func manPages() async throws {
        let dump = try await Subprocess.rtctl(["--experimental-dump-help"])
        let tool = try JSONDecoder().decode(ToolInfo.self, from: Data(dump.stdout.utf8))
        let manDirectory = Subprocess.packageRoot.appendingPathComponent("man")
        var expectedPages: Set<String> = []
        var commands = [(tool.command, [String]())]
        while let (command, parents) = commands.popLast() {
            let path = parents + [command.commandName]
            let page = path.joined(separator: ".") + ".1"
            expectedPages.insert(page)
            commands += (command.subcommands ?? []).map { ($0, path) }
            let text = try String(contentsOf: manDirectory.appendingPathComponent(page), encoding: .utf8)
            if let abstract = command.abstract {
                #expect(text.contains(".Nd \"\(abstract)\""), "man/\(page) abstract: \(Self.hint)")
            }
            #expect(Self.documentedOptions(text) == command.optionNames, "man/\(page) options: \(Self.hint)")
        }
        let committedPages = try FileManager.default.contentsOfDirectory(atPath: manDirectory.path)
            .filter { $0.hasSuffix(".1") }
        #expect(Set(committedPages) == expectedPages, "man/: \(Self.hint)")
    }

    /// The option names in a page's `.It Fl …` items (`.It Fl q , -quiet`): `-quiet` for `--quiet`, `q` for `-q`.
    static func documentedOptions(_ page: String) -> Set<String> {
        var names: Set<String> = []
        for line in page.split(separator: "\n") where line.hasPrefix(".It Fl ") {
            let words = line.split(separator: " ")
            for (previous, word) in zip(words, words.dropFirst()) where previous == "Fl" || previous == "," {
                names.insert(String(word))
            }
        }
        return names
    }

    /// The parts of ArgumentParser's `--experimental-dump-help` output the check needs.
    struct ToolInfo: Decodable {
        struct Name: Decodable {
            var kind: String
            var name: String
        }

        struct Argument: Decodable {
            var kind: String
            var shouldDisplay: Bool
            var names: [Name]?
        }

        struct Command: Decodable {
            var commandName: String
            var abstract: String?
            var arguments: [Argument]?
            var subcommands: [Command]?

            var optionNames: Set<String> {
                let shown = (arguments ?? []).filter { $0.shouldDisplay && $0.kind != "positional" }
                return Set(shown.flatMap { ($0.names ?? []).map { $0.kind == "short" ? $0.name : "-" + $0.name } })
            }
        }

        var command: Command
    }
}
