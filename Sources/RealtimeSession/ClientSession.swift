import NIOCore
import RealtimeProtocol

/// One player's connection as the client sees it: login, the UDP association, channel choice and sequence numbers
/// (PROTOCOL.md §5, §6, §8, §10), behaving like the official client SDK.
///
/// A value type with no I/O: the driver reports what happened on its sockets and timers, and carries out the
/// ``Action`` each event returns. Every outgoing UDP packet leaves already stamped with its sequence number.
public struct ClientSession: Sendable {
    public struct Configuration: Sendable {
        public var playerSessionId: String
        /// The `ConnectionToken.payload` sent with the login.
        public var connectPayload: ByteBuffer
        /// Keep everything on the WebSocket: no UDP socket, no handshake.
        public var noUDP: Bool
        /// Secure mode (`wss://`): the fast channel is DTLS, bound with `verifyIdentity` instead of `-5`/`-6`/`-7`.
        public var secure: Bool

        public init(
            playerSessionId: String,
            connectPayload: ByteBuffer = ByteBuffer(),
            noUDP: Bool = false,
            secure: Bool = false
        ) {
            self.playerSessionId = playerSessionId
            self.connectPayload = connectPayload
            self.noUDP = noUDP
            self.secure = secure
        }
    }

    /// Where the fast channel stands once logged in.
    enum Fast: Sendable, Equatable {
        /// `noUDP`, or the UDP socket could not be opened: everything goes over the WebSocket.
        case disabled
        /// Waiting for the driver to open the UDP socket.
        case opening
        /// `-5` sent `attempts` times; waiting for `-6`.
        case handshaking(attempts: Int)
        /// Secure mode: `-14` sent over DTLS; waiting for `-15`.
        case verifying
        /// `-6` seen and `-7` sent (secure mode: `-15 {success:true}` seen): fast messages go over UDP.
        case ready
    }

    struct Connected: Sendable {
        var peerId: Int32
        var fastPort: Int
        var fast: Fast
        /// Secure mode: what the login result gave for the DTLS channel.
        var connectToken = ""
        var caCert = ByteBuffer()
    }

    enum State: Sendable {
        case connecting
        case loggingIn
        /// The server answered `success:false`; waiting for its close.
        case refused
        case connected(Connected)
        /// The client sent its close frame; waiting for the WebSocket to close.
        case closing
        case closed(Ending)
    }

    /// How the connection ended.
    public enum Ending: Hashable, Sendable {
        /// The WebSocket closed before its upgrade completed (nothing was sent).
        case beforeUpgrade
        /// The server refused the login, then closed.
        case refused
        /// The client closed it.
        case byClient
        /// The server or the network closed it.
        case byServer
    }

    public let configuration: Configuration
    var state: State = .connecting
    /// The sequence number of the next UDP datagram out (0: the field is absent on the wire).
    private var nextSequenceOut: Int32 = 0
    /// The last sequence number accepted over UDP; the SDK starts at -1.
    private var lastSequenceIn: Int32 = -1
    /// Bumped whenever a timer is scheduled, so that a stale timer does nothing.
    private var timerGeneration: UInt64 = 0
    /// The groups this client believes it is in: updated on join/leave and from each `-13`, like the SDK.
    public private(set) var groups: Set<Int32> = []

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    // MARK: - Queries

    /// The peer id, once logged in.
    public var peerId: Int32? {
        if case .connected(let connected) = state { return connected.peerId }
        return nil
    }

    /// True once the UDP handshake is done: fast messages go over UDP.
    public var isFastReady: Bool {
        if case .connected(let connected) = state { return connected.fast == .ready }
        return false
    }

    /// True after a successful login and before the close began.
    public var isConnected: Bool {
        if case .connected = state { return true }
        return false
    }

    /// True once the WebSocket is closed: nothing more will happen.
    public var isClosed: Bool { ending != nil }

    /// How the connection ended, once it has.
    public var ending: Ending? {
        if case .closed(let ending) = state { return ending }
        return nil
    }

    /// True until the WebSocket upgrade completes (and no close was asked for).
    public var isConnecting: Bool {
        if case .connecting = state { return true }
        return false
    }

    /// The retry delay after the `attempts`-th `-5`: 100, 200, 400, … ms, capped at 5 s.
    public static func udpConnectRetryDelay(afterAttempts attempts: Int) -> TimeAmount {
        let exponent = min(max(attempts - 1, 0), 6)
        return .milliseconds(min(100 << exponent, 5000))
    }

    // MARK: - Transport events

    /// The WebSocket upgrade completed: send the login.
    public mutating func webSocketOpened() -> Action {
        guard case .connecting = state else { return Action() }
        state = .loggingIn
        let login = LoginCommand(
            playerSessionId: configuration.playerSessionId,
            clientVersion: RealtimeConstants.clientVersion
        )
        let packet = Packet(
            opCode: .login,
            targetPlayer: RealtimeConstants.serverPeerId,
            sender: RealtimeConstants.noTarget,
            reliable: true,
            payload: configuration.connectPayload,
            message: .login(login)
        )
        return Action(send: .reliable(packet))
    }

