import ArgumentParser
import Foundation
import Logging
import Metrics
import NIOCore
import RealtimeFleet
import RealtimeProtocol
import RealtimeSecurity
import RealtimeServer
import RealtimeSession
import ServiceLifecycle

extension Rtctl {
    /// `rtctl serve`: one game session behind a WebSocket and a UDP listener.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve one Realtime game session (WebSocket + UDP) until SIGINT or SIGTERM.",
            discussion: """
                When the listeners are up, serve prints exactly one JSON line on standard output and \
                flushes it: an object with "event":"listening" followed by "host", "tcpPort", "udpPort" and \
                "gameSessionId". Everything else (logs, errors) goes to standard error. SIGINT or SIGTERM closes every \
                connection cleanly and exits 0. Without --reserve or --player-sessions any player session \
                id may log in (open mode); with them, only the listed ids may, each with one live \
                connection. A generated game session id looks like gsess-20261121-100000-3f9a1c2b.

                With --script, a GameLift Realtime script (one that sets exports.ssExports) or a GameSparks \
                Realtime script (one that uses RTSession) runs unchanged on Node.js 18 or newer (--node): \
                init, onProcessStarted (with the --script-arg values) and onStartGameSession run before the \
                listeners open. The script's configuration.maxPlayers and configuration.pingIntervalTime apply \
                unless --max-players or --ping-interval is given, which win with a warning; the effective \
                configuration is logged at start-up. Script output and logger calls go to the log with \
                source=script. processEnding() or process.exit(0) ends the session and serve exits 0; \
                process.exit(N) makes serve exit N; a callback that does not return within --hook-timeout, or \
                a script process that dies, ends the session and serve exits 1. SIGINT or SIGTERM first runs \
                onProcessTerminate (for at most --shutdown-grace), then closes the players.

                Secure mode (--tls-cert and --tls-key, PEM): the WebSocket port speaks wss (TLS 1.2 and 1.3) and \
                the fast port DTLS 1.2, which the SDK's RT_OVER_WSS_DTLS_TLS12 connection type expects; plain \
                ws:// and plain UDP are refused. Login results carry caCert, the CA certificate clients verify \
                the DTLS server with: --tls-ca, else the top of the --tls-cert chain (which must then hold the \
                issuer, or be self-signed). A self-signed root at the top of the chain is not sent in handshakes. \
                rtctl cert makes a CA and a server certificate for local testing. The listening line then has \
                "secure":true.

                With --admin-port, an HTTP listener (loopback unless --admin-host says otherwise; it has no \
                authentication) serves /healthz (200 "ok", or 503 when the script failed or its last onHealthCheck \
                said unhealthy), /readyz (200 "ready" once listening, 503 while starting or shutting down), /metrics \
                (Prometheus text: rtctl_players, rtctl_groups, messages and bytes per channel, drops by reason, \
                rtctl_script_hook_duration_seconds per hook, rtctl_script_state), /status (one JSON snapshot), and a \
                live status page at / that follows /events (server-sent events, one snapshot a second). The \
                listening line then also has "adminPort".

                With --gamelift, serve is a GameLift custom game server speaking the server SDK 5 protocol \
                (Anywhere or managed EC2): it registers with ActivateServerProcess once listening, sends a \
                heartbeat with the script's onHealthCheck every 60 s, and waits for GameLift's CreateGameSession: \
                the script's onStartGameSession then gets GameLift's fields (GameSessionId, Name, \
                MaximumPlayerSessionCount, GameProperties, GameSessionData, MatchmakerData, … both as sent and in \
                lower camel case). Logins before that are refused ("no game session yet"); every login is checked \
                with AcceptPlayerSession before onPlayerConnect, and a refusal closes it with GameLift's message; a \
                player who leaves is removed with RemovePlayerSession. TerminateProcess runs onProcessTerminate and \
                drains the players; the end of the session (processEnding(), a signal) sends TerminateServerProcess. \
                The connection is retried with backoff when it drops; a 403 on the handshake exits 1. The values \
                come from GAMELIFT_SDK_WEBSOCKET_URL, GAMELIFT_SDK_FLEET_ID, GAMELIFT_SDK_HOST_ID, \
                GAMELIFT_SDK_AUTH_TOKEN and GAMELIFT_SDK_PROCESS_ID unless the --gamelift-… flags give them. \
                --port-range A-B takes the first port where TCP and UDP are both free, so that several processes \
                share one host.

                With --agones, serve is an Agones game server: it asks the SDK sidecar \
                (localhost:$AGONES_SDK_HTTP_PORT, default 9358; retried until it answers) for its GameServer. \
                Without --port it binds the port the GameServer reports (portPolicy Passthrough; <name>-tcp and \
                <name>-udp of a TCPUDP port, --agones-port-name or the first); with --port it binds that and tells \
                players the reported UDP port. It calls Ready once listening, Health every min(2 s, period/2) while \
                onHealthCheck says healthy (never while it does not, so that Agones marks it Unhealthy), starts the \
                game session when the GameServer is Allocated (the allocation's annotations become GameProperties; \
                logins before are refused), tracks players in the GameServer's players List, and calls Shutdown when \
                the session ends, or on SIGTERM after the players are closed.

                Examples:
                  rtctl serve
                  rtctl serve --port 0 --host 127.0.0.1 | jq -r .tcpPort
                  rtctl serve --max-players 4 --reserve alice --reserve bob --announce-players
                  rtctl serve --player-sessions sessions.txt --log-format json 2> server.log
                  rtctl serve --script game.js --script-arg level=3 --hook-timeout 2000
                  rtctl serve --admin-port 9100 && curl -s 127.0.0.1:9100/metrics
                  rtctl serve --gamelift --port-range 1900-1999 --script game.js --log-path /local/game/logs/game.log
                  rtctl serve --agones --script game.js --admin-port 9100 --admin-host 0.0.0.0
                  rtctl cert 127.0.0.1 localhost && rtctl serve --tls-cert server.pem --tls-key server-key.pem
                """
        )

        @Option(help: "The address to listen on (IPv4 or IPv6, e.g. 127.0.0.1 or ::).")
        var host = "0.0.0.0"

        @Option(
            name: .customLong("port"),
            help: """
                The WebSocket (TCP) port; 0 picks a free port (default: 1900; with --agones, the port the GameServer \
                reports).
                """
        )
        var tcpPort: Int?

        @Option(help: "The UDP port (default: the TCP port's number; 0 picks a free port).")
        var udpPort: Int?

        @Option(help: "The most players connected at once (default: 32, or the script's configuration.maxPlayers).")
        var maxPlayers: Int?

        @Option(
            help: """
                Milliseconds between WebSocket pings; a connection silent for three intervals is closed \
                (default: 3000, or the script's configuration.pingIntervalTime).
                """
        )
        var pingInterval: Int?

        @Option(help: "The game session id (default: a generated one).")
        var gameSessionId: String?

        @Option(
            name: .customLong("reserve"),
            help: ArgumentHelp(
                "Reserve a player session id; only reserved ids may log in (repeatable).",
                valueName: "id"
            )
        )
        var reservedIds: [String] = []

        @Option(
            help: ArgumentHelp(
                "A file of player session ids to reserve, one per line; blank lines and # comments are ignored.",
                valueName: "file"
            )
        )
        var playerSessions: String?

        @Flag(help: "Send group membership updates to a group's members whenever the group changes.")
        var announceMembership = false

        @Flag(help: "Tell every player when a player connects or disconnects (op codes -101 and -103).")
        var announcePlayers = false

        @Flag(
            help: """
                Accept a peer's UDP association from any source address (behind a WebSocket proxy). Risk: anyone \
                who knows a peer id can then race its first -5 or take its fast channel after 5 s of silence \
                (until the player sends again); use secure mode where that matters.
                """
        )
        var udpAnySource = false

        @Option(
            help: ArgumentHelp(
                "Record every event of the session to this file (JSON lines; replay it with rtctl replay).",
                valueName: "file"
            )
        )
        var record: String?

        @Option(
            help: ArgumentHelp(
                """
                Event-loop threads for the WebSocket connections (default: one per core). The game session and \
                its UDP socket live on the first of them, or on one more thread of their own (--session-loop). \
                Beside other busy processes, fewer than the cores: busy threads that take turns on a core show \
                in the p99.
                """,
                valueName: "n"
            )
        )
        var threads: Int?

        @Option(
            help: ArgumentHelp(
                """
                Where the game session runs: on a thread of its own, which no connection uses (own), or on the \
                connections' first thread (shared). auto: own with --script (a hook's answer is read sooner), \
                shared without.
                """,
                valueName: "where"
            )
        )
        var sessionLoop: ServerConfiguration.SessionLoop = .auto

        @Option(
            help: ArgumentHelp(
                """
                Under load, reliable messages leave in batches at most this often (one write per connection per \
                batch); a quiet server sends at once. Longer batches cost less CPU and add up to this much latency.
                """,
                valueName: "duration"
            )
        )
        var flushInterval = DurationArgument(.milliseconds(1))

        @Option(
            help: ArgumentHelp(
                "Secure mode: the server's certificate chain, PEM, leaf first (e.g. rtctl cert's server.pem).",
                valueName: "file"
            )
        )
        var tlsCert: String?

        @Option(help: ArgumentHelp("Secure mode: the private key of --tls-cert, unencrypted PEM.", valueName: "file"))
        var tlsKey: String?

        @Option(
            help: ArgumentHelp(
                "Secure mode: the CA certificate (PEM) clients get as caCert (default: the top of the --tls-cert chain).",
                valueName: "file"
            )
        )
        var tlsCa: String?

        @OptionGroup(title: "Limits and abuse")
        var limits: LimitFlags

        @OptionGroup(title: "Server script")
        var script: ScriptFlags

        @OptionGroup(title: "Admin listener")
        var admin: AdminFlags

        @OptionGroup(title: "Fleets (GameLift, Agones)")
        var fleet: FleetFlags

        @OptionGroup
        var logging: LoggingOptions

        /// The ids read from `--player-sessions`, filled by `validate()`.
        private var fileIds: [String] = []
        /// The certificates and key of secure mode, read by `validate()`.
        private var identity: ServerIdentity?

        private enum CodingKeys: String, CodingKey {
            case host, tcpPort, udpPort, maxPlayers, pingInterval, gameSessionId, reservedIds, playerSessions
            case announceMembership, announcePlayers, udpAnySource, record, tlsCert, tlsKey, tlsCa, limits, script
            case threads, sessionLoop, flushInterval, admin, fleet, logging
        }

        mutating func validate() throws {
            guard !host.isEmpty else { throw ValidationError("--host must not be empty") }
            if let tcpPort, !(0...65_535).contains(tcpPort) {
                throw ValidationError("--port \(tcpPort) is not between 0 and 65535")
            }
            if let udpPort, !(0...65_535).contains(udpPort) {
                throw ValidationError("--udp-port \(udpPort) is not between 0 and 65535")
            }
            if fleet.portRange != nil, tcpPort != nil || udpPort != nil {
                throw ValidationError("--port-range takes the place of --port and --udp-port: give one or the other")
            }
            if let threads, !(1...256).contains(threads) {
                throw ValidationError("--threads \(threads) is not between 1 and 256")
            }
            if let maxPlayers, !(1...1_000_000).contains(maxPlayers) {
                throw ValidationError("--max-players \(maxPlayers) is not between 1 and 1000000")
            }
            if let pingInterval, !(1...3_600_000).contains(pingInterval) {
                throw ValidationError("--ping-interval \(pingInterval) is not between 1 and 3600000 milliseconds")
            }
            if let gameSessionId {
                guard !gameSessionId.isEmpty, !gameSessionId.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
                    throw ValidationError("--game-session-id must be non-empty printable text")
                }
            }
            if let empty = reservedIds.first(where: { $0.isEmpty || $0 != $0.trimmingCharacters(in: .whitespaces) }) {
                throw ValidationError(
                    "--reserve \(JSONText.quoted(empty)): a player session id has no surrounding spaces"
                )
            }
            if let playerSessions {
                fileIds = try Self.readPlayerSessions(playerSessions)
            }
            identity = try Self.identity(certificate: tlsCert, key: tlsKey, ca: tlsCa)
        }

        /// Secure mode's certificates, checked together; nil without `--tls-cert`.
        static func identity(certificate: String?, key: String?, ca: String?) throws -> ServerIdentity? {
            switch (certificate, key) {
            case (nil, nil):
                if ca != nil { throw ValidationError("--tls-ca needs --tls-cert and --tls-key") }
                return nil
            case (nil, _?):
                throw ValidationError("--tls-key needs --tls-cert")
            case (_?, nil):
                throw ValidationError("--tls-cert needs --tls-key")
            case (let certificate?, let key?):
                do {
                    return try ServerIdentity.load(certificateFile: certificate, keyFile: key, caFile: ca)
                } catch let error as SecurityError {
                    throw ValidationError("secure mode: \(error)")
                }
            }
        }

        /// The ids in a `--player-sessions` file: one per line, trimmed; blank lines and `#` comments skipped.
        static func readPlayerSessions(_ path: String) throws -> [String] {
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                let reason = (error as NSError).localizedFailureReason ?? "it cannot be read"
                throw ValidationError("--player-sessions \(path): \(Self.readableReason(path: path, fallback: reason))")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw ValidationError("--player-sessions \(path): the file is not UTF-8 text")
            }
            return parsePlayerSessions(text)
        }

        static func parsePlayerSessions(_ text: String) -> [String] {
            text.split(whereSeparator: \.isNewline).compactMap { line in
                let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
                let id = content.trimmingCharacters(in: .whitespaces)
                return id.isEmpty ? nil : id
            }
        }

        private static func readableReason(path: String, fallback: String) -> String {
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) { return "no such file" }
            if isDirectory.boolValue { return "is a directory" }
            if !FileManager.default.isReadableFile(atPath: path) { return "permission denied" }
            return fallback
        }

        /// `--port`, or its default.
        var port: Int { tcpPort ?? RealtimeConstants.defaultPort }

        /// The server configuration these flags describe.
        func serverConfiguration(gameSessionId: String) -> ServerConfiguration {
            let reserved: Set<String>? =
                reservedIds.isEmpty && playerSessions == nil ? nil : Set(reservedIds).union(fileIds)
            var session = GameSession.Configuration(
                gameSessionId: gameSessionId,
                maxPlayers: maxPlayers ?? RealtimeConstants.defaultMaxPlayers,
                fastPort: udpPort ?? port,
                reservedPlayerSessionIds: reserved,
                announceMembership: announceMembership,
                announcePlayers: announcePlayers,
                udpAnySource: udpAnySource
            )
            session.fastPort = udpPort ?? port
            var configuration = ServerConfiguration(session: session)
            configuration.host = host
            configuration.port = port
            configuration.udpPort = udpPort
            configuration.pingInterval = .milliseconds(
                Int64(pingInterval ?? RealtimeConstants.defaultPingIntervalMilliseconds)
            )
            configuration.script = script.options
            configuration.recordPath = record
            configuration.portRange = fleet.range
            configuration.threads = threads
            configuration.sessionLoop = sessionLoop
            configuration.flushInterval = .nanoseconds(flushInterval.nanoseconds)
            configuration.tls = identity
            limits.apply(to: &configuration)
            if maxPlayers != nil { configuration.explicitSettings.insert(.maxPlayers) }
            if pingInterval != nil { configuration.explicitSettings.insert(.pingInterval) }
            return configuration
        }

        func run() async throws {
            logging.bootstrap(default: .info, environment: ProcessInfo.processInfo.environment)
            let logger = Logger(label: "rtctl")
            let sessionId = gameSessionId ?? GameSessionIdentifier.generate()
            var configuration = serverConfiguration(gameSessionId: sessionId)
            if let descriptors = DescriptorLimit.raise() {
                configuration.openFileLimit = descriptors.soft < UInt64(Int.max) ? Int(descriptors.soft) : nil
            }
            logLimits(configuration, logger: logger)
            if let reserved = configuration.session.reservedPlayerSessionIds {
                if reserved.isEmpty {
                    logger.warning("no player session id is reserved: nobody can log in")
                } else {
                    logger.info("reserved mode", metadata: ["reserved": "\(reserved.count)"])
                }
            }
            let stdout = LineWriter(descriptor: FileHandle.standardOutput.fileDescriptor, mode: .immediate)
            let adminConfiguration =
                admin.adminPort == nil ? nil : admin.configuration(metricsText: PrometheusMetrics.bootstrap())
            let secure = configuration.tls != nil
            let report = ListeningReport(waitsForAdmin: adminConfiguration != nil) { line in
                do {
                    var line = line
                    line.secure = secure
                    try stdout.write(line.jsonText)
                } catch {
                    logger.error("cannot write the listening line to stdout", metadata: ["error": "\(error)"])
                }
            }
            let agent: (any FleetAgent)?
            do {
                agent = try fleet.agent(
                    environment: ProcessInfo.processInfo.environment,
                    portGiven: tcpPort != nil || fleet.portRange != nil,
                    logger: logger
                )
            } catch {
                throw RtctlError.usage("serve: \(error)")
            }
            let server = RealtimeServer(
                configuration: configuration,
                logger: logger,
                script: nil,
                metricsFactory: MetricsSystem.factory,
                fleet: agent,
                onListening: { report.server($0) }
            )
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
            if let adminConfiguration {
                // First in the group, so that it stops last: /readyz answers 503 while the players are closed.
                let adminServer = AdminServer(configuration: adminConfiguration, status: server.status, logger: logger)
                {
                    report.admin($0)
                }
                services.append(.init(service: adminServer))
            }
            // The session may end by itself (the script's processEnding() or process.exit): that ends the group
            // gracefully, with the status the session ended with.
            services.append(.init(service: server, successTerminationBehavior: .gracefullyShutdownGroup))
            let group = ServiceGroup(
                configuration: ServiceGroupConfiguration(
                    services: services,
                    gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: logger
                )
            )
            do {
                try await group.run()
                if server.exitStatus != 0 { throw ExitCode(server.exitStatus) }
            } catch let code as ExitCode {
                throw code
            } catch let error as ScriptError {
                throw RtctlError.runtime("serve: \(error)")
            } catch let error as IOError {
                let reason = strerror(error.errnoCode).map { String(cString: $0) } ?? "errno \(error.errnoCode)"
                let ports =
                    fleet.portRange.map { "--port-range \($0)" }
                    ?? ("--port \(port)" + (udpPort.map { ", --udp-port \($0)" } ?? ""))
                throw RtctlError.runtime("serve: cannot listen on \(host) (\(ports)): \(reason)")
            } catch {
                throw RtctlError.runtime("serve: \(error)")
            }
        }
    }
}

