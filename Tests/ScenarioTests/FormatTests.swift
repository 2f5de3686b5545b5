import Foundation
import Testing

/// Formatting is enforced, not discussed: the sources pass `swift format lint --strict` with the repository's
/// `.swift-format` (4 spaces, 120 columns).
@Suite("Source formatting")
struct FormatTests {
    @Test("swift format lint --strict passes on Sources, Tests and Package.swift")
    func lint() async throws {
        let swift = try #require(Subprocess.which("swift"), "the swift driver is needed to lint")
        let root = Subprocess.packageRoot
        let result = try await Subprocess.run(
            swift,
            ["format", "lint", "--strict", "--recursive"]
                + ["Sources", "Tests", "Package.swift"].map { root.appendingPathComponent($0).path },
            timeout: .seconds(120)
        )
        #expect(result.status == 0, "swift format lint --strict:\n\(result.stderr)\(result.stdout)")
    }
}
