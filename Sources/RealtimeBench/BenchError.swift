/// Why a bench run could not be carried out. Equal and hashable on the code only.
public struct BenchError: Error, Hashable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        /// A client could not connect or log in.
        public static let connectFailed = Code(name: "connectFailed")
        /// The clients did not get ready (UDP handshake, group membership) in time.
        public static let notReady = Code(name: "notReady")
        /// The in-process server could not start.
        public static let serverFailed = Code(name: "serverFailed")
        /// Too few file descriptors for the clients, and the limit cannot be raised.
        public static let tooFewDescriptors = Code(name: "tooFewDescriptors")
        public var description: String { name }
    }

    public let code: Code
    private let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public static func == (lhs: BenchError, rhs: BenchError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