    /// A packet arrived on the WebSocket.
    public mutating func receivedReliable(_ packet: Packet) -> Action {
        var packet = packet
        packet.reliable = true
        return received(packet)
    }

    /// A datagram arrived on the UDP socket. Dropped unless its sequence number is greater than the last accepted.
    public mutating func receivedFast(_ packet: Packet) -> Action {
        guard case .connected(let connected) = state, connected.fast != .disabled else {
            return Action(drop: .unexpectedDatagram)
        }
        guard packet.sequenceNumber > lastSequenceIn else {
            return Action(drop: .staleSequence)
        }
        lastSequenceIn = packet.sequenceNumber
        var packet = packet
        packet.reliable = false
        return received(packet)
    }

    private mutating func received(_ packet: Packet) -> Action {
        switch state {
        case .connecting, .refused, .closing, .closed:
            return Action(drop: .unexpectedPacket)
        case .loggingIn:
            guard packet.opCode == .loginResponse else {
                // The SDK hands every packet to the game; before the login result there is no peer yet, so the
                // server should never send one.
                return Action(drop: .unexpectedPacket)
            }
            return loginResult(packet)
        case .connected:
            // The game's messages, most of what arrives, go out without a copy of the connection's state.
            return receivedControl(packet) ?? Action(emit: .message(packet))
        }
    }

    /// What a packet about the connection itself does once logged in; nil for any other packet.
    private mutating func receivedControl(_ packet: Packet) -> Action? {
        switch packet.opCode {
        case .loginResponse:
            return Action(drop: .unexpectedPacket)
        case .udpConnectServerAck:
            guard case .connected(var connected) = state, case .handshaking = connected.fast else { return Action() }
            connected.fast = .ready
            state = .connected(connected)
            timerGeneration &+= 1
            let ack = Packet(
                opCode: .udpConnectClientAck,
                targetPlayer: RealtimeConstants.serverPeerId,
                sender: connected.peerId,
                message: .udpConnect
            )
            return Action(send: fastPacket(ack), emit: .fastReady, timer: .cancel)
        case .groupMembershipUpdate:
            guard case .connected(let connected) = state, case .groupMembershipUpdate(let update) = packet.message
            else {
                return Action(drop: .unexpectedPacket)
            }
            if update.players.contains(connected.peerId) {
                groups.insert(update.group)
            } else {
                groups.remove(update.group)
            }
            return Action(emit: .groupMembership(group: update.group, players: update.players))
        case .verifyIdentityResponse:
            guard case .connected(var connected) = state else { return Action(drop: .unexpectedPacket) }
            return verifyIdentityResult(packet, &connected)
        default:
            return nil
        }
    }

    private mutating func loginResult(_ packet: Packet) -> Action {
        guard case .loginResult(let result) = packet.message, result.success else {
            state = .refused
            return Action(emit: .loginRefused)
        }
        let peerId = result.peerId != 0 ? result.peerId : packet.targetPlayer
        let fastPort = Int(result.fastPort)
        let udp = !configuration.noUDP && fastPort > 0 && fastPort <= 65535
        state = .connected(
            Connected(
                peerId: peerId,
                fastPort: fastPort,
                fast: udp ? .opening : .disabled,
                connectToken: result.connectToken,
                caCert: result.caCert
            )
        )
        return Action(emit: .connected(peerId: peerId, fastPort: fastPort), udp: udp ? .open(port: fastPort) : nil)
    }

    /// The UDP socket is open (connected to the fast port): start the handshake. In secure mode the DTLS handshake
    /// must be done first: then `verifyIdentity` goes out.
    public mutating func udpOpened() -> Action {
        guard case .connected(var connected) = state, connected.fast == .opening else { return Action() }
        if configuration.secure { return verifyIdentity(&connected) }
        connected.fast = .handshaking(attempts: 0)
        state = .connected(connected)
        return udpConnectAttempt()
    }

    /// The UDP socket could not be opened or failed: stay on the WebSocket.
    public mutating func udpFailed() -> Action {
        guard case .connected(var connected) = state, connected.fast != .disabled else { return Action() }
        let wasRetrying = if case .handshaking = connected.fast { true } else { false }
        connected.fast = .disabled
        state = .connected(connected)
        timerGeneration &+= 1
        return Action(timer: wasRetrying ? .cancel : nil, udp: .close)
    }

    /// A timer the session scheduled fired.
    public mutating func timerFired(_ timer: TimerID) -> Action {
        guard timer.generation == timerGeneration, case .connected(let connected) = state,
            case .handshaking = connected.fast
        else { return Action() }
        return udpConnectAttempt()
    }

    private mutating func udpConnectAttempt() -> Action {
        guard case .connected(var connected) = state, case .handshaking(let attempts) = connected.fast else {
            return Action()
        }
        connected.fast = .handshaking(attempts: attempts + 1)
        state = .connected(connected)
        let packet = Packet(
            opCode: .udpConnect,
            targetPlayer: RealtimeConstants.serverPeerId,
            sender: connected.peerId,
            message: .udpConnect
        )
        timerGeneration &+= 1
        let timer = TimerID(generation: timerGeneration)
        let delay = Self.udpConnectRetryDelay(afterAttempts: attempts + 1)
        return Action(send: fastPacket(packet), timer: .schedule(timer, delay))
    }

