import Logging
import RealtimeClient

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Performs the actions of standard input (JSON lines, CLI.md) on a client, for `connect` and `send`.
enum ActionRunner {
    /// Reads stdin to its end, performing each action in order; then waits until every reliable message was written
    /// to the socket and calls `finished`. A malformed line is logged with its number and skipped; with `strict` it
    /// stops the connection with exit status 65. When the connection closes first, the rest of the input is ignored.
    static func start(
        client: RealtimeClient,
        control: ConnectionControl,
        strict: Bool,
        logger: Logger,
        descriptor: Int32 = STDIN_FILENO,
        finished: @escaping @Sendable () -> Void
    ) -> Task<Void, Never> {
        Task {
            let input = ActionInput(strict: strict)
            do {
                try await input.forEachAction(
                    in: AsyncLineSequence(descriptor: descriptor),
                    reportMalformed: { logger.warning("skipped \($0)") }
                ) { action, line in
                    do {
                        try await client.perform(action)
                    } catch let error as RealtimeClientError where error.code == .payloadTooLarge {
                        if strict { throw RtctlError.dataError("line \(line): \(error)") }
                        logger.warning("skipped line \(line): \(error)")
                    }
                }
                try await client.flush()
                finished()
            } catch let error as RtctlError {
                control.stop(.failed(error))
            } catch let error as SystemCallError {
                control.stop(.failed(.runtime("cannot read standard input: \(error)")))
            } catch {
                // The connection closed under us: the events say why.
                logger.debug("input stopped", metadata: ["error": "\(error)"])
            }
        }
    }
}
