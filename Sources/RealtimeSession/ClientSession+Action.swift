import NIOCore
import RealtimeProtocol

extension ClientSession {
    /// What the driver must do after one event: independent parts, each possibly absent, carried out in this order:
    /// `send` (or `reject`), `udp`, `timer`, `emit`, `webSocket`. `drop` is only for logs and counters.
    ///
    /// Every event yields at most one packet and one user event, so an action never allocates.
    public struct Action: Sendable {
        public var send: Send?
        public var emit: Event?
        public var timer: TimerChange?
        public var udp: UDPChange?
        public var webSocket: WebSocketChange?
        /// The user's request was not carried out; tell the caller why.
        public var reject: SendRejection?
        /// An incoming packet was ignored.
        public var drop: Drop?

        public init(
            send: Send? = nil,
            emit: Event? = nil,
            timer: TimerChange? = nil,
            udp: UDPChange? = nil,
            webSocket: WebSocketChange? = nil,
            reject: SendRejection? = nil,
            drop: Drop? = nil
        ) {
            self.send = send
            self.emit = emit
            self.timer = timer
            self.udp = udp
            self.webSocket = webSocket
            self.reject = reject
            self.drop = drop
        }

        public var isEmpty: Bool {
            send == nil && emit == nil && timer == nil && udp == nil && webSocket == nil && reject == nil
                && drop == nil
        }
    }

    /// A packet to write.
    public enum Send: Hashable, Sendable {
        /// As one binary WebSocket message.
        case reliable(Packet)
        /// As one UDP datagram to the fast port; the packet already carries its sequence number.
        case fast(Packet)

        public var packet: Packet {
            switch self {
            case .reliable(let packet), .fast(let packet): return packet
            }
        }
    }

    /// Identifies one scheduled timer; a timer that was replaced or cancelled fires to no effect.
    public struct TimerID: Hashable, Sendable {
        var generation: UInt64
    }

    public enum TimerChange: Hashable, Sendable {
        /// Schedule this timer after this delay, replacing any timer still pending.
        case schedule(TimerID, TimeAmount)
        /// Cancel the pending timer.
        case cancel
    }

    public enum UDPChange: Hashable, Sendable {
        /// Open a UDP socket connected to this port at the WebSocket's host, then report
        /// ``ClientSession/udpOpened()`` or ``ClientSession/udpFailed()``.
        case open(port: Int)
        /// Close the UDP socket.
        case close
    }

    public enum WebSocketChange: Hashable, Sendable {
        /// Send a close frame and close the connection once the server answered (or after a grace period).
        case close(code: UInt16, reason: String)
    }

    /// Something for the user of the client.
    public enum Event: Hashable, Sendable {
        /// The login succeeded.
        case connected(peerId: Int32, fastPort: Int)
        /// The UDP handshake is done: fast messages now go over UDP.
        case fastReady
        /// A packet for the game; `reliable` tells which channel delivered it.
        case message(Packet)
        /// A `-13` answer or update.
        case groupMembership(group: Int32, players: [Int32])
        /// The server answered the login with `success:false`; its close usually follows.
        case loginRefused
        /// The WebSocket closed, with the close frame's code and reason (`code` nil: no close frame). Final.
        case disconnected(code: UInt16?, reason: String)
    }

    /// Why a user request was not sent.
    public enum SendRejection: Hashable, Sendable {
        /// A payload over 4096 bytes (the SDK throws too).
        case payloadTooLarge(Int)
        /// Not logged in yet, or the login was refused.
        case notConnected
        /// The connection is closing or closed.
        case closed
    }

    /// Why an incoming packet was ignored.
    public enum Drop: Hashable, Sendable {
        /// A UDP datagram whose sequence number is not greater than the last one accepted.
        case staleSequence
        /// A datagram while no fast channel is in use.
        case unexpectedDatagram
        /// A packet that makes no sense in the current state (before the login result, after the close began).
        case unexpectedPacket
        /// Secure mode: the server answered `verifyIdentity` with `success:false`; the fast channel stays down.
        case identityRefused
    }
}
