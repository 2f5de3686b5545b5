import NIOCore
import NIOHTTP1
import NIOPosix

/// Serves every connection `listener` accepts, each in its own task, until the listener closes; cancelling the
/// caller closes the listener.
///
/// The accept loop itself is never cancelled: it ends when the listener's stream ends, so every connection already
/// accepted reaches `serve` (which must consume it with `executeThenClose`). A cancelled `for await` would drop the
/// connections still buffered, and NIO traps when an accepted `NIOAsyncChannel` is dropped unconsumed. Once the loop
/// has ended, the connections' tasks are cancelled.
package func acceptUntilClosed<Connection: Sendable>(
    _ listener: NIOAsyncChannel<Connection, Never>,
    serve: @escaping @Sendable (Connection) async -> Void
) async {
    let accepting = Task {
        await withDiscardingTaskGroup { connections in
            try? await listener.executeThenClose { inbound in
                for try await connection in inbound {
                    connections.addTask { await serve(connection) }
                }
            }
            connections.cancelAll()
        }
    }
    await withTaskCancellationHandler {
        await accepting.value
    } onCancel: {
        listener.channel.close(promise: nil)
    }
}

/// A served HTTP/1.1 connection.
package typealias HTTPConnection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

/// Binds an HTTP/1.1 listener for ``acceptUntilClosed(_:serve:)`` and ``serveHTTP(_:_:)``.
///
/// Accepted connections are handed over as plain channels with the HTTP handlers in place and reads off, and become
/// an ``HTTPConnection`` only in the task that serves them. A `NIOAsyncChannel` made as a connection is accepted makes
/// NIO trap when it is dropped unconsumed, and the listener's stream drops the connections accepted while it closes;
/// a plain channel dropped there is only left open until the process ends.
package func bindHTTPListener(host: String, port: Int) async throws -> NIOAsyncChannel<any Channel, Never> {
    try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelOption(.autoRead, value: false)
        .bind(host: host, port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                return channel
            }
        }
}

/// Wraps a connection from ``bindHTTPListener(host:port:)`` and reads from it while `body` serves it.
package func serveHTTP(
    _ channel: any Channel,
    _ body: (HTTPConnection) async throws -> Void
) async throws {
    let connection = try await channel.eventLoop.submit {
        try HTTPConnection(wrappingChannelSynchronously: channel)
    }.get()
    channel.setOption(.autoRead, value: true).whenFailure { _ in }
    try await body(connection)
}
