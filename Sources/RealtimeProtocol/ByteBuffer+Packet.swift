import NIOCore

extension ByteBuffer {
    /// Reads one length-delimited packet (varint length, then the `Packet` bytes).
    ///
    /// Returns nil, leaving the reader index untouched, when the buffer does not yet hold the whole packet.
    /// Throws when the length prefix exceeds `maxLength` or the packet bytes are malformed.
    public mutating func readPacket(maxLength: Int) throws -> Packet? {
        precondition(maxLength >= 0, "maxLength must not be negative")
        let start = self.readerIndex
        guard let length = try self.readVarint() else { return nil }
        guard length <= UInt64(maxLength) else {
            self.moveReaderIndex(to: start)
            throw ProtocolError(.lengthTooLarge, "packet length \(length) exceeds the maximum of \(maxLength)")
        }
        guard let body = self.readSlice(length: Int(length)) else {
            self.moveReaderIndex(to: start)
            return nil
        }
        do {
            return try Packet(decoding: body)
        } catch {
            self.moveReaderIndex(to: start)
            throw error
        }
    }

    /// Reads the one packet a WebSocket message or a UDP datagram must hold, consuming the whole buffer.
    ///
    /// Throws when the buffer is empty, ends before the packet does, or has bytes after it.
    public mutating func readOnlyPacket(maxLength: Int) throws -> Packet {
        guard self.readableBytes > 0 else {
            throw ProtocolError(.emptyMessage, "empty message")
        }
        guard let packet = try self.readPacket(maxLength: maxLength) else {
            throw ProtocolError(.truncated, "message ends before the packet its length prefix announces")
        }
        guard self.readableBytes == 0 else {
            throw ProtocolError(.trailingBytes, "\(self.readableBytes) bytes after the packet")
        }
        return packet
    }

    /// Writes `packet` length-delimited and returns the number of bytes written.
    @discardableResult
    public mutating func writePacket(_ packet: Packet) -> Int {
        let size = packet.encodedSize
        let prefix = self.writeVarint(UInt64(size))
        packet.encode(into: &self)
        return prefix + size
    }
}

extension Packet {
    /// Decodes the bytes of one `Packet` (without the length prefix), by proto3 rules.
    public init(decoding bytes: ByteBuffer) throws {
        self.init(opCode: .login)
        var reader = ProtobufFieldReader(bytes)
        while let field = try reader.next() {
            switch field.number {
            case 1: if let value = field.sint32 { self.opCode = OpCode(value) }
            case 2: if let value = field.int32 { self.sequenceNumber = value }
            case 3: if let value = field.int32 { self.targetPlayer = value }
            case 4: if let value = field.int32 { self.targetGroup = value }
            case 5: if let value = field.int32 { self.sender = value }
            case 6: if let value = field.bool { self.reliable = value }
            case 7: if let value = field.int32 { self.clientVersion = value }
            case 15: if let value = field.bytes { self.payload = value }
            case 30...38, 40...43:
                // Field 39 is unused by the schema: an unknown field, skipped without looking inside.
                if let body = field.bytes {
                    self.message = try Message(field: field.number, body: body, merging: self.message)
                }
            default: break
            }
        }
    }

    /// The size of the packet's encoding, without the length prefix.
    public var encodedSize: Int {
        var size = 0
        if opCode.rawValue != 0 { size += 1 + Varint.size(Varint.zigzag(opCode.rawValue)) }
        size += Self.int32FieldSize(sequenceNumber)
        size += Self.int32FieldSize(targetPlayer)
        size += Self.int32FieldSize(targetGroup)
        size += Self.int32FieldSize(sender)
        if reliable { size += 2 }
        size += Self.int32FieldSize(clientVersion)
        if payload.readableBytes > 0 { size += 1 + Varint.size(UInt64(payload.readableBytes)) + payload.readableBytes }
        if let message {
            let bodySize = message.encodedSize
            size += 2 + Varint.size(UInt64(bodySize)) + bodySize
        }
        return size
    }

    /// Writes the packet's fields (without the length prefix), in field-number order, omitting defaults.
    public func encode(into buffer: inout ByteBuffer) {
        if opCode.rawValue != 0 {
            buffer.writeKey(field: 1, wireType: .varint)
            buffer.writeVarint(Varint.zigzag(opCode.rawValue))
        }
        buffer.writeInt32Field(2, sequenceNumber)
        buffer.writeInt32Field(3, targetPlayer)
        buffer.writeInt32Field(4, targetGroup)
        buffer.writeInt32Field(5, sender)
        buffer.writeBoolField(6, reliable)
        buffer.writeInt32Field(7, clientVersion)
        if payload.readableBytes > 0 {
            buffer.writeKey(field: 15, wireType: .lengthDelimited)
            buffer.writeVarint(UInt64(payload.readableBytes))
            buffer.writeImmutableBuffer(payload)
        }
        if let message {
            buffer.writeKey(field: message.fieldNumber, wireType: .lengthDelimited)
            buffer.writeVarint(UInt64(message.encodedSize))
            message.encode(into: &buffer)
        }
    }

    static func int32FieldSize(_ value: Int32) -> Int {
        value == 0 ? 0 : 1 + Varint.size(Varint.fromInt32(value))
    }
}

extension ByteBuffer {
    @inlinable
    mutating func writeInt32Field(_ field: Int, _ value: Int32) {
        guard value != 0 else { return }
        self.writeKey(field: field, wireType: .varint)
        self.writeVarint(Varint.fromInt32(value))
    }

    @inlinable
    mutating func writeBoolField(_ field: Int, _ value: Bool) {
        guard value else { return }
        self.writeKey(field: field, wireType: .varint)
        self.writeVarint(1)
    }

    mutating func writeStringField(_ field: Int, _ value: String) {
        guard !value.isEmpty else { return }
        self.writeKey(field: field, wireType: .lengthDelimited)
        self.writeVarint(UInt64(value.utf8.count))
        self.writeString(value)
    }

    mutating func writeBytesField(_ field: Int, _ value: ByteBuffer) {
        guard value.readableBytes > 0 else { return }
        self.writeKey(field: field, wireType: .lengthDelimited)
        self.writeVarint(UInt64(value.readableBytes))
        self.writeImmutableBuffer(value)
    }
}
