import DequeModule
import NIOCore
import RealtimeProtocol

/// One game session as the server sees it: logins, players, UDP associations, groups and routing (PROTOCOL.md §5–§10).
///
/// A value type with no I/O: every event method returns the ``Effects`` the server must carry out.
public struct GameSession: Sendable {
    public struct Configuration: Sendable {
        public var gameSessionId: String
        public var maxPlayers: Int
        /// The UDP port announced in login results.
        public var fastPort: Int
        /// nil: open mode (any player session id). Otherwise only these ids may log in, one live connection each.
        public var reservedPlayerSessionIds: Set<String>?
        /// Send `-13` updates to a group's members whenever the group changes.
        public var announceMembership: Bool
        /// Send `-101`/`-103` to every player when a player arrives or leaves.
        public var announcePlayers: Bool
        /// Bind UDP to a peer whatever the datagram's source IP (deployments behind a WebSocket proxy).
        public var udpAnySource: Bool
        /// The script hooks to ask; an empty set decides everything at once.
        public var hooks: Hooks
        /// nil: delivery hooks are asked about every op code. Otherwise only about these (GameSparks `onPacket`).
        public var hookOpCodes: Set<Int32>?
        /// Report every message a player or the script sent, with its recipients, as a
        /// ``Notice/delivered(_:recipients:)`` (for recordings).
        public var reportDeliveries: Bool
        /// Secure mode (docs/SECURE.md): the `caCert` login results carry (PEM). Datagrams then arrive decrypted from
        /// DTLS associations, which `verifyIdentity` binds to players; nil: unsecured mode.
        public var caCert: ByteBuffer?
        /// A peer's UDP association moves to a new source address only after its current one has been silent this
        /// long (a NAT rebinding); until then `-5` from elsewhere is refused (PROTOCOL.md §6).
        public var udpRebindAfterSilence: TimeAmount = .seconds(5)
        /// A player whose connection was lost keeps its slot (peer id, groups) this long for a reconnect with the
        /// same player session id; zero removes it at once.
        public var reconnectGrace: TimeAmount = .seconds(10)
        /// The limit on each player's datagrams (the WebSocket has its own bucket of the same size).
        public var fastRateLimit: RateLimit = .default

        public init(
            gameSessionId: String,
            maxPlayers: Int = RealtimeConstants.defaultMaxPlayers,
            fastPort: Int = RealtimeConstants.defaultPort,
            reservedPlayerSessionIds: Set<String>? = nil,
            announceMembership: Bool = false,
            announcePlayers: Bool = false,
            udpAnySource: Bool = false,
            hooks: Hooks = [],
            hookOpCodes: Set<Int32>? = nil,
            reportDeliveries: Bool = false,
            caCert: ByteBuffer? = nil
        ) {
            self.gameSessionId = gameSessionId
            self.maxPlayers = maxPlayers
            self.fastPort = fastPort
            self.reservedPlayerSessionIds = reservedPlayerSessionIds
            self.announceMembership = announceMembership
            self.announcePlayers = announcePlayers
            self.udpAnySource = udpAnySource
            self.hooks = hooks
            self.hookOpCodes = hookOpCodes
            self.reportDeliveries = reportDeliveries
            self.caCert = caCert
        }
    }

    enum ConnectionState: Sendable {
        case awaitingLogin(HostKey?)
        /// The script is deciding; packets the script sends to the player wait here until the login result is out.
        case loggingIn(Player, queued: [Packet])
        case loggedIn(peerId: Int32)
    }

