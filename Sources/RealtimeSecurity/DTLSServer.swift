import NIOCore

/// The server's side of the fast port in secure mode: one ``DTLSSession`` per source address, created only for a
/// ClientHello that carries a valid cookie (so a spoofed source costs no state), with a cap on the associations not yet
/// bound to a player and a deadline for them (docs/SECURE.md).
///
/// Owned by one event loop; `Address` is the caller's key for a source address.
public final class DTLSServer<Address: Hashable> {
    public struct Limits: Sendable {
        /// Associations handshaking or waiting for their player's `verifyIdentity`, all sources together.
        public var maxPending: Int
        /// How long an association may stay unbound (the handshake and `verifyIdentity` together).
        public var pendingTimeout: TimeAmount

        public init(maxPending: Int = 1024, pendingTimeout: TimeAmount = .seconds(10)) {
            self.maxPending = maxPending
            self.pendingTimeout = pendingTimeout
        }
    }

    /// What one datagram (or one tick) produced for one source.
    public struct Output {
        /// The one datagram to send back, if any (a HelloVerifyRequest, a handshake flight, an alert).
        public var datagram: ByteBuffer?
        /// Application records from the peer.
        public var plaintexts: [ByteBuffer] = []
        /// The association with this source ended (closed by the peer, failed, or timed out before it was bound).
        public var ended = false
        /// The datagram was dropped without effect: the pending cap is reached, or no association took it.
        public var dropped = false
    }

    private struct Entry {
        var session: DTLSSession
        /// Until then the association must be bound; nil once it is.
        var deadline: NIODeadline?
    }

    private let context: DTLSContext
    private let limits: Limits
    private let allocator: ByteBufferAllocator
    private var listener: DTLSSession
    private var entries: [Address: Entry] = [:]
    /// Entries with a deadline.
    public private(set) var pendingCount = 0

    public init(context: DTLSContext, limits: Limits = Limits(), allocator: ByteBufferAllocator = .init()) throws {
        precondition(context.isServer, "a DTLS server needs a server context")
        self.context = context
        self.limits = limits
        self.allocator = allocator
        self.listener = try DTLSSession(context: context, allocator: allocator)
    }

    /// Associations, bound or not.
    public var count: Int { entries.count }

    /// True when `address` has an established association.
    public func isEstablished(_ address: Address) -> Bool {
        entries[address]?.session.isEstablished ?? false
    }

    /// One datagram from `address`; `peer` is the address as bytes (what its cookie is made of).
    /// `peer` (the cookie's input) and `now` are evaluated only for a source with no association.
    public func receive(
        _ datagram: ByteBuffer,
        from address: Address,
        peer: @autoclosure () -> [UInt8],
        now: @autoclosure () -> NIODeadline
    ) -> Output {
        if let entry = entries[address] {
            let step = entry.session.receive(datagram)
            return finish(step, address: address)
        }
        guard pendingCount < limits.maxPending else {
            var output = Output()
            output.dropped = true
            return output
        }
        let (accepted, reply) = listener.listen(datagram, peer: peer())
        guard accepted else {
            var output = Output()
            output.datagram = reply
            output.dropped = reply == nil
            return output
        }
        let session = listener
        do {
            listener = try DTLSSession(context: context, allocator: allocator)
        } catch {
            // Out of memory: keep the old listener for the next ClientHello; this one is lost (the client retries).
            var output = Output()
            output.dropped = true
            return output
        }
        entries[address] = Entry(session: session, deadline: now() + limits.pendingTimeout)
        pendingCount += 1
        return finish(session.advance(), address: address)
    }

    /// Encrypts one record for `address`; nil without an established association.
    public func seal(_ plaintext: ByteBuffer, to address: Address) -> ByteBuffer? {
        entries[address]?.session.seal(plaintext)
    }

    /// The association now carries a player's fast channel: it no longer times out.
    public func bind(_ address: Address) {
        guard entries[address]?.deadline != nil else { return }
        entries[address]!.deadline = nil
        pendingCount -= 1
    }

    /// Ends the association with `address` (its player left); returns the close_notify datagram to send.
    public func release(_ address: Address) -> ByteBuffer? {
        guard let entry = entries[address] else { return nil }
        remove(address)
        return entry.session.close().datagram
    }

    /// Retransmits handshake flights whose timer ran out and ends unbound associations past their deadline.
    public func tick(now: NIODeadline) -> [(Address, Output)] {
        var outputs: [(Address, Output)] = []
        for (address, entry) in entries {
            guard let deadline = entry.deadline else { continue }
            if deadline <= now {
                remove(address)
                var output = Output()
                output.ended = true
                outputs.append((address, output))
            } else if !entry.session.isEstablished, let delay = entry.session.retransmitDelay, delay <= .zero {
                outputs.append((address, finish(entry.session.retransmit(), address: address)))
            }
        }
        return outputs
    }

    private func finish(_ step: DTLSSession.Output, address: Address) -> Output {
        var output = Output()
        output.datagram = step.datagram
        output.plaintexts = step.plaintexts
        if step.closed {
            remove(address)
            output.ended = true
        }
        return output
    }

    private func remove(_ address: Address) {
        guard let entry = entries.removeValue(forKey: address) else { return }
        if entry.deadline != nil { pendingCount -= 1 }
    }
}
