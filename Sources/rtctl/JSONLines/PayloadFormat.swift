import ArgumentParser

/// How a message payload is printed (`--payload-format`).
enum PayloadFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// `payload` as text when the bytes are valid UTF-8, `payloadBase64` otherwise (the default).
    case auto
    /// `payload` as UTF-8 text (falls back to `payloadBase64` for bytes that are not UTF-8).
    case text
    /// `payloadBase64` always.
    case base64
    /// `payloadHex` always.
    case hex
    /// `data` with the payload decoded as GameSparks RTData (falls back to `payloadBase64`).
    case rtdata
    /// `payloadJSON` with the payload parsed as a JSON value (falls back to `payload`/`payloadBase64`).
    case json

    static var allValueStrings: [String] { allCases.map(\.rawValue) }

    static let help: ArgumentHelp = """
        How payloads are printed: auto (UTF-8 text as "payload", else "payloadBase64"), text, base64 \
        ("payloadBase64"), hex ("payloadHex"), rtdata ("data": GameSparks RTData as JSON), json ("payloadJSON": \
        the payload parsed as JSON). A payload the chosen form cannot show is printed as in auto.
        """
}
