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
        guard let key = try self.buffer.readVarint() else {
            throw ProtocolError(.truncated, "message ends inside a field key")
        }
        let number = key >> 3
        guard number >= 1, number <= 0x1FFF_FFFF else {
            throw ProtocolError(.invalidFieldNumber, "field number \(number)")
        }
        let field = Int(number)
        switch UInt8(key & 7) {
        case WireType.varint.rawValue:
            guard let value = try self.buffer.readVarint() else {
                throw ProtocolError(.truncated, "message ends inside the varint of field \(field)")
            }
            return .varint(field: field, value: value)
        case WireType.fixed64.rawValue:
            guard let value = self.buffer.readInteger(endianness: .little, as: UInt64.self) else {
                throw ProtocolError(.truncated, "message ends inside the 64-bit value of field \(field)")
            }
            return .fixed64(field: field, value: value)
        case WireType.fixed32.rawValue:
            guard let value = self.buffer.readInteger(endianness: .little, as: UInt32.self) else {
                throw ProtocolError(.truncated, "message ends inside the 32-bit value of field \(field)")
            }
            return .fixed32(field: field, value: value)
        case WireType.lengthDelimited.rawValue:
            guard let length = try self.buffer.readVarint() else {
                throw ProtocolError(.truncated, "message ends inside the length of field \(field)")
            }
            guard length <= UInt64(self.buffer.readableBytes) else {
                throw ProtocolError(
                    .truncated,
                    "field \(field) claims \(length) bytes but \(self.buffer.readableBytes) remain"
                )
            }
            return .lengthDelimited(field: field, value: self.buffer.readSlice(length: Int(length))!)
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
