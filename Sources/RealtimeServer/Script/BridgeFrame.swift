import Foundation
import NIOCore

/// One frame of the channel between the server and the script host (see `ScriptHost/BRIDGE.md`):
/// `u32le length` of the rest, `u8 kind`, `u32le id`, `u32le jsonLength`, the JSON header, the binary payload.
struct BridgeFrame: Sendable {
    /// Frame kinds. Server → host: 1–4; host → server: 101–109.
    struct Kind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        var rawValue: UInt8

        static let start = Kind(rawValue: 1)
        static let call = Kind(rawValue: 2)
        static let notify = Kind(rawValue: 3)
        static let ended = Kind(rawValue: 4)

        static let ready = Kind(rawValue: 101)
        static let failed = Kind(rawValue: 102)
        static let result = Kind(rawValue: 103)
        static let send = Kind(rawValue: 104)
        static let broadcastMembership = Kind(rawValue: 105)
        static let hung = Kind(rawValue: 106)
        static let terminated = Kind(rawValue: 107)
        static let log = Kind(rawValue: 108)
        static let end = Kind(rawValue: 109)
        static let opCodes = Kind(rawValue: 110)

        var description: String { String(rawValue) }
    }

    var kind: Kind
    var id: UInt32
    /// The JSON header (an object), as bytes.
    var header: ByteBuffer
    var payload: ByteBuffer

    init(kind: Kind, id: UInt32 = 0, header: ByteBuffer = ByteBuffer(), payload: ByteBuffer = ByteBuffer()) {
        self.kind = kind
        self.id = id
        self.header = header
        self.payload = payload
    }

    /// A frame whose header is `header` encoded as JSON.
    init(kind: Kind, id: UInt32 = 0, encoding header: some Encodable, payload: ByteBuffer = ByteBuffer()) throws {
        let json = try JSONEncoder().encode(header)
        self.init(kind: kind, id: id, header: ByteBuffer(bytes: json), payload: payload)
    }

    /// The header decoded as `type`; an empty header decodes as `{}`.
    func decodeHeader<Header: Decodable>(as type: Header.Type) throws -> Header {
        let json = header.readableBytes == 0 ? Data("{}".utf8) : Data(header.readableBytesView)
        do {
            return try JSONDecoder().decode(type, from: json)
        } catch {
            throw BridgeError("malformed \(kind) frame header: \(error)")
        }
    }

    /// The largest frame either side may send: a payload is at most 4096 bytes, a header a few KiB.
    static let maxLength = 1 << 20
}

extension ByteBuffer {
    /// Reads one bridge frame; nil (reader index untouched) while incomplete.
    mutating func readBridgeFrame() throws -> BridgeFrame? {
        guard let length = getInteger(at: readerIndex, endianness: .little, as: UInt32.self) else { return nil }
        guard length >= 9, length <= BridgeFrame.maxLength else {
            throw BridgeError("frame length \(length) out of range")
        }
        guard readableBytes >= 4 + Int(length) else { return nil }
        moveReaderIndex(forwardBy: 4)
        var body = readSlice(length: Int(length))!
        let kind = body.readInteger(as: UInt8.self)!
        let id = body.readInteger(endianness: .little, as: UInt32.self)!
        let jsonLength = body.readInteger(endianness: .little, as: UInt32.self)!
        guard let json = body.readSlice(length: Int(jsonLength)) else {
            throw BridgeError("JSON header length \(jsonLength) exceeds the frame")
        }
        return BridgeFrame(kind: BridgeFrame.Kind(rawValue: kind), id: id, header: json, payload: body)
    }

    /// Writes one bridge frame.
    mutating func writeBridgeFrame(_ frame: BridgeFrame) {
        writeBridgeFrame(kind: frame.kind, id: frame.id, payload: frame.payload) {
            $0.writeImmutableBuffer(frame.header)
        }
    }

    /// Writes one bridge frame whose JSON header `writeHeader` writes in place (no buffer of its own per frame).
    mutating func writeBridgeFrame(
        kind: BridgeFrame.Kind,
        id: UInt32,
        payload: ByteBuffer,
        writeHeader: (inout ByteBuffer) -> Void
    ) {
        let start = writerIndex
        writeInteger(UInt32(0), endianness: .little)
        writeInteger(kind.rawValue)
        writeInteger(id, endianness: .little)
        writeInteger(UInt32(0), endianness: .little)
        let headerStart = writerIndex
        writeHeader(&self)
        let headerLength = writerIndex - headerStart
        writeImmutableBuffer(payload)
        setInteger(UInt32(writerIndex - start - 4), at: start, endianness: .little)
        setInteger(UInt32(headerLength), at: headerStart - 4, endianness: .little)
    }
}

/// A `call` frame's JSON header, written straight into the frames waiting for a flush.
protocol BridgeHeader {
    func write(into buffer: inout ByteBuffer)
}

/// A header written already.
extension ByteBuffer: BridgeHeader {
    func write(into buffer: inout ByteBuffer) {
        buffer.writeImmutableBuffer(self)
    }
}

/// A failure of the channel to the script host.
struct BridgeError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
