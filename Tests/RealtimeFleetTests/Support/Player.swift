import NIOCore
import RealtimeClient
import RealtimeProtocol

/// A connected client with an iterator over its events.
final class Player: @unchecked Sendable {
    let client: RealtimeClient
    private var events: ClientEvents.AsyncIterator

    init(_ client: RealtimeClient) {
        self.client = client
        self.events = client.events.makeAsyncIterator()
    }

    /// The payload of the next message with this op code, as text; nil when the connection ends first.
    func message(_ opCode: Int32) async -> String? {
        while let event = await events.next() {
            if case .message(let packet) = event, packet.opCode.rawValue == opCode {
                return String(buffer: packet.payload)
            }
            if case .disconnected = event { return nil }
        }
        return nil
    }

    /// How the connection ended: the close frame's code and reason.
    func disconnection() async -> (code: UInt16?, reason: String)? {
        while let event = await events.next() {
            if case .disconnected(let reason, let code) = event { return (code, reason) }
        }
        return nil
    }

    func send(_ opCode: Int32, _ text: String = "", to target: Int32 = -1) async throws {
        try await client.send(
            opCode: OpCode(opCode),
            payload: ByteBuffer(string: text),
            targetPlayer: target,
            reliable: true
        )
    }

    func close() async { await client.close() }
}

extension FleetServer {
    func player(_ playerSessionId: String) async throws -> Player {
        Player(try await connect(playerSessionId))
    }
}
