import NIOCore
import RealtimeClient
import RealtimeProtocol

extension RealtimeClient {
    /// Carries out one action of an input stream (`sleep` included).
    func perform(_ action: ClientAction) async throws {
        switch action {
        case .send(let message):
            try await send(
                opCode: OpCode(message.opCode),
                payload: try message.payloadBuffer(),
                targetPlayer: message.targetPlayer ?? RealtimeConstants.noTarget,
                targetGroup: message.targetGroup ?? RealtimeConstants.noTarget,
                reliable: message.reliable
            )
        case .joinGroup(let group):
            try await joinGroup(group)
        case .leaveGroup(let group):
            try await leaveGroup(group)
        case .requestGroupMembership(let group):
            try await requestGroupMembership(group)
        case .sleep(let milliseconds):
            try await Task.sleep(for: .milliseconds(milliseconds))
        }
    }
}

extension OutgoingMessage {
    /// The payload bytes: as given, or the RTData encoded for the wire.
    func payloadBuffer() throws -> ByteBuffer {
        switch payload {
        case .bytes(let bytes):
            return ByteBuffer(bytes: bytes)
        case .rtData(let data):
            var buffer = ByteBuffer()
            try buffer.writeRTData(data)
            return buffer
        }
    }
}