extension Rtctl.Serve {
    /// The limits in force, in one line at start-up (the open-file limit after raising it).
    func logLimits(_ configuration: ServerConfiguration, logger: Logger) {
        let rate = configuration.reliableRateLimit
        logger.info(
            "limits",
            metadata: [
                "openFiles": "\(configuration.openFileLimit.map(String.init) ?? "unlimited")",
                "maxConnections": "\(configuration.effectiveMaxConnections)",
                "maxPending": "\(configuration.maxPending)",
                "loginTimeout": "\(limits.loginTimeout)",
                "rateLimit": "\(rate.isOff ? "off" : "\(rate.perSecond)/s burst \(rate.burst)")",
                "reconnectGrace": "\(limits.reconnectGrace)",
                "maxLag": "\(limits.maxLag)",
            ]
        )
    }
}

/// The one stdout line of `rtctl serve`.
struct ListeningLine: Hashable, Sendable {
    var host: String
    var tcpPort: Int
    var udpPort: Int
    var gameSessionId: String
    /// The admin listener's port, with `--admin-port`.
    var adminPort: Int?
    /// Secure mode: the line then has `"secure":true`.
    var secure = false

    init(host: String, tcpPort: Int, udpPort: Int, gameSessionId: String) {
        self.host = host
        self.tcpPort = tcpPort
        self.udpPort = udpPort
        self.gameSessionId = gameSessionId
    }

