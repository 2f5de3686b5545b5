/// A decoding or encoding failure. Equal and hashable on its ``code`` only, so tests can match the kind of failure
/// while the description carries the detail for a person.
public struct ProtocolError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case truncated
            case varintTooLong
            case lengthTooLarge
            case invalidWireType
            case invalidFieldNumber
            case invalidUTF8
            case trailingBytes
            case emptyMessage
            case payloadTooLarge
            case invalidRTData
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The input ended inside a varint, a field or a length-delimited body.
        public static let truncated = Code(.truncated)
        /// A varint ran over 10 bytes.
        public static let varintTooLong = Code(.varintTooLong)
        /// A length prefix exceeds the decoder's maximum.
        public static let lengthTooLarge = Code(.lengthTooLarge)
        /// A wire type of 3, 4, 6 or 7 (groups are not used by proto3; 6 and 7 do not exist).
        public static let invalidWireType = Code(.invalidWireType)
        /// Field number 0 or above 2^29 - 1.
        public static let invalidFieldNumber = Code(.invalidFieldNumber)
        /// A `string` field that is not UTF-8.
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// Bytes left over after the one packet a frame or datagram may carry.
        public static let trailingBytes = Code(.trailingBytes)
        /// A frame or datagram with no bytes at all.
        public static let emptyMessage = Code(.emptyMessage)
        /// A payload over the protocol's limit.
        public static let payloadTooLarge = Code(.payloadTooLarge)
        /// Bytes that are not a GameSparks RTData message.
        public static let invalidRTData = Code(.invalidRTData)

        public var description: String { base.rawValue }
    }

    public let code: Code
    private let detail: String

    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "\(code): \(detail)" }

    public static func == (lhs: ProtocolError, rhs: ProtocolError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
