import NIOCore

extension ByteBuffer {
    /// Reads all the readable bytes as one RTData (a whole `payload`).
    ///
    /// Throws `ProtocolError` with code `invalidRTData`, leaving the reader index untouched, when the bytes are not
    /// RTData or nest deeper than `maxDepth`.
    public mutating func readRTData(maxDepth: Int = RTData.defaultMaxDepth) throws -> RTData {
        let data = try RTData(decoding: self, maxDepth: maxDepth)
        self.moveReaderIndex(to: self.writerIndex)
        return data
    }

    /// Writes `data` and returns the number of bytes written.
    ///
    /// Throws `ProtocolError` with code `invalidRTData`, writing nothing, for a vector without 1 to 4 components
    /// or nesting deeper than `maxDepth`.
    @discardableResult
    public mutating func writeRTData(_ data: RTData, maxDepth: Int = RTData.defaultMaxDepth) throws -> Int {
        try data.validate(depth: 1, maxDepth: maxDepth)
        let size = data.encodedSize
        self.reserveCapacity(minimumWritableBytes: size)
        data.encode(into: &self)
        return size
    }
}

extension RTData {
    /// Decodes RTData from all the readable bytes of `bytes`.
    public init(decoding bytes: ByteBuffer, maxDepth: Int = RTData.defaultMaxDepth) throws {
        do {
            try self.init(decoding: bytes, depth: 1, maxDepth: maxDepth)
        } catch let error as ProtocolError where error.code != .invalidRTData {
            throw ProtocolError(.invalidRTData, "\(error)")
        }
    }

    private init(decoding bytes: ByteBuffer, depth: Int, maxDepth: Int) throws {
        guard depth <= maxDepth else {
            throw ProtocolError(.invalidRTData, "RTData nested deeper than \(maxDepth)")
        }
        self.init()
        var reader = ProtobufFieldReader(bytes)
        while let field = try reader.next() {
            let slot = field.number
            guard Self.slots.contains(slot) else {
                throw ProtocolError(.invalidRTData, "slot \(slot) is outside 1...127")
            }
            switch field {
            case .varint(_, let value): self[slot] = .number(Varint.unzigzag64(value))
            case .fixed64(_, let value): self[slot] = .double(Double(bitPattern: value))
            case .fixed32(_, let value): self[slot] = .float(Float(bitPattern: value))
            case .lengthDelimited(_, let body):
                self[slot] = try Self.decodeValue(body, slot: slot, depth: depth, maxDepth: maxDepth)
            }
        }
    }

    /// Decodes a value message `{1: string, 2: packed floats, 14: RTData}`. The last of the three present wins (the
    /// floats of every field 2 add up); nil when none is present.
    private static func decodeValue(_ body: ByteBuffer, slot: Int, depth: Int, maxDepth: Int) throws -> Value? {
        var reader = ProtobufFieldReader(body)
        var value: Value?
        var floats: [Float] = []
        while let field = try reader.next() {
            switch field {
            case .lengthDelimited(1, _):
                value = .string(try field.string()!)
            case .lengthDelimited(2, var packed):
                guard packed.readableBytes % 4 == 0 else {
                    throw ProtocolError(.invalidRTData, "slot \(slot): packed floats of \(packed.readableBytes) bytes")
                }
                while let bits = packed.readInteger(endianness: .little, as: UInt32.self) {
                    floats.append(Float(bitPattern: bits))
                }
                value = .vector(floats)
            case .fixed32(2, let bits):
                floats.append(Float(bitPattern: bits))
                value = .vector(floats)
            case .lengthDelimited(14, let nested):
                value = .data(try RTData(decoding: nested, depth: depth + 1, maxDepth: maxDepth))
            default:
                break
            }
        }
        if case .vector(let components) = value, !Self.vectorComponents.contains(components.count) {
            throw ProtocolError(.invalidRTData, "slot \(slot): a vector of \(components.count) components")
        }
        return value
    }

    /// Checks what the encoding cannot express: vectors of 1 to 4 components, nesting up to `maxDepth`.
    func validate(depth: Int, maxDepth: Int) throws {
        guard depth <= maxDepth else {
            throw ProtocolError(.invalidRTData, "RTData nested deeper than \(maxDepth)")
        }
        for entry in self.entries {
            switch entry.value {
            case .vector(let components):
                guard Self.vectorComponents.contains(components.count) else {
                    throw ProtocolError(
                        .invalidRTData,
                        "slot \(entry.slot): a vector of \(components.count) components"
                    )
                }
            case .data(let nested):
                try nested.validate(depth: depth + 1, maxDepth: maxDepth)
            case .number, .float, .double, .string:
                break
            }
        }
    }

    /// The size of the encoding.
    var encodedSize: Int {
        var size = 0
        for entry in self.entries {
            size += Varint.size(UInt64(entry.slot << 3))
            switch entry.value {
            case .number(let value): size += Varint.size(Varint.zigzag64(value))
            case .float: size += 4
            case .double: size += 8
            case .string, .vector, .data:
                let body = Self.valueBodySize(entry.value)
                size += Varint.size(UInt64(body)) + body
            }
        }
        return size
    }

    /// The size of a value message's body.
    private static func valueBodySize(_ value: Value) -> Int {
        switch value {
        case .string(let text):
            let count = text.utf8.count
            return 1 + Varint.size(UInt64(count)) + count
        case .vector(let components):
            return 2 + 4 * components.count
        case .data(let nested):
            let size = nested.encodedSize
            return 1 + Varint.size(UInt64(size)) + size
        case .number, .float, .double:
            return 0
        }
    }

    /// Writes the slots in increasing order; assumes `validate` passed.
    func encode(into buffer: inout ByteBuffer) {
        for entry in self.entries {
            switch entry.value {
            case .number(let value):
                buffer.writeKey(field: entry.slot, wireType: .varint)
                buffer.writeVarint(Varint.zigzag64(value))
            case .float(let value):
                buffer.writeKey(field: entry.slot, wireType: .fixed32)
                buffer.writeInteger(value.bitPattern, endianness: .little)
            case .double(let value):
                buffer.writeKey(field: entry.slot, wireType: .fixed64)
                buffer.writeInteger(value.bitPattern, endianness: .little)
            case .string(let text):
                buffer.writeKey(field: entry.slot, wireType: .lengthDelimited)
                buffer.writeVarint(UInt64(Self.valueBodySize(entry.value)))
                buffer.writeKey(field: 1, wireType: .lengthDelimited)
                buffer.writeVarint(UInt64(text.utf8.count))
                buffer.writeString(text)
            case .vector(let components):
                buffer.writeKey(field: entry.slot, wireType: .lengthDelimited)
                buffer.writeVarint(UInt64(Self.valueBodySize(entry.value)))
                buffer.writeKey(field: 2, wireType: .lengthDelimited)
                buffer.writeVarint(UInt64(4 * components.count))
                for component in components {
                    buffer.writeInteger(component.bitPattern, endianness: .little)
                }
            case .data(let nested):
                let size = nested.encodedSize
                buffer.writeKey(field: entry.slot, wireType: .lengthDelimited)
                buffer.writeVarint(UInt64(1 + Varint.size(UInt64(size)) + size))
                buffer.writeKey(field: 14, wireType: .lengthDelimited)
                buffer.writeVarint(UInt64(size))
                nested.encode(into: &buffer)
            }
        }
    }
}