    struct PlayerState: Sendable {
        var player: Player
        var groups: Set<Int32> = []
        /// Where the peer's datagrams come from. A re-association from a new port (NAT rebinding) keeps `fastReady`:
        /// the client does not repeat its `-7`.
        var udp: UDPAssociation?
        /// The association `udp` replaced, kept in case that source speaks again: a datagram from it, in its own
        /// sequence window, takes the association back (a hijacker that waited for a silence loses it as soon as the
        /// real client sends again; after a real NAT rebinding the old source is gone for good).
        var previousUDP: UDPAssociation?
        /// The client sent `-7`: fast messages to it may go over UDP.
        var fastReady = false
        /// The sequence number of the next datagram sent to this peer. It wraps after 2^31 datagrams, like the SDK's
        /// own counter; a session never sends that many to one peer in practice (six hours at 100,000 per second).
        /// It never goes back, not even for a reconnect: a client accepts any number above the last it saw.
        var nextSequenceOut: Int32 = 1
        /// The peer's datagrams over the rate limit are dropped before they are decoded.
        var fastLimiter: RateLimiter
        /// The connection was lost (not closed by the client) at this time: the slot waits for a reconnect.
        var lostAt: NIODeadline?
        /// The last login result's `connectToken`: secure mode binds a DTLS association to the peer presenting it.
        var connectToken = ""

        init(player: Player, fastRateLimit: RateLimit) {
            self.player = player
            self.fastLimiter = RateLimiter(fastRateLimit)
        }
    }

    /// A peer's fast channel: the one source address its datagrams may come from, and that source's own sequence
    /// window (a datagram from another source never moves it).
    struct UDPAssociation: Sendable {
        var endpoint: UDPEndpoint
        /// The last sequence number accepted from this source.
        var lastSequenceIn: Int32
        /// When the last datagram from this source was accepted.
        var lastHeard: NIODeadline
    }

    public private(set) var configuration: Configuration
    var connections: [ConnectionID: ConnectionState] = [:]
    var players: [Int32: PlayerState] = [:]
    /// Peer ids of the connected players, ascending (login order).
    private(set) var playerOrder: [Int32] = []
    /// Members of each developer group, ascending.
    var groups: [Int32: [Int32]] = [:]
    var udpBindings: [UDPEndpoint: Int32] = [:]
    /// The sources associations were moved away from (see ``PlayerState/previousUDP``).
    var previousBindings: [UDPEndpoint: Int32] = [:]
    /// Player session ids with a live (or deciding) connection, in reserved mode.
    var liveSessionIds: Set<String> = []
    /// The peer of each non-empty player session id: a login with the same id takes over that player's slot.
    var peersBySessionId: [String: Int32] = [:]
    /// Players whose connection was lost, waiting for a reconnect until their grace ends.
    var lostPlayers: Set<Int32> = []
    /// How many connected players came from each IP address: a datagram from any other address cannot be a `-5`
    /// worth decoding (unless `udpAnySource`).
    var playerHosts: [HostKey: Int] = [:]
    /// Token buckets for datagrams from addresses that are not associated (their `-5`s), per IP address.
    var strangers = StrangerLimiter()
    var pendingLogins = 0
    /// Each player's packets waiting behind an unanswered question (see ``handle(_:from:fast:)``).
    var backlogs: [Int32: Deque<Pending>] = [:]
    /// Who asked each open question.
    var askers: [DecisionID: Asker] = [:]
    var nextDecision: UInt64 = 1
    private var nextPeerId: Int32 = 1
    private(set) var shuttingDown = false

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// GameSparks scripts register `onPacket` handlers at any time: the op codes delivery hooks apply to.
    public mutating func setHookOpCodes(_ opCodes: Set<Int32>?) {
        configuration.hookOpCodes = opCodes
    }

    /// The players, in login order.
    public var playerList: [Player] { playerOrder.compactMap { players[$0]?.player } }

    /// The player with this peer id, if connected.
    public func player(_ peerId: Int32) -> Player? { players[peerId]?.player }

    /// True when a peer's fast channel is bound to `endpoint` (its datagrams from there are that peer's).
    public func isAssociated(_ endpoint: UDPEndpoint) -> Bool { udpBindings[endpoint] != nil }

    /// The members of a group (-1: every player; 0, unknown or empty: none), ascending.
    public func members(of group: Int32) -> [Int32] {
        group == RealtimeConstants.allPlayersGroup ? playerOrder : groups[group] ?? []
    }

