import Foundation
import NIOCore
import RealtimeProtocol
import Testing

/// The wire vectors of `scripts/protocol-vectors/generate.py`, read from the test bundle.
enum Fixtures {
    static let packets: [PacketVector] = load("packets")
    static let rtData: [RTDataVector] = load("rtdata")

    private static func load<Vector: Decodable>(_ name: String) -> [Vector] {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures") else {
            fatalError("Fixtures/\(name).json is missing from the test bundle")
        }
        do {
            return try JSONDecoder().decode([Vector].self, from: Data(contentsOf: url))
        } catch {
            fatalError("Fixtures/\(name).json: \(error)")
        }
    }

    /// The error codes the vectors name.
    static func code(_ name: String) -> ProtocolError.Code {
        let codes: [String: ProtocolError.Code] = [
            "truncated": .truncated,
            "varintTooLong": .varintTooLong,
            "lengthTooLarge": .lengthTooLarge,
            "invalidWireType": .invalidWireType,
            "invalidFieldNumber": .invalidFieldNumber,
            "invalidUTF8": .invalidUTF8,
            "trailingBytes": .trailingBytes,
            "emptyMessage": .emptyMessage,
            "invalidRTData": .invalidRTData,
        ]
        guard let code = codes[name] else { fatalError("unknown error code \(name) in a fixture") }
        return code
    }
}

struct PacketVector: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let hex: String
    let expected: ExpectedPacket?
    let error: String?
    let canonical: Bool
    let canonicalHex: String?

    var testDescription: String { self.name }
    var bytes: ByteBuffer { ByteBuffer(hex: self.hex) }
}

struct ExpectedPacket: Decodable, Sendable {
    let opCode: Int32
    let sequenceNumber: Int32
    let targetPlayer: Int32
    let targetGroup: Int32
    let sender: Int32
    let reliable: Bool
    let clientVersion: Int32
    let payload: String
    let message: ExpectedMessage?

    var packet: Packet {
        Packet(
            opCode: OpCode(self.opCode),
            sequenceNumber: self.sequenceNumber,
            targetPlayer: self.targetPlayer,
            targetGroup: self.targetGroup,
            sender: self.sender,
            reliable: self.reliable,
            clientVersion: self.clientVersion,
            payload: ByteBuffer(hex: self.payload),
            message: self.message?.message
        )
    }
}

/// The fields of any oneof message; `case` says which.
struct ExpectedMessage: Decodable, Sendable {
    let `case`: String
    let playerSessionId: String?
    let clientVersion: Int32?
    let success: Bool?
    let reconnectToken: String?
    let peerId: Int32?
    let fastPort: Int32?
    let caCert: String?
    let connectToken: String?
    let group: Int32?
    let players: [Int32]?

    var message: Packet.Message {
        switch self.case {
        case "login":
            return .login(LoginCommand(playerSessionId: self.playerSessionId!, clientVersion: self.clientVersion!))
        case "loginResult":
            return .loginResult(
                LoginResult(
                    success: self.success!,
                    reconnectToken: self.reconnectToken!,
                    peerId: self.peerId!,
                    fastPort: self.fastPort!,
                    caCert: ByteBuffer(hex: self.caCert!),
                    connectToken: self.connectToken!
                )
            )
        case "ping": return .ping
        case "pingResult": return .pingResult
        case "udpConnect": return .udpConnect
        case "playerConnect": return .playerConnect(peerId: self.peerId!)
        case "playerDisconnect": return .playerDisconnect(peerId: self.peerId!)
        case "verifyIdentity":
            return .verifyIdentity(VerifyIdentityCommand(peerId: self.peerId!, connectToken: self.connectToken!))
        case "verifyIdentityResult":
            return .verifyIdentityResult(VerifyIdentityResult(success: self.success!, peerId: self.peerId!))
        case "joinGroup": return .joinGroup(group: self.group!)
        case "leaveGroup": return .leaveGroup(group: self.group!)
        case "requestGroupMembership": return .requestGroupMembership(group: self.group!)
        case "groupMembershipUpdate":
            return .groupMembershipUpdate(GroupMembershipUpdate(group: self.group!, players: self.players!))
        default: fatalError("unknown message case \(self.case) in a fixture")
        }
    }
}

struct RTDataVector: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let hex: String
    let expected: [String: ExpectedRTValue]?
    let error: String?
    let canonical: Bool

    var testDescription: String { self.name }
    var bytes: ByteBuffer { ByteBuffer(hex: self.hex) }
    var data: RTData? { self.expected.map(ExpectedRTValue.data) }
}

/// One slot's value; floats and doubles as IEEE bit patterns.
struct ExpectedRTValue: Decodable, Sendable {
    let number: Int64?
    let float: UInt32?
    let double: UInt64?
    let string: String?
    let vector: [UInt32]?
    let data: [String: ExpectedRTValue]?

    var value: RTData.Value {
        if let number { return .number(number) }
        if let float { return .float(Float(bitPattern: float)) }
        if let double { return .double(Double(bitPattern: double)) }
        if let string { return .string(string) }
        if let vector { return .vector(vector.map(Float.init(bitPattern:))) }
        if let data { return .data(Self.data(data)) }
        fatalError("a fixture slot without a value")
    }

    static func data(_ slots: [String: ExpectedRTValue]) -> RTData {
        var data = RTData()
        for (slot, value) in slots {
            data[Int(slot)!] = value.value
        }
        return data
    }
}

extension ByteBuffer {
    /// A buffer holding the bytes of a plain hex string ("0a1b…").
    init(hex: String) {
        do {
            try self.init(plainHexEncodedBytes: hex)
        } catch {
            fatalError("bad hex in a test: \(hex)")
        }
    }

    /// The readable bytes as plain hex, for readable failure messages.
    var hex: String { self.hexDump(format: .plain).replacingOccurrences(of: " ", with: "") }
}
