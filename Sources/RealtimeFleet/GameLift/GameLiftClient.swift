import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOWebSocket

/// The process's WebSocket to the GameLift service: connects (and reconnects with backoff after any close but a
/// normal one), matches responses to requests by `RequestId`, hands pushes on in order, and follows
/// RefreshConnection to a new endpoint and token.
final class GameLiftClient: Sendable {
    private struct State {
        var endpoint: String
        var authToken: String
        var connection: WebSocketTextConnection?
        var pending: [String: CheckedContinuation<GameLiftResponse, any Error>] = [:]
        /// Requests waiting for a connection.
        var waiters: [UUID: CheckedContinuation<WebSocketTextConnection, any Error>] = [:]
        /// Why the client stopped (closed, or the connection refused for good): every request from then on fails
        /// with it.
        var stopped: (any Error)?
        var stopping: Bool { stopped != nil }
    }

    private let configuration: GameLiftConfiguration
    private let logger: Logger
    private let state: NIOLockedValueBox<State>
    /// Pushes, in the order they arrived.
    let pushes: AsyncStream<GameLiftPush>
    private let pushContinuation: AsyncStream<GameLiftPush>.Continuation

    init(configuration: GameLiftConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.state = NIOLockedValueBox(State(endpoint: configuration.webSocketURL, authToken: configuration.authToken))
        (pushes, pushContinuation) = AsyncStream.makeStream(of: GameLiftPush.self)
    }

    /// Connects and reads until ``close()`` or a close frame with 1000 or 1001 from the service (which ends the
    /// process's registration: thrown as ``FleetError/Code/closed``). A 403 on the handshake is thrown at once
    /// (``FleetError/Code/forbidden``); any other failure is retried with backoff.
    func run() async throws {
        // Requests fail with what ended the connection (a 403 says why), not a bare "not connected": the agent
        // reports whichever of its parts fails first.
        var ending: any Error = FleetError(.closed, "not connected to GameLift")
        defer {
            pushContinuation.finish()
            _ = stop(ending)
        }
        do {
            try await connectAndRead()
        } catch let error as CancellationError {
            throw error
        } catch {
            ending = error
            throw error
        }
    }

    /// Stops the client for `reason` (the first reason given stays): requests waiting for a connection, and every
    /// request from now on, fail with it. Returns the open connection.
    private func stop(_ reason: any Error) -> WebSocketTextConnection? {
        let (connection, waiters, stopped) = state.withLockedValue { state in
            if state.stopped == nil { state.stopped = reason }
            defer { state.waiters = [:] }
            return (state.connection, state.waiters.values, state.stopped ?? reason)
        }
        for waiter in waiters { waiter.resume(throwing: stopped) }
        return connection
    }

    /// Connects, reads, and reconnects with backoff, until closed for good.
    private func connectAndRead() async throws {
        var backoff = ReconnectBackoff(initial: configuration.reconnectDelay, maximum: configuration.maxReconnectDelay)
        while !Task.isCancelled, !state.withLockedValue({ $0.stopping }) {
            let (endpoint, token) = state.withLockedValue { ($0.endpoint, $0.authToken) }
            let connection: WebSocketTextConnection
            do {
                connection = try await WebSocketTextConnection.connect(
                    to: try configuration.connectionURL(endpoint: endpoint, authToken: token),
                    timeout: configuration.requestTimeout
                )
            } catch let error as FleetError where error.code == .forbidden || error.code == .misconfigured {
                throw error
            } catch {
                let delay = backoff.nextDelay()
                logger.warning("cannot reach GameLift; retrying in \(delay)", metadata: ["error": "\(error)"])
                try await Task.sleep(for: delay)
                continue
            }
            backoff.reset()
            let ready = state.withLockedValue { state in
                state.connection = connection
                defer { state.waiters = [:] }
                return state.waiters.values
            }
            for waiter in ready { waiter.resume(returning: connection) }
            logger.info("connected to GameLift", metadata: ["endpoint": "\(endpoint)"])
            let code = await read(connection)
            let (stopping, pending) = state.withLockedValue { state in
                state.connection = nil
                defer { state.pending = [:] }
                return (state.stopping, state.pending.values)
            }
            for request in pending {
                request.resume(throwing: FleetError(.closed, "the GameLift connection closed before the response"))
            }
            if stopping { return }
            if state.withLockedValue({ $0.endpoint != endpoint || $0.authToken != token }) {
                continue  // RefreshConnection: the new endpoint at once
            }
            if code == 1000 || code == 1001 {
                throw FleetError(
                    .closed,
                    "GameLift closed the connection (\(code ?? 0)): the process is no longer registered"
                )
            }
            let delay = backoff.nextDelay()
            logger.warning(
                "the GameLift connection dropped (\(code.map { "close \($0)" } ?? "no close frame")); reconnecting in \(delay)"
            )
            try await Task.sleep(for: delay)
        }
    }

