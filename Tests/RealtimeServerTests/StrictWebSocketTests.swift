import NIOCore
import NIOWebSocket
import RealtimeProtocol
import RealtimeServer
import Testing

/// RFC 6455's rules for what a client may send (§5.1, §5.2, §7.4): breaking one closes with 1002 (1007 for a close
/// reason that is not UTF-8), and other players are unaffected.
@Suite("Strict WebSocket")
struct StrictWebSocketTests {
    static func closeBody(_ code: UInt16?, _ reason: [UInt8] = []) -> ByteBuffer {
        var buffer = ByteBuffer()
        if let code { buffer.writeInteger(code) }
        buffer.writeBytes(reason)
        return buffer
    }

    static let cases: [(String, WebSocketFrame, UInt16)] = [
        ("unmasked binary frame", WebSocketFrame(fin: true, opcode: .binary, data: ByteBuffer(bytes: [0])), 1002),
        (
            "reserved bit",
            WebSocketFrame(fin: true, rsv1: true, opcode: .binary, maskKey: .random(), data: ByteBuffer()),
            1002
        ),
        (
            "close code 999",
            WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: closeBody(999)), 1002
        ),
        (
            "close code 1005",
            WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: closeBody(1005)), 1002
        ),
        (
            "close code 2000",
            WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: closeBody(2000)), 1002
        ),
        (
            "1-byte close body",
            WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: ByteBuffer(bytes: [3])), 1002
        ),
        (
            "unknown opcode 3",
            WebSocketFrame(
                fin: true,
                opcode: WebSocketOpcode(encodedWebSocketOpcode: 3)!,
                maskKey: .random(),
                data: ByteBuffer()
            ),
            1002
        ),
        (
            "continuation with no message to continue",
            WebSocketFrame(fin: true, opcode: .continuation, maskKey: .random(), data: ByteBuffer(bytes: [0])),
            1002
        ),
        (
            "fragmented ping",
            WebSocketFrame(fin: false, opcode: .ping, maskKey: .random(), data: ByteBuffer()),
            1002
        ),
        (
            "close reason not UTF-8",
            WebSocketFrame(
                fin: true,
                opcode: .connectionClose,
                maskKey: .random(),
                data: closeBody(1000, [0xC3, 0x28])
            ),
            1007
        ),
    ]

    @Test(
        "a frame breaking RFC 6455 closes that connection with 1002 (1007 for a bad reason); others stay",
        arguments: 0..<cases.count
    )
    func violation(index: Int) async throws {
        let (name, frame, expected) = Self.cases[index]
        let server = try await RunningServer.start()
        defer { server.task.cancel() }
        let bystander = try await server.login("bystander")
        let offender = try await server.login("offender")
        try await offender.ws.send(frame: frame)
        let close = try await offender.ws.expectClose()
        #expect(close.code == expected, "\(name)")
        try await bystander.roundTrip()
        try await server.stop()
    }

    @Test("valid close frames are answered with the same code: no body, 1000, 3000 and 4999 with a reason")
    func validCloses() async throws {
        let server = try await RunningServer.start()
        defer { server.task.cancel() }
        for code in [nil, 1000, 1001, 3000, 4999] as [UInt16?] {
            let player = try await server.login("p\(code.map(String.init) ?? "-")")
            try await player.ws.send(.connectionClose, Self.closeBody(code, code == nil ? [] : Array("bye".utf8)))
            let close = try await player.ws.expectClose()
            #expect(close.code == code)
        }
        try await server.stop()
    }
}
