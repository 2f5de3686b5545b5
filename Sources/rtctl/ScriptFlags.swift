import ArgumentParser
import NIOCore
import RealtimeServer

/// The flags of `rtctl serve` that run a server script.
struct ScriptFlags: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "A GameLift Realtime (exports.ssExports) or GameSparks Realtime (RTSession) script to run on Node.js.",
            valueName: "file"
        )
    )
    var script: String?

    @Option(help: ArgumentHelp("The Node.js executable (18 or newer) that runs the script.", valueName: "path"))
    var node = "node"

    @Option(
        name: .customLong("script-arg"),
        help: ArgumentHelp(
            "A launch argument for the script's onProcessStarted(args), as key=value (repeatable).",
            valueName: "key=value"
        )
    )
    var scriptArguments: [String] = []

    @Option(help: "Milliseconds a script callback may take; a callback that hangs ends the session (exit 1).")
    var hookTimeout = 5000

    @Option(help: "Milliseconds between the script's onHealthCheck calls.")
    var healthInterval = 60_000

    @Option(help: "Milliseconds onProcessTerminate may take at SIGINT or SIGTERM before the players are closed.")
    var shutdownGrace = 5000

    mutating func validate() throws {
        let given = script != nil
        for (flag, value) in [
            ("--hook-timeout", hookTimeout), ("--health-interval", healthInterval), ("--shutdown-grace", shutdownGrace),
        ] where !(1...86_400_000).contains(value) {
            throw ValidationError("\(flag) \(value) is not between 1 and 86400000 milliseconds")
        }
        if let bad = scriptArguments.first(where: { !$0.contains("=") || $0.hasPrefix("=") }) {
            throw ValidationError("--script-arg \(bad): expected key=value")
        }
        if !given, !scriptArguments.isEmpty {
            throw ValidationError("--script-arg needs --script")
        }
    }

    /// The script options these flags describe; nil without `--script`.
    var options: ScriptOptions? {
        guard let script else { return nil }
        var options = ScriptOptions(scriptPath: script)
        options.node = node
        options.hookTimeout = .milliseconds(Int64(hookTimeout))
        options.healthInterval = .milliseconds(Int64(healthInterval))
        options.shutdownGrace = .milliseconds(Int64(shutdownGrace))
        for argument in scriptArguments {
            let parts = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            options.arguments[String(parts[0])] = String(parts[1])
        }
        return options
    }
}