    /// Reads one connection's messages; the close code it ended with.
    private func read(_ connection: WebSocketTextConnection) async -> UInt16? {
        for await event in connection.events {
            switch event {
            case .closed(let code):
                return code
            case .text(let text):
                do {
                    switch try GameLiftInbound(text: text) {
                    case .response(let response):
                        let waiting = state.withLockedValue { $0.pending.removeValue(forKey: response.requestId) }
                        if let waiting {
                            waiting.resume(returning: response)
                        } else {
                            logger.debug(
                                "a GameLift response nobody waits for",
                                metadata: ["action": "\(response.action)"]
                            )
                        }
                    case .push(.refreshConnection(let endpoint, let token)):
                        logger.info("GameLift asks to reconnect", metadata: ["endpoint": "\(endpoint)"])
                        state.withLockedValue {
                            $0.endpoint = endpoint
                            $0.authToken = token
                        }
                        await connection.close(code: .normalClosure)
                    case .push(let push):
                        pushContinuation.yield(push)
                    }
                } catch {
                    logger.warning("ignored a GameLift message: \(error)")
                }
            }
        }
        return nil
    }

    /// Sends a request and waits for its response (at most `timeout`, connecting included). Throws
    /// ``FleetError/Code/refused`` with the service's message when the status is not 200.
    @discardableResult
    func request<Fields: Encodable & Sendable>(
        _ action: String,
        _ fields: Fields,
        timeout: Duration? = nil
    ) async throws -> GameLiftResponse {
        let requestId = UUID().uuidString.lowercased()
        let text = try GameLiftRequest(action: action, requestId: requestId, fields: fields).jsonText
        let response = try await withTimeout(timeout ?? configuration.requestTimeout, "GameLift \(action)") {
            let connection = try await self.connection()
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    // Cancelled before this point, `onCancel` found nothing to resume: check under the same lock.
                    let cancelled = self.state.withLockedValue { state in
                        if Task.isCancelled { return true }
                        state.pending[requestId] = continuation
                        return false
                    }
                    guard !cancelled else { return continuation.resume(throwing: CancellationError()) }
                    Task {
                        do {
                            try await connection.send(text)
                        } catch {
                            let waiting = self.state.withLockedValue { $0.pending.removeValue(forKey: requestId) }
                            waiting?.resume(throwing: FleetError(.closed, "cannot send \(action): \(error)"))
                        }
                    }
                }
            } onCancel: {
                let waiting = self.state.withLockedValue { $0.pending.removeValue(forKey: requestId) }
                waiting?.resume(throwing: CancellationError())
            }
        }
        guard response.succeeded else {
            let message = response.errorMessage.isEmpty ? "status \(response.statusCode)" : response.errorMessage
            throw FleetError(.refused, message)
        }
        return response
    }

    /// The open connection, or the next one.
    private func connection() async throws -> WebSocketTextConnection {
        let id = UUID()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let ready = state.withLockedValue { state -> Result<WebSocketTextConnection, any Error>? in
                    if let connection = state.connection { return .success(connection) }
                    if let stopped = state.stopped { return .failure(stopped) }
                    // Cancelled before this point, `onCancel` found nothing to resume.
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.waiters[id] = continuation
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            let waiting = state.withLockedValue { $0.waiters.removeValue(forKey: id) }
            waiting?.resume(throwing: CancellationError())
        }
    }

    /// Closes the connection with 1000 and stops reconnecting.
    func close() async {
        await stop(FleetError(.closed, "the GameLift connection is closed"))?.close(code: .normalClosure)
    }
}
