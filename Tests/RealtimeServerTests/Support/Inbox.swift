import Foundation

/// Waiting longer than a deadline, or for an inbox that is finished.
struct TestTimeout: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

struct InboxFinished: Error, CustomStringConvertible {
    var what: String
    var description: String { "\(what) ended" }
}

/// The generous deadline of every wait in these tests: long enough for a loaded machine, never a measured quantity.
let testDeadline: Duration = .seconds(20)

/// A queue filled by a channel handler and read by one test, with a deadline on every wait.
final class Inbox<Element: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer: [Element] = []
    private var finished = false
    private var waiter: (id: UInt64, continuation: CheckedContinuation<Void, Never>)?
    private var nextWaiterId: UInt64 = 0
    private let name: String

    init(_ name: String) {
        self.name = name
    }

    func push(_ element: Element) {
        lock.lock()
        buffer.append(element)
        let waiter = self.waiter
        self.waiter = nil
        lock.unlock()
        waiter?.continuation.resume()
    }

    func finish() {
        lock.lock()
        finished = true
        let waiter = self.waiter
        self.waiter = nil
        lock.unlock()
        waiter?.continuation.resume()
    }

    /// Everything received so far, without waiting.
    func drain() -> [Element] {
        lock.lock()
        defer { lock.unlock() }
        let elements = buffer
        buffer.removeAll()
        return elements
    }

    var isEmpty: Bool {
        lock.lock()
        defer { lock.unlock() }
        return buffer.isEmpty
    }

    /// The next element; throws ``TestTimeout`` after `deadline`, ``InboxFinished`` when no more can come.
    func next(within deadline: Duration = testDeadline) async throws -> Element {
        let end = ContinuousClock.now + deadline
        while true {
            switch take() {
            case .some(.some(let element)): return element
            case .some(.none): throw InboxFinished(what: name)
            case .none: break
            }
            guard ContinuousClock.now < end else { throw TestTimeout(what: name) }
            await wait(until: end)
        }
    }

    /// The first element (`.some`), `.none` when finished and empty, nil when empty for now.
    private func take() -> Element?? {
        lock.lock()
        defer { lock.unlock() }
        if !buffer.isEmpty { return .some(buffer.removeFirst()) }
        return finished ? .some(nil) : nil
    }

    private func wait(until end: ContinuousClock.Instant) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if !buffer.isEmpty || finished {
                lock.unlock()
                continuation.resume()
                return
            }
            nextWaiterId += 1
            let id = nextWaiterId
            waiter = (id, continuation)
            lock.unlock()
            Task { [weak self] in
                try? await Task.sleep(until: end, clock: .continuous)
                self?.wake(id)
            }
        }
    }

    private func wake(_ id: UInt64) {
        lock.lock()
        guard let waiter, waiter.id == id else {
            lock.unlock()
            return
        }
        self.waiter = nil
        lock.unlock()
        waiter.continuation.resume()
    }
}
