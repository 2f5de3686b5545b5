import NIOCore

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
