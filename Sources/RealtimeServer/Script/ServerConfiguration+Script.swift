import Logging
import NIOCore

extension ServerConfiguration {
    /// Takes the script's hooks and its `configuration` (`maxPlayers`, `pingIntervalTime`). A setting given on the
    /// command line wins over the script's, with a warning: nothing is overridden silently.
    mutating func adopt(_ script: ScriptSession, logger: Logger) {
        let (hooks, opCodes) = script.hooks
        session.hooks = hooks
        session.hookOpCodes = opCodes
        let declared = script.host.description.configuration
        if let maxPlayers = declared.maxPlayers {
            if explicitSettings.contains(.maxPlayers), maxPlayers != session.maxPlayers {
                logger.warning(
                    "--max-players \(session.maxPlayers) overrides the script's configuration.maxPlayers \(maxPlayers)"
                )
            } else if maxPlayers >= 1 {
                session.maxPlayers = maxPlayers
            } else {
                logger.warning("the script's configuration.maxPlayers \(maxPlayers) is not a positive number: ignored")
            }
        }
        if let milliseconds = declared.pingIntervalTime {
            let current = pingInterval.nanoseconds / 1_000_000
            if explicitSettings.contains(.pingInterval), Int64(milliseconds) != current {
                logger.warning(
                    "--ping-interval \(current) overrides the script's configuration.pingIntervalTime \(milliseconds)"
                )
            } else if milliseconds >= 1 {
                pingInterval = .milliseconds(Int64(milliseconds))
            } else {
                logger.warning(
                    "the script's configuration.pingIntervalTime \(milliseconds) is not a positive number: ignored"
                )
            }
        }
    }
}

extension RealtimeServer {
    /// Logs the configuration the session runs with, and where each value that a script may set came from.
    func logEffectiveConfiguration(
        _ configuration: ServerConfiguration,
        script: ScriptSession?,
        sessionLoopOfItsOwn: Bool
    ) {
        let sessionLoop = sessionLoopOfItsOwn ? "one of its own" : "the first"
        var metadata: Logger.Metadata = [
            "gameSessionId": "\(configuration.session.gameSessionId)",
            "maxPlayers": "\(configuration.session.maxPlayers)",
            "pingInterval": "\(configuration.pingInterval.nanoseconds / 1_000_000)ms",
            "mode": "\(configuration.session.reservedPlayerSessionIds == nil ? "open" : "reserved")",
            "eventLoops": "\(configuration.connectionThreads) for connections, the session on \(sessionLoop)",
        ]
        if let script {
            let declared = script.host.description.configuration
            let source = { (explicit: ServerConfiguration.ExplicitSettings, declared: Int?) in
                configuration.explicitSettings.contains(explicit)
                    ? "flag" : declared != nil ? "script" : "default"
            }
            metadata["maxPlayersFrom"] = "\(source(.maxPlayers, declared.maxPlayers))"
            metadata["pingIntervalFrom"] = "\(source(.pingInterval, declared.pingIntervalTime))"
            metadata["script"] = "\(script.host.options.scriptPath)"
            metadata["scriptKind"] = "\(script.host.description.kind)"
            metadata["hooks"] = "\(script.host.description.hooks.sorted().joined(separator: ","))"
            metadata["hookTimeout"] = "\(script.host.options.hookTimeout.nanoseconds / 1_000_000)ms"
            metadata["healthInterval"] = "\(script.host.options.healthInterval.nanoseconds / 1_000_000)ms"
            metadata["shutdownGrace"] = "\(script.host.options.shutdownGrace.nanoseconds / 1_000_000)ms"
        }
        logger.info("effective configuration", metadata: metadata)
    }
}
