import Foundation
import NIOCore
import RealtimeProtocol

/// The first line of a recording (CLI.md "Recording format").
public struct RecordingHeader: Codable, Hashable, Sendable {
    /// The format version: 1.
    public var recording: Int
    public var gameSessionId: String
    /// When the recording started, ISO 8601 UTC.
    public var started: String
    /// The server recorded: `rtctl serve HOST:PORT` for a server recording, the endpoint for a client's.
    public var server: String
    /// `serve` (every event of the session) or `listen` (what one client received).
    public var source: String?

    public init(gameSessionId: String, started: Date, server: String, source: String) {
        self.recording = 1
        self.gameSessionId = gameSessionId
        self.started = started.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        self.server = server
        self.source = source
    }
}

/// One event line of a recording. Absent fields are omitted; `message` lines carry the full routing fields.
///
/// Events: `connected` and `disconnected` (a player), `refused` (a login), `message` (sent by `peerId`, or by the
/// script with `peerId` -1; `recipients` are the peers it reached, absent in a client's recording, where the message
/// is one the recording player received), `joinGroup` and `leaveGroup` (a player's request; `refused` when it changed
/// nothing), `groupMembership` (a membership a client received).
public struct RecordedEvent: Codable, Hashable, Sendable {
    /// Seconds since the recording started.
    public var t: Double
    public var event: String
    public var peerId: Int32?
    public var playerSessionId: String?
    public var opCode: Int32?
    public var sender: Int32?
    public var targetPlayer: Int32?
    public var targetGroup: Int32?
    public var reliable: Bool?
    /// The payload as UTF-8 text, when it is valid UTF-8.
    public var payload: String?
    /// The payload in base64, when it is not valid UTF-8.
    public var payloadBase64: String?
    public var recipients: [Int32]?
    public var group: Int32?
    public var players: [Int32]?
    public var reason: String?
    public var refused: String?

    public init(t: Double, event: String, peerId: Int32? = nil, playerSessionId: String? = nil) {
        self.t = t
        self.event = event
        self.peerId = peerId
        self.playerSessionId = playerSessionId
    }

    /// A `message` event for `packet`.
    public static func message(_ packet: Packet, t: Double, peerId: Int32, recipients: [Int32]?) -> RecordedEvent {
        var event = RecordedEvent(t: t, event: "message", peerId: peerId)
        event.opCode = packet.opCode.rawValue
        event.sender = packet.sender
        event.targetPlayer = packet.targetPlayer
        event.targetGroup = packet.targetGroup
        event.reliable = packet.reliable
        event.setPayload(packet.payload)
        event.recipients = recipients
        return event
    }

    /// Stores a payload as text when it is UTF-8, else as base64.
    public mutating func setPayload(_ bytes: ByteBuffer) {
        let view = bytes.readableBytesView
        if let text = String(validating: view, as: UTF8.self) {
            payload = text
            payloadBase64 = nil
        } else {
            payload = nil
            payloadBase64 = Data(view).base64EncodedString()
        }
    }

    /// The payload bytes (empty when the event has none); nil when `payloadBase64` is not base64.
    public var payloadBytes: ByteBuffer? {
        if let payloadBase64 {
            return Data(base64Encoded: payloadBase64).map { ByteBuffer(bytes: $0) }
        }
        return ByteBuffer(string: payload ?? "")
    }
}

/// Reads a recording. A recording cut off mid-line (a crash, kill -9) reads up to its last whole line.
public struct RecordingReader {
    public var header: RecordingHeader
    public var events: [RecordedEvent]
    /// Malformed lines skipped, with their line numbers (a cut-off last line is not counted).
    public var skipped: [(line: Int, reason: String)]

    public init(contentsOf path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try self.init(data: data, name: path)
    }

    public init(data: Data, name: String) throws {
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        // A last line without its newline was cut off while being written: ignore it.
        if data.last != UInt8(ascii: "\n"), !lines.isEmpty { lines.removeLast() }
        let decoder = JSONDecoder()
        guard let first = lines.first, !first.isEmpty else {
            throw RecordingError("\(name): empty recording (no header line)")
        }
        do {
            header = try decoder.decode(RecordingHeader.self, from: Data(first))
        } catch {
            throw RecordingError("\(name): line 1 is not a recording header: \(error)")
        }
        guard header.recording == 1 else {
            throw RecordingError("\(name): recording format \(header.recording) is not supported (this rtctl reads 1)")
        }
        events = []
        skipped = []
        for (index, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            do {
                events.append(try decoder.decode(RecordedEvent.self, from: Data(line)))
            } catch {
                skipped.append((index + 1, "\(error)"))
            }
        }
    }
}

/// A recording that cannot be read.
public struct RecordingError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