    /// The WebSocket closed: with a close frame (`code` and `reason` from it) or without (`code` nil). After the
    /// client's own close, a close without a reason says "closed by client".
    public mutating func webSocketClosed(code: UInt16?, reason: String) -> Action {
        switch state {
        case .closed:
            return Action()
        case .connected(let connected):
            state = .closed(.byServer)
            let timer: TimerChange? = if case .handshaking = connected.fast { .cancel } else { nil }
            timerGeneration &+= 1
            return Action(
                emit: .disconnected(code: code, reason: reason),
                timer: timer,
                udp: connected.fast == .disabled ? nil : .close
            )
        case .connecting:
            state = .closed(.beforeUpgrade)
        case .loggingIn:
            state = .closed(.byServer)
        case .refused:
            state = .closed(.refused)
        case .closing:
            state = .closed(.byClient)
            let reason = reason.isEmpty || code == nil ? "closed by client" : reason
            return Action(emit: .disconnected(code: code, reason: reason))
        }
        return Action(emit: .disconnected(code: code, reason: reason))
    }

    // MARK: - User requests

    /// The user closes the connection: close frame 1000, UDP socket closed, no goodbye packet (§11).
    public mutating func closeRequested() -> Action {
        switch state {
        case .closing, .closed:
            return Action()
        case .connected(let connected):
            state = .closing
            timerGeneration &+= 1
            let timer: TimerChange? = if case .handshaking = connected.fast { .cancel } else { nil }
            return Action(
                timer: timer,
                udp: connected.fast == .disabled ? nil : .close,
                webSocket: .close(code: 1000, reason: "")
            )
        case .connecting:
            state = .closing
            return Action(webSocket: .close(code: 1000, reason: ""))
        case .loggingIn, .refused:
            state = .closing
            return Action(webSocket: .close(code: 1000, reason: ""))
        }
    }

    /// The user sends a data message. `reliable: false` is the SDK's "fast" intent: over UDP once the handshake is
    /// done and the payload fits in 1200 bytes, otherwise over the WebSocket.
    public mutating func send(
        opCode: OpCode,
        payload: ByteBuffer,
        targetPlayer: Int32,
        targetGroup: Int32,
        reliable: Bool
    ) -> Action {
        guard payload.readableBytes <= RealtimeConstants.maxPayload else {
            return Action(reject: .payloadTooLarge(payload.readableBytes))
        }
        guard case .connected(let connected) = state else { return Action(reject: rejection) }
        let packet = Packet(
            opCode: opCode,
            targetPlayer: targetPlayer,
            targetGroup: targetGroup,
            sender: connected.peerId,
            payload: payload
        )
        let fast = !reliable && payload.readableBytes <= RealtimeConstants.maxFastPayload
        return Action(send: route(packet, fast: fast, connected))
    }

    /// Join a group (`-10`), with the SDK's fast delivery intent. The local membership is updated at once.
    public mutating func joinGroup(_ group: Int32) -> Action {
        groupRequest(.joinGroup, .joinGroup(group: group), insert: group)
    }

    /// Leave a group (`-11`), with the SDK's fast delivery intent. The local membership is updated at once.
    public mutating func leaveGroup(_ group: Int32) -> Action {
        groupRequest(.leaveGroup, .leaveGroup(group: group), remove: group)
    }

    /// Ask for a group's members (`-12`); the answer arrives as a ``ClientSession/Event/groupMembership(group:players:)``.
    public mutating func requestGroupMembership(_ group: Int32) -> Action {
        groupRequest(.requestGroupMembership, .requestGroupMembership(group: group))
    }

    private mutating func groupRequest(
        _ opCode: OpCode,
        _ message: Packet.Message,
        insert: Int32? = nil,
        remove: Int32? = nil
    ) -> Action {
        guard case .connected(let connected) = state else { return Action(reject: rejection) }
        if let insert { groups.insert(insert) }
        if let remove { groups.remove(remove) }
        let packet = Packet(
            opCode: opCode,
            targetPlayer: RealtimeConstants.serverPeerId,
            sender: connected.peerId,
            message: message
        )
        return Action(send: route(packet, fast: true, connected))
    }

    private var rejection: SendRejection {
        switch state {
        case .connecting, .loggingIn, .refused: return .notConnected
        case .connected, .closing, .closed: return .closed
        }
    }

    private mutating func route(_ packet: Packet, fast: Bool, _ connected: Connected) -> Send {
        if fast && connected.fast == .ready { return fastPacket(packet) }
        var packet = packet
        packet.reliable = true
        return .reliable(packet)
    }

    mutating func fastPacket(_ packet: Packet) -> Send {
        var packet = packet
        packet.reliable = false
        packet.sequenceNumber = nextSequenceOut
        nextSequenceOut &+= 1
        return .fast(packet)
    }
}
