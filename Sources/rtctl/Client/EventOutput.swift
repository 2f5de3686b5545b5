import RealtimeClient
import RealtimeProtocol

/// Where a client command's events go: stdout as JSON lines (or short text lines with `--format text`).
struct EventOutput: Sendable {
    enum Format: String, Sendable, CaseIterable {
        case json, text
    }

    let writer: LineWriter
    let encoder: EventEncoder
    let format: Format

    init(writer: LineWriter, payloadFormat: PayloadFormat, format: Format = .json) {
        self.writer = writer
        self.encoder = EventEncoder(payloadFormat: payloadFormat)
        self.format = format
    }

    /// The line for `event`, as this output prints it.
    func line(for event: ClientEvent, closedByClient: Bool = false) -> String {
        let time = WallClockTime.now()
        switch format {
        case .json: return encoder.encode(event, time: time, closedByClient: closedByClient)
        case .text: return Self.text(event, time: time, encoder: encoder, closedByClient: closedByClient)
        }
    }

    func print(_ event: ClientEvent, closedByClient: Bool = false) throws {
        do {
            try writer.write(line(for: event, closedByClient: closedByClient))
        } catch {
            throw RtctlError.runtime("cannot write to standard output: \(error)")
        }
    }

    func flush() throws {
        do {
            try writer.flush()
        } catch {
            throw RtctlError.runtime("cannot write to standard output: \(error)")
        }
    }

    /// `10:00:00.123456 message op 10 from 3 to group 2 (fast): hi`, and similar one-liners for the other events.
    static func text(_ event: ClientEvent, time: WallClockTime, encoder: EventEncoder, closedByClient: Bool) -> String {
        let clock = String(time.iso8601(fractionDigits: 6).dropFirst(11).dropLast())
        switch event {
        case .connected(let peerId, let fastPort):
            return "\(clock) connected as peer \(peerId) (server UDP port \(fastPort))"
        case .fastReady:
            return "\(clock) fast channel ready (UDP)"
        case .message(let packet):
            var target = ""
            if packet.targetPlayer == -1 {
                target = " to the server"
            } else if packet.targetGroup != 0 {
                target = packet.targetGroup == -1 ? " to everyone" : " to group \(packet.targetGroup)"
            } else if packet.targetPlayer != 0 {
                target = " to player \(packet.targetPlayer)"
            }
            let (field, value) = encoder.payloadField(packet.payload.readableBytesView)
            let payload: String
            if field == "payload", let text = String(validating: packet.payload.readableBytesView, as: UTF8.self) {
                payload = JSONText.quoted(text).dropFirst().dropLast().description
            } else {
                payload = "\(field)=\(value)"
            }
            let channel = packet.reliable ? "reliable" : "fast"
            return
                "\(clock) message op \(packet.opCode.rawValue) from \(packet.sender)\(target) (\(channel)): \(payload)"
        case .groupMembership(let group, let players):
            let members = players.isEmpty ? "no players" : players.map(String.init).joined(separator: " ")
            return "\(clock) group \(group): \(members)"
        case .disconnected(let reason, let code):
            let text = EventEncoder.disconnectReason(reason: reason, code: code, closedByClient: closedByClient)
            return "\(clock) disconnected: \(text)"
        }
    }
}
