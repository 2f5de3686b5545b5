import NIOCore

/// One field read from a protobuf message: its number and its value by wire type.
public enum ProtobufField {
    case varint(field: Int, value: UInt64)
    case fixed64(field: Int, value: UInt64)
    case fixed32(field: Int, value: UInt32)
    case lengthDelimited(field: Int, value: ByteBuffer)

    public var number: Int {
        switch self {
        case .varint(let field, _), .fixed64(let field, _), .fixed32(let field, _), .lengthDelimited(let field, _):
            return field
        }
    }
}

/// Walks the fields of one complete protobuf message held in a buffer. Unknown fields are the caller's to skip;
/// groups (wire types 3 and 4) and the undefined wire types 6 and 7 are errors.
public struct ProtobufFieldReader {
    private var buffer: ByteBuffer

    public init(_ buffer: ByteBuffer) {
        self.buffer = buffer
    }

    /// The next field, or nil at the end of the message.
    public mutating func next() throws -> ProtobufField? {
        guard self.buffer.readableBytes > 0 else { return nil }
        // One look into the buffer's storage per field (each look costs an access check).
        let (scanned, headerLength) = try self.buffer.withUnsafeReadableBytes { try Self.scan($0) }
        self.buffer.moveReaderIndex(forwardBy: headerLength)
        switch scanned {
        case .field(let field):
            return field
        case .lengthDelimited(let field, let length):
            return .lengthDelimited(field: field, value: self.buffer.readSlice(length: length)!)
        }
    }

    /// A field read from the bytes, but for the bytes of a length-delimited value, which are only counted.
    private enum Scanned {
        case field(ProtobufField)
        case lengthDelimited(field: Int, length: Int)
    }

    /// The field at the start of `bytes` and the number of bytes before a length-delimited value's bytes (the whole
    /// field for the other wire types).
    private static func scan(_ bytes: UnsafeRawBufferPointer) throws -> (Scanned, Int) {
        guard let (key, keyLength) = try Varint.read(bytes, at: 0) else {
            throw ProtocolError(.truncated, "message ends inside a field key")
        }
        let number = key >> 3
        guard number >= 1, number <= 0x1FFF_FFFF else {
            throw ProtocolError(.invalidFieldNumber, "field number \(number)")
        }
        let field = Int(number)
        let offset = keyLength
        let remaining = bytes.count - offset
        switch UInt8(key & 7) {
        case WireType.varint.rawValue:
            guard let (value, length) = try Varint.read(bytes, at: offset) else {
                throw ProtocolError(.truncated, "message ends inside the varint of field \(field)")
            }
            return (.field(.varint(field: field, value: value)), offset + length)
        case WireType.fixed64.rawValue:
            guard remaining >= 8 else {
                throw ProtocolError(.truncated, "message ends inside the 64-bit value of field \(field)")
            }
            let value = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            return (.field(.fixed64(field: field, value: value)), offset + 8)
        case WireType.fixed32.rawValue:
            guard remaining >= 4 else {
                throw ProtocolError(.truncated, "message ends inside the 32-bit value of field \(field)")
            }
            let value = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            return (.field(.fixed32(field: field, value: value)), offset + 4)
        case WireType.lengthDelimited.rawValue:
            guard let (length, lengthLength) = try Varint.read(bytes, at: offset) else {
                throw ProtocolError(.truncated, "message ends inside the length of field \(field)")
            }
            let available = remaining - lengthLength
            guard length <= UInt64(available) else {
                throw ProtocolError(.truncated, "field \(field) claims \(length) bytes but \(available) remain")
            }
            return (.lengthDelimited(field: field, length: Int(length)), offset + lengthLength)
        default:
            throw ProtocolError(.invalidWireType, "wire type \(key & 7) on field \(field)")
        }
    }
}

extension ProtobufField {
    /// The field as an `int32` (varint); nil for another wire type.
    var int32: Int32? {
        if case .varint(_, let value) = self { return Varint.toInt32(value) }
        return nil
    }

    /// The field as an `sint32` (zigzag varint); nil for another wire type.
    var sint32: Int32? {
        if case .varint(_, let value) = self { return Varint.unzigzag(value) }
        return nil
    }

    /// The field as a `bool` (varint); nil for another wire type.
    var bool: Bool? {
        if case .varint(_, let value) = self { return value != 0 }
        return nil
    }

    /// The field as `bytes`; nil for another wire type.
    var bytes: ByteBuffer? {
        if case .lengthDelimited(_, let value) = self { return value }
        return nil
    }

    /// The field as a `string`; nil for another wire type; throws when it is not UTF-8.
    func string() throws -> String? {
        guard case .lengthDelimited(let field, let value) = self else { return nil }
        guard let text = value.getString(at: value.readerIndex, length: value.readableBytes),
            text.utf8.count == value.readableBytes,
            value.readableBytesView.elementsEqual(text.utf8)
        else {
            throw ProtocolError(.invalidUTF8, "string field \(field) is not UTF-8")
        }
        return text
    }
}