    init(_ address: ListeningAddress) {
        self.init(
            host: address.host,
            tcpPort: address.tcpPort,
            udpPort: address.udpPort,
            gameSessionId: address.gameSessionId
        )
    }

    var jsonText: String {
        var object = JSONObjectWriter()
        object.add("event", string: "listening")
        object.add("host", string: host)
        object.add("tcpPort", integer: tcpPort)
        object.add("udpPort", integer: udpPort)
        object.add("gameSessionId", string: gameSessionId)
        if let adminPort { object.add("adminPort", integer: adminPort) }
        if secure { object.add("secure", bool: true) }
        return object.finish()
    }
}

/// Readable unique game session ids: `gsess-20261121-100000-3f9a1c2b` (UTC time, then 32 random bits).
enum GameSessionIdentifier {
    static func generate(time: WallClockTime = .now()) -> String {
        let stamp = time.iso8601(fractionDigits: 0)  // 2026-11-21T10:00:00Z
        let digits = stamp.filter(\.isNumber)
        let date = digits.prefix(8)
        let clock = digits.dropFirst(8).prefix(6)
        let random = String(UInt32.random(in: .min ... .max), radix: 16)
        return "gsess-\(date)-\(clock)-\(String(repeating: "0", count: 8 - random.count))\(random)"
    }
}

extension ServerConfiguration.SessionLoop: ExpressibleByArgument {}
