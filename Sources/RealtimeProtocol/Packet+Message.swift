import NIOCore

extension Packet.Message {
    /// The `Packet` field number that carries this message (30–43).
    public var fieldNumber: Int {
        switch self {
        case .login: return 30
        case .loginResult: return 31
        case .ping: return 32
        case .pingResult: return 33
        case .udpConnect: return 34
        case .playerConnect: return 35
        case .playerDisconnect: return 36
        case .verifyIdentity: return 37
        case .verifyIdentityResult: return 38
        case .joinGroup: return 40
        case .leaveGroup: return 41
        case .requestGroupMembership: return 42
        case .groupMembershipUpdate: return 43
        }
    }

    /// Decodes the message carried in `Packet` field `field` (30–38 or 40–43).
    ///
    /// Protobuf merges a message field that occurs more than once: when `previous` is the same case, the fields read
    /// from `body` update it (scalars last wins, `players` appended); a different case is replaced.
    init(field: Int, body: ByteBuffer, merging previous: Packet.Message?) throws {
        var reader = ProtobufFieldReader(body)
        switch field {
        case 30:
            var login = LoginCommand()
            if case .login(let old) = previous { login = old }
            while let f = try reader.next() {
                switch f.number {
                case 1: if let v = try f.string() { login.playerSessionId = v }
                case 2: if let v = f.int32 { login.clientVersion = v }
                default: break
                }
            }
            self = .login(login)
        case 31:
            var result = LoginResult()
            if case .loginResult(let old) = previous { result = old }
            while let f = try reader.next() {
                switch f.number {
                case 1: if let v = f.bool { result.success = v }
                case 2: if let v = try f.string() { result.reconnectToken = v }
                case 3: if let v = f.int32 { result.peerId = v }
                case 4: if let v = f.int32 { result.fastPort = v }
                case 5: if let v = f.bytes { result.caCert = v }
                case 6: if let v = try f.string() { result.connectToken = v }
                default: break
                }
            }
            self = .loginResult(result)
        case 32, 33, 34:
            while try reader.next() != nil {}
            self = field == 32 ? .ping : field == 33 ? .pingResult : .udpConnect
        case 35:
            var peerId: Int32 = 0
            if case .playerConnect(let old) = previous { peerId = old }
            self = .playerConnect(peerId: try Self.singleInt32(&reader, startingAt: peerId))
        case 36:
            var peerId: Int32 = 0
            if case .playerDisconnect(let old) = previous { peerId = old }
            self = .playerDisconnect(peerId: try Self.singleInt32(&reader, startingAt: peerId))
        case 37:
            var command = VerifyIdentityCommand()
            if case .verifyIdentity(let old) = previous { command = old }
            while let f = try reader.next() {
                switch f.number {
                case 1: if let v = f.int32 { command.peerId = v }
                case 2: if let v = try f.string() { command.connectToken = v }
                default: break
                }
            }
            self = .verifyIdentity(command)
        case 38:
            var result = VerifyIdentityResult()
            if case .verifyIdentityResult(let old) = previous { result = old }
            while let f = try reader.next() {
                switch f.number {
                case 1: if let v = f.bool { result.success = v }
                case 2: if let v = f.int32 { result.peerId = v }
                default: break
                }
            }
            self = .verifyIdentityResult(result)
        case 40:
            var group: Int32 = 0
            if case .joinGroup(let old) = previous { group = old }
            self = .joinGroup(group: try Self.singleInt32(&reader, startingAt: group))
        case 41:
            var group: Int32 = 0
            if case .leaveGroup(let old) = previous { group = old }
            self = .leaveGroup(group: try Self.singleInt32(&reader, startingAt: group))
        case 42:
            var group: Int32 = 0
            if case .requestGroupMembership(let old) = previous { group = old }
            self = .requestGroupMembership(group: try Self.singleInt32(&reader, startingAt: group))
        case 43:
            var update = GroupMembershipUpdate()
            if case .groupMembershipUpdate(let old) = previous { update = old }
            while let f = try reader.next() {
                switch f {
                case .varint(1, let v): update.group = Varint.toInt32(v)
                case .varint(2, let v): update.players.append(Varint.toInt32(v))
                case .lengthDelimited(2, var packed):
                    while packed.readableBytes > 0 {
                        guard let v = try packed.readVarint() else {
                            throw ProtocolError(.truncated, "packed players list ends inside a varint")
                        }
                        update.players.append(Varint.toInt32(v))
                    }
                default: break
                }
            }
            self = .groupMembershipUpdate(update)
        default:
            preconditionFailure("Packet field \(field) is not a message of the oneof")
        }
    }

