/// A failure of the server script or of the process that runs it. Equal on its code only.
public struct ScriptError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// `node` was not found or cannot run.
        public static let nodeMissing = Code("nodeMissing")
        /// `node` is older than the oldest supported version.
        public static let nodeTooOld = Code("nodeTooOld")
        /// The script failed to load or start (syntax error, missing `init`, missing module, `onProcessStarted`
        /// returned false).
        public static let startFailed = Code("startFailed")
        /// A callback did not return within the hook timeout.
        public static let hookTimedOut = Code("hookTimedOut")
        /// The script host died or broke the channel.
        public static let hostFailed = Code("hostFailed")

        public var description: String { name }
    }

    public let code: Code
    private let detail: String

    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { detail }

    public static func == (lhs: ScriptError, rhs: ScriptError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
