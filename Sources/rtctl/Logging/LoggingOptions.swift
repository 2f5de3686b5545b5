import ArgumentParser
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `--log-level`, `-q/--quiet`, `--log-format`: the logging flags every subcommand takes.
struct LoggingOptions: ParsableArguments {
    enum Level: String, ExpressibleByArgument, CaseIterable, Sendable {
        case trace, debug, info, notice, warning, error

        var loggerLevel: Logger.Level {
            switch self {
            case .trace: .trace
            case .debug: .debug
            case .info: .info
            case .notice: .notice
            case .warning: .warning
            case .error: .error
            }
        }
    }

    enum Format: String, ExpressibleByArgument, CaseIterable, Sendable {
        case text, json
    }

    @Option(help: "The least severe level logged to stderr (default: info for serve, notice for the others).")
    var logLevel: Level?

    @Flag(name: .shortAndLong, help: "Log errors only (same as --log-level error).")
    var quiet = false

    @Option(help: "How log lines on stderr look: text, or one JSON object per line.")
    var logFormat: Format = .text

    func validate() throws {
        if quiet, let logLevel, logLevel != .error {
            throw ValidationError("--quiet and --log-level \(logLevel.rawValue) contradict each other")
        }
    }

    /// Global options given before the subcommand move after it, so `rtctl -q serve` means `rtctl serve -q`.
    static func hoistingGlobalOptions(_ arguments: [String], subcommands: [String]) -> [String] {
        var globals: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "-q" || argument == "--quiet" || argument.hasPrefix("--log-level=")
                || argument.hasPrefix("--log-format=")
            {
                globals.append(argument)
                index += 1
            } else if argument == "--log-level" || argument == "--log-format", index + 1 < arguments.count {
                globals += arguments[index...(index + 1)]
                index += 2
            } else {
                break
            }
        }
        guard !globals.isEmpty, index < arguments.count, subcommands.contains(arguments[index]) else {
            return arguments
        }
        return [arguments[index]] + globals + arguments[(index + 1)...]
    }

    /// The level in force: `--quiet`, else `--log-level`, else the command's default.
    func level(default defaultLevel: Level) -> Logger.Level {
        if quiet { return .error }
        return (logLevel ?? defaultLevel).loggerLevel
    }

    /// Installs the stderr handler for the whole process; call once, before anything logs.
    func bootstrap(default defaultLevel: Level, environment: [String: String]) {
        let level = level(default: defaultLevel)
        let format: StandardErrorLogHandler.Format =
            switch logFormat {
            case .json: .json
            case .text: .text(color: StandardStreams.allowsColor(STDERR_FILENO, environment: environment))
            }
        LoggingSystem.bootstrap { label in
            StandardErrorLogHandler(label: label, format: format, level: level)
        }
    }
}