    /// Reads a message whose only field is `int32 = 1` (peer id or group).
    private static func singleInt32(_ reader: inout ProtobufFieldReader, startingAt value: Int32) throws -> Int32 {
        var value = value
        while let f = try reader.next() {
            if f.number == 1, let v = f.int32 { value = v }
        }
        return value
    }

    /// The size of the message body.
    var encodedSize: Int {
        switch self {
        case .login(let m):
            return Self.stringFieldSize(m.playerSessionId) + Packet.int32FieldSize(m.clientVersion)
        case .loginResult(let m):
            return (m.success ? 2 : 0) + Self.stringFieldSize(m.reconnectToken) + Packet.int32FieldSize(m.peerId)
                + Packet.int32FieldSize(m.fastPort) + Self.bytesFieldSize(m.caCert.readableBytes)
                + Self.stringFieldSize(m.connectToken)
        case .ping, .pingResult, .udpConnect:
            return 0
        case .playerConnect(let v), .playerDisconnect(let v), .joinGroup(let v), .leaveGroup(let v),
            .requestGroupMembership(let v):
            return Packet.int32FieldSize(v)
        case .verifyIdentity(let m):
            return Packet.int32FieldSize(m.peerId) + Self.stringFieldSize(m.connectToken)
        case .verifyIdentityResult(let m):
            return (m.success ? 2 : 0) + Packet.int32FieldSize(m.peerId)
        case .groupMembershipUpdate(let m):
            let packed = Self.packedSize(m.players)
            return Packet.int32FieldSize(m.group) + (m.players.isEmpty ? 0 : Self.bytesFieldSize(packed))
        }
    }

    /// Writes the message body.
    func encode(into buffer: inout ByteBuffer) {
        switch self {
        case .login(let m):
            buffer.writeStringField(1, m.playerSessionId)
            buffer.writeInt32Field(2, m.clientVersion)
        case .loginResult(let m):
            buffer.writeBoolField(1, m.success)
            buffer.writeStringField(2, m.reconnectToken)
            buffer.writeInt32Field(3, m.peerId)
            buffer.writeInt32Field(4, m.fastPort)
            buffer.writeBytesField(5, m.caCert)
            buffer.writeStringField(6, m.connectToken)
        case .ping, .pingResult, .udpConnect:
            break
        case .playerConnect(let v), .playerDisconnect(let v), .joinGroup(let v), .leaveGroup(let v),
            .requestGroupMembership(let v):
            buffer.writeInt32Field(1, v)
        case .verifyIdentity(let m):
            buffer.writeInt32Field(1, m.peerId)
            buffer.writeStringField(2, m.connectToken)
        case .verifyIdentityResult(let m):
            buffer.writeBoolField(1, m.success)
            buffer.writeInt32Field(2, m.peerId)
        case .groupMembershipUpdate(let m):
            buffer.writeInt32Field(1, m.group)
            if !m.players.isEmpty {
                buffer.writeKey(field: 2, wireType: .lengthDelimited)
                buffer.writeVarint(UInt64(Self.packedSize(m.players)))
                for player in m.players { buffer.writeVarint(Varint.fromInt32(player)) }
            }
        }
    }

    private static func stringFieldSize(_ value: String) -> Int {
        value.isEmpty ? 0 : bytesFieldSize(value.utf8.count)
    }

    private static func bytesFieldSize(_ count: Int) -> Int {
        count == 0 ? 0 : 1 + Varint.size(UInt64(count)) + count
    }

    private static func packedSize(_ values: [Int32]) -> Int {
        values.reduce(0) { $0 + Varint.size(Varint.fromInt32($1)) }
    }
}