    /// The peer id logged in on a connection.
    public func peerId(on connection: ConnectionID) -> Int32? {
        if case .loggedIn(let peerId) = connections[connection] { return peerId }
        return nil
    }

    /// True while a connection has sent no login (a login the script is deciding counts as sent).
    public func awaitsLogin(_ connection: ConnectionID) -> Bool {
        if case .awaitingLogin = connections[connection] { return true }
        return false
    }

    // MARK: - Connections

    /// A WebSocket connection was accepted from `remote`.
    public mutating func connectionOpened(_ connection: ConnectionID, remote: SocketAddress?) {
        connections[connection] = .awaitingLogin(remote.flatMap(HostKey.init))
    }

    /// A packet arrived on a WebSocket connection.
    public mutating func receive(_ packet: Packet, on connection: ConnectionID) -> Effects {
        switch connections[connection] {
        case nil:
            return Effects()
        case .awaitingLogin(let host):
            guard packet.opCode == .login, case .login(let login) = packet.message else {
                return .close(connection, .policyViolation, "not logged in")
            }
            return self.login(login, payload: packet.payload, on: connection, host: host)
        case .loggingIn:
            return .close(connection, .protocolError, "packet before the login was decided")
        case .loggedIn(let peerId):
            if case .login = packet.message {
                return .close(connection, .protocolError, "second login on a logged-in connection")
            }
            return self.handle(packet, from: peerId, fast: false)
        }
    }

    /// The connection closed; the player, if any, leaves the session. A connection that was `lost` (no close frame
    /// from the client, a keep-alive timeout, a transport error) keeps its player's slot for `reconnectGrace`: the
    /// player stays listed and in its groups, and a login with the same player session id takes the slot over.
    public mutating func connectionClosed(
        _ connection: ConnectionID,
        reason: String,
        lost: Bool = false,
        at now: NIODeadline = .now()
    ) -> Effects {
        guard let state = connections.removeValue(forKey: connection) else { return Effects() }
        switch state {
        case .awaitingLogin:
            return Effects()
        case .loggingIn(let player, _):
            pendingLogins -= 1
            releaseSessionId(player.playerSessionId)
            return Effects()
        case .loggedIn(let peerId):
            guard lost, !shuttingDown, configuration.reconnectGrace > .zero,
                let player = players[peerId]?.player, !player.playerSessionId.isEmpty
            else { return removePlayer(peerId, reason: reason) }
            dissociate(peerId)
            countHost(player.host, by: -1)
            players[peerId]?.lostAt = now
            lostPlayers.insert(peerId)
            var effects = Effects()
            effects.notices.append(.playerLost(player, reason: reason))
            return effects
        }
    }

    /// Removes the players whose reconnect grace has ended. Call it every second or so.
    public mutating func expireLostPlayers(at now: NIODeadline) -> Effects {
        var effects = Effects()
        for peerId in lostPlayers.sorted() {
            guard let lostAt = players[peerId]?.lostAt, now - lostAt >= configuration.reconnectGrace else { continue }
            lostPlayers.remove(peerId)
            effects.append(removePlayer(peerId, reason: "did not reconnect in time"))
        }
        return effects
    }

    /// Disconnects a player (over its rate limit, say): its connection is closed with 1008 and this reason, and the
    /// player leaves at once.
    public mutating func disconnect(_ peerId: Int32, reason: String) -> Effects {
        guard let state = players[peerId] else { return Effects() }
        guard state.lostAt == nil else {
            lostPlayers.remove(peerId)
            return removePlayer(peerId, reason: reason)
        }
        return .close(state.player.connection, .policyViolation, reason)
    }

