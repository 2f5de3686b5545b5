import Foundation
import Testing

extension FleetSuites {
    /// What can be checked here of `deploy/` without Docker, Kubernetes or AWS: the shell scripts parse, the JSON and
    /// YAML parse and say what they should, the example script loads in Node.js.
    @Suite("deploy/ files") struct DeployFilesTests {
        static let deploy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("deploy")

        static func run(_ executable: String, _ arguments: [String]) async throws -> (Int32, String) {
            try await ChildProcess.run(executable, arguments)
        }

        @Test(arguments: ["anywhere.sh", "install.sh", "launch.sh", "upload-build.sh"])
        func shellScriptsParse(_ name: String) async throws {
            let path = Self.deploy.appendingPathComponent("gamelift/\(name)").path
            let (status, output) = try await Self.run("bash", ["-n", path])
            #expect(status == 0, "\(output)")
            #expect(FileManager.default.isExecutableFile(atPath: path))
        }

        @Test func theRuntimeConfigurationLaunchesServeThroughTheLaunchScript() throws {
            let data = try Data(contentsOf: Self.deploy.appendingPathComponent("gamelift/runtime-configuration.json"))
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let process = try #require((object["ServerProcesses"] as? [[String: Any]])?.first)
            #expect(process["LaunchPath"] as? String == "/local/game/launch.sh")
            #expect((process["Parameters"] as? String)?.contains("--port-range 1900-1999") == true)
        }

        @Test func theExampleScriptLoadsInNode() async throws {
            let path = Self.deploy.appendingPathComponent("example/game.js").path
            let (status, output) = try await Self.run(
                "node",
                [
                    "-e",
                    "const s = require(process.argv[1]).ssExports; if (typeof s.init !== 'function') process.exit(3)",
                    path,
                ]
            )
            #expect(status == 0, "\(output)")
        }

        @Test(arguments: [("agones/fleet.yaml", "Fleet"), ("agones/allocation.yaml", "GameServerAllocation")])
        func kubernetesManifestsParse(_ name: String, _ kind: String) async throws {
            let path = Self.deploy.appendingPathComponent(name).path
            let program = "import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))['kind'])"
            let (status, output) = try await Self.run("python3", ["-c", program, path])
            try #require(!output.contains("No module named 'yaml'"), "PyYAML is not installed")
            #expect(status == 0, "\(output)")
            #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == kind)
        }

        @Test func theDockerfileBuildsRtctlWithAStaticStandardLibraryOnNode() throws {
            let text = try String(contentsOf: Self.deploy.appendingPathComponent("Dockerfile"), encoding: .utf8)
            #expect(text.contains("swift build -c release --static-swift-stdlib --product rtctl"))
            #expect(text.contains("FROM node:20-bookworm-slim"))
            for copied in ["Package.swift", "Sources", "Tests", "deploy/example/game.js"] {
                let path = Self.deploy.deletingLastPathComponent().appendingPathComponent(copied).path
                #expect(FileManager.default.fileExists(atPath: path), "the Dockerfile copies \(copied)")
            }
        }
    }
}
