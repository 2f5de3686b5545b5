import NIOCore

/// Protobuf wire types (the low three bits of a field key).
public enum WireType: UInt8, Sendable {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case startGroup = 3
    case endGroup = 4
    case fixed32 = 5
}

extension ByteBuffer {
    /// Reads an unsigned varint of at most 10 bytes. Returns nil, with the reader index untouched, when the buffer
    /// ends inside the varint; throws when the varint is longer than 10 bytes.
    @inlinable
    public mutating func readVarint() throws -> UInt64? {
        guard let (value, length) = try self.withUnsafeReadableBytes({ try Varint.read($0, at: 0) }) else {
            return nil
        }
        self.moveReaderIndex(forwardBy: length)
        return value
    }

    /// Writes `value` as an unsigned varint and returns the number of bytes written.
    @inlinable
    @discardableResult
    public mutating func writeVarint(_ value: UInt64) -> Int {
        var value = value
        var written = 0
        while value >= 0x80 {
            written += self.writeInteger(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        written += self.writeInteger(UInt8(value))
        return written
    }

    /// Writes a field key (field number and wire type).
    @inlinable
    @discardableResult
    mutating func writeKey(field: Int, wireType: WireType) -> Int {
        self.writeVarint(UInt64(field << 3) | UInt64(wireType.rawValue))
    }
}

/// Varint sizes and zigzag coding.
public enum Varint {
    /// The unsigned varint at `offset` in `bytes` and the number of bytes it takes; nil when the bytes end inside it;
    /// throws when it is longer than 10 bytes. Decoders read from the bytes themselves: each look into a buffer's
    /// storage costs an access check, once per field this way instead of once per byte.
    @inlinable
    public static func read(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws -> (value: UInt64, length: Int)? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var index = offset
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return (result, index - offset) }
            shift += 7
            if shift >= 70 {
                throw ProtocolError(.varintTooLong, "varint longer than 10 bytes")
            }
        }
        return nil
    }

    /// The number of bytes `value` takes as a varint (1 to 10).
    @inlinable
    public static func size(_ value: UInt64) -> Int {
        if value == 0 { return 1 }
        let bits = 64 - value.leadingZeroBitCount
        return (bits + 6) / 7
    }

    /// The varint form of an `int32`: negative values are sign-extended to 64 bits (10 bytes on the wire).
    @inlinable
    public static func fromInt32(_ value: Int32) -> UInt64 {
        UInt64(bitPattern: Int64(value))
    }

    /// An `int32` read from a varint: the low 32 bits, as proto3 parsers do.
    @inlinable
    public static func toInt32(_ value: UInt64) -> Int32 {
        Int32(truncatingIfNeeded: value)
    }

    /// ZigZag encoding of an `sint32`.
    @inlinable
    public static func zigzag(_ value: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: (value << 1) ^ (value >> 31)))
    }

    /// ZigZag decoding of an `sint32` (the low 32 bits of the varint).
    @inlinable
    public static func unzigzag(_ value: UInt64) -> Int32 {
        let low = UInt32(truncatingIfNeeded: value)
        return Int32(bitPattern: (low >> 1) ^ (0 &- (low & 1)))
    }

    /// ZigZag encoding of an `sint64` (GameSparks RTData numbers).
    @inlinable
    public static func zigzag64(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    /// ZigZag decoding of an `sint64`.
    @inlinable
    public static func unzigzag64(_ value: UInt64) -> Int64 {
        Int64(bitPattern: (value >> 1) ^ (0 &- (value & 1)))
    }
}