    /// Closes every connection with 1001 and refuses further logins.
    public mutating func shutDown(reason: String = "server shutting down") -> Effects {
        shuttingDown = true
        var effects = Effects()
        for connection in connections.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            effects.closes.append(Close(connection: connection, code: .goingAway, reason: reason))
        }
        return effects
    }

    // MARK: - Login

    private mutating func login(
        _ login: LoginCommand,
        payload: ByteBuffer,
        on connection: ConnectionID,
        host: HostKey?
    ) -> Effects {
        let sessionId = login.playerSessionId
        if shuttingDown {
            return refuse(connection, sessionId: sessionId, reason: "server shutting down")
        }
        guard sessionId.utf8.count <= RealtimeConstants.maxPlayerSessionIdBytes else {
            return refuse(connection, sessionId: sessionId, reason: "player session id too long")
        }
        guard payload.readableBytes <= RealtimeConstants.maxPayload else {
            return refuse(connection, sessionId: sessionId, reason: "connect payload too large")
        }
        if let reserved = configuration.reservedPlayerSessionIds, !reserved.contains(sessionId) {
            return refuse(connection, sessionId: sessionId, reason: "player session not reserved")
        }
        if !sessionId.isEmpty, let peerId = peersBySessionId[sessionId] {
            return takeOver(peerId, on: connection, host: host, payload: payload)
        }
        if configuration.reservedPlayerSessionIds != nil, liveSessionIds.contains(sessionId) {
            return refuse(connection, sessionId: sessionId, reason: "player session already connected")
        }
        guard players.count + pendingLogins < configuration.maxPlayers else {
            return refuse(connection, sessionId: sessionId, reason: "game session full")
        }
        let player = Player(
            peerId: nextPeerId,
            playerSessionId: sessionId,
            connection: connection,
            host: host,
            connectPayload: payload
        )
        nextPeerId += 1
        if configuration.reservedPlayerSessionIds != nil { liveSessionIds.insert(sessionId) }
        guard configuration.hooks.contains(.playerConnect) else { return accept(player) }
        pendingLogins += 1
        connections[connection] = .loggingIn(player, queued: [])
        return .asking(ask(.login(player), by: .login(connection)))
    }

    mutating func refuse(_ connection: ConnectionID, sessionId: String, reason: String) -> Effects {
        var effects = Effects()
        let result = Packet(
            opCode: .loginResponse,
            reliable: true,
            message: .loginResult(LoginResult(success: false))
        )
        effects.sends.append(Outbound(packet: result, peerId: 0, route: .reliable(connection)))
        effects.closes.append(Close(connection: connection, code: .policyViolation, reason: reason))
        effects.notices.append(.loginRefused(connection, playerSessionId: sessionId, reason: reason))
        return effects
    }

    mutating func accept(_ player: Player, queued: [Packet] = []) -> Effects {
        let peerId = player.peerId
        connections[player.connection] = .loggedIn(peerId: peerId)
        players[peerId] = PlayerState(player: player, fastRateLimit: configuration.fastRateLimit)
        if !player.playerSessionId.isEmpty { peersBySessionId[player.playerSessionId] = peerId }
        countHost(player.host, by: 1)
        playerOrder.append(peerId)
        var effects = Effects()
        effects.sends.append(loginSuccess(peerId, on: player.connection))
        for packet in queued {
            effects.sends.append(Outbound(packet: packet, peerId: peerId, route: .reliable(player.connection)))
        }
        effects.notices.append(.playerAccepted(player))
        if configuration.announcePlayers {
            for other in playerOrder where other != peerId {
                guard let otherState = players[other] else { continue }
                effects.sends.append(
                    announcement(.playerConnect(peerId: other), to: peerId, connection: player.connection)
                )
                effects.sends.append(
                    announcement(.playerConnect(peerId: peerId), to: other, connection: otherState.player.connection)
                )
            }
        }
        return effects
    }

    private func announcement(_ message: Packet.Message, to peerId: Int32, connection: ConnectionID) -> Outbound {
        let opCode: OpCode = if case .playerConnect = message { .playerConnect } else { .playerDisconnect }
        let packet = Packet(
            opCode: opCode,
            targetPlayer: peerId,
            sender: RealtimeConstants.serverPeerId,
            reliable: true,
            message: message
        )
        return Outbound(packet: packet, peerId: peerId, route: .reliable(connection))
    }

    mutating func releaseSessionId(_ sessionId: String) {
        if configuration.reservedPlayerSessionIds != nil { liveSessionIds.remove(sessionId) }
    }

    private mutating func removePlayer(_ peerId: Int32, reason: String) -> Effects {
        guard let state = players[peerId] else { return Effects() }
        var effects = Effects()
        effects.notices.append(.playerDisconnected(state.player, reason: reason))
        for group in state.groups.sorted() {
            effects.append(removeMember(peerId, from: group, notifyLeaver: false))
        }
        dissociate(peerId)
        if state.lostAt == nil { countHost(state.player.host, by: -1) }
        players[peerId] = nil
        backlogs[peerId] = nil
        playerOrder.removeAll { $0 == peerId }
        lostPlayers.remove(peerId)
        if peersBySessionId[state.player.playerSessionId] == peerId {
            peersBySessionId[state.player.playerSessionId] = nil
        }
        releaseSessionId(state.player.playerSessionId)
        if configuration.announcePlayers {
            for other in playerOrder {
                guard let otherState = players[other] else { continue }
                effects.sends.append(
                    announcement(.playerDisconnect(peerId: peerId), to: other, connection: otherState.player.connection)
                )
            }
        }
        return effects
    }

    func connectionState(_ connection: ConnectionID) -> ConnectionState? { connections[connection] }

    /// A login the script refused: the player session id is free again.
    mutating func releaseLogin(_ player: Player) {
        releaseSessionId(player.playerSessionId)
    }

    /// Refuses a login the script decided on; the connection returns to awaiting nothing but its close.
    mutating func refuseDecided(_ player: Player, reason: String) -> Effects {
        connections[player.connection] = .awaitingLogin(player.host)
        return refuse(player.connection, sessionId: player.playerSessionId, reason: reason)
    }

    /// Queues a script message for a player whose login is being decided; false when no such login is pending.
    mutating func queueForPendingLogin(_ packet: Packet, peerId: Int32) -> Bool {
        for (connection, state) in connections {
            if case .loggingIn(let player, var queued) = state, player.peerId == peerId {
                queued.append(packet)
                connections[connection] = .loggingIn(player, queued: queued)
                return true
            }
        }
        return false
    }

    /// A successful login result (PROTOCOL.md §5): the peer id both in the result and as `targetPlayer`.
    /// A successful login result for a player already listed; its `connectToken` is kept with the player (secure mode
    /// binds a DTLS association with it), and in secure mode it carries `caCert`.
    mutating func loginSuccess(_ peerId: Int32, on connection: ConnectionID) -> Outbound {
        let connectToken = Self.token()
        players[peerId]?.connectToken = connectToken
        let result = LoginResult(
            success: true,
            reconnectToken: Self.token(),
            peerId: peerId,
            fastPort: Int32(configuration.fastPort),
            caCert: configuration.caCert ?? ByteBuffer(),
            connectToken: connectToken
        )
        let packet = Packet(opCode: .loginResponse, targetPlayer: peerId, reliable: true, message: .loginResult(result))
        return Outbound(packet: packet, peerId: peerId, route: .reliable(connection))
    }

    /// A random token for the login result (reconnect and connect tokens).
    private static func token() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in String(generator.next() as UInt64, radix: 16) }.joined()
    }
}

extension Effects {
    public static func close(_ connection: ConnectionID, _ code: CloseCode, _ reason: String) -> Effects {
        var effects = Effects()
        effects.closes.append(Close(connection: connection, code: code, reason: reason))
        return effects
    }

    static func drop(_ reason: DropReason, peerId: Int32?, _ detail: String) -> Effects {
        var effects = Effects()
        effects.notices.append(.dropped(reason, peerId: peerId, detail: detail))
        return effects
    }
}
