internal import COpenSSL
import NIOCore

/// One DTLS 1.2 association (an OpenSSL `SSL` between two memory BIOs), driven by whoever owns the datagram socket:
/// it hands every datagram from the peer to ``receive(_:)`` and sends what comes back.
///
/// Each call returns at most one datagram to send: everything DTLS wrote meanwhile (a whole handshake flight, or an
/// alert), concatenated. The official SDK's receive path holds one datagram at a time, so a flight must not be split.
/// Not thread-safe: one event loop owns it.
public final class DTLSSession {
    /// What one step of the association produced.
    public struct Output {
        /// The one datagram to send to the peer, if any.
        public var datagram: ByteBuffer?
        /// Application data that arrived, one buffer per DTLS record.
        public var plaintexts: [ByteBuffer] = []
        /// The handshake completed during this step.
        public var established = false
        /// The association is over: the peer closed it, or the handshake failed (``failure`` says why).
        public var closed = false
    }

    let context: DTLSContext
    private let ssl: OpaquePointer
    private let readBIO: OpaquePointer
    private let writeBIO: OpaquePointer
    private let allocator: ByteBufferAllocator
    /// The peer's address as bytes (server side: what its cookies are made of).
    var peer: [UInt8]
    public private(set) var isEstablished = false
    public private(set) var isClosed = false
    /// Why the association closed, when it failed.
    public private(set) var failure: SecurityError?

    /// A server-side association (or the listener that waits for a valid cookie) or a client one. A client checks the
    /// server's certificate for `expectedHost` (a DNS name or an IP address) when its context verifies.
    init(context: DTLSContext, peer: [UInt8] = [], expectedHost: String? = nil, allocator: ByteBufferAllocator) throws {
        ERR_clear_error()
        guard let ssl = SSL_new(context.pointer) else {
            throw SecurityError.openSSL(.openSSL, "cannot create a DTLS association")
        }
        guard let readBIO = rtctl_BIO_new_datagram_buffer() else {
            SSL_free(ssl)
            throw SecurityError.openSSL(.openSSL, "out of memory")
        }
        guard let writeBIO = rtctl_BIO_new_datagram_buffer() else {
            BIO_free(readBIO)
            SSL_free(ssl)
            throw SecurityError.openSSL(.openSSL, "out of memory")
        }
        SSL_set_bio(ssl, readBIO, writeBIO)
        SSL_set_options(ssl, rtctl_dtls_options())
        rtctl_DTLS_set_link_mtu(ssl, DTLSContext.mtu)
        self.context = context
        self.ssl = ssl
        self.readBIO = readBIO
        self.writeBIO = writeBIO
        self.peer = peer
        self.allocator = allocator
        SSL_set_ex_data(ssl, 0, Unmanaged.passUnretained(self).toOpaque())
        if context.isServer {
            SSL_set_accept_state(ssl)
        } else {
            SSL_set_connect_state(ssl)
            if let expectedHost, context.verifiesPeer {
                let parameters = SSL_get0_param(ssl)
                let set =
                    SubjectAlternativeName.isIPAddress(expectedHost)
                    ? X509_VERIFY_PARAM_set1_ip_asc(parameters, expectedHost)
                    : X509_VERIFY_PARAM_set1_host(parameters, expectedHost, 0)
                guard set == 1 else {
                    // Every property is set: `deinit` runs and frees `ssl` (with its BIOs).
                    throw SecurityError.openSSL(.invalidHost, "cannot check the DTLS server's name \(expectedHost)")
                }
            }
            if let expectedHost, !SubjectAlternativeName.isIPAddress(expectedHost) {
                rtctl_SSL_set_tlsext_host_name(ssl, expectedHost)
            }
        }
    }

    /// A client association for a server reached as `expectedHost`.
    public convenience init(client context: DTLSContext, expectedHost: String, allocator: ByteBufferAllocator) throws {
        precondition(!context.isServer, "a client association needs a client context")
        try self.init(context: context, expectedHost: expectedHost, allocator: allocator)
    }

    deinit {
        SSL_free(ssl)
    }

    /// The association that owns an `SSL` (for OpenSSL's callbacks).
    static func owner(of ssl: OpaquePointer?) -> DTLSSession? {
        guard let ssl, let pointer = SSL_get_ex_data(ssl, 0) else { return nil }
        return Unmanaged<DTLSSession>.fromOpaque(pointer).takeUnretainedValue()
    }

    // MARK: - Driving

    /// Server listener: a datagram from a source with no association. Answers a ClientHello without a valid cookie
    /// with a HelloVerifyRequest (no state is kept); true when the ClientHello carried a valid cookie, and this
    /// association now belongs to that source (call ``advance()`` for the server's flight).
    func listen(_ datagram: ByteBuffer, peer: [UInt8]) -> (accepted: Bool, reply: ByteBuffer?) {
        self.peer = peer
        _ = rtctl_BIO_reset(readBIO)
        datagram.withUnsafeReadableBytes { bytes in
            _ = BIO_write(readBIO, bytes.baseAddress, Int32(bytes.count))
        }
        guard let address = BIO_ADDR_new() else { return (false, nil) }
        defer { BIO_ADDR_free(address) }
        ERR_clear_error()
        let result = DTLSv1_listen(ssl, address)
        ERR_clear_error()
        _ = rtctl_BIO_reset(readBIO)
        let reply = pendingDatagram()
        return (result == 1, reply)
    }

    /// Client: the first flight (the ClientHello).
    public func start() -> Output {
        advance()
    }

    /// One datagram from the peer. Records that do not authenticate, stale or repeated records, a ClientHello repeated
    /// after the handshake, and bytes that are no DTLS at all are dropped by DTLS without harm.
    public func receive(_ datagram: ByteBuffer) -> Output {
        guard !isClosed else { return Output() }
        datagram.withUnsafeReadableBytes { bytes in
            _ = BIO_write(readBIO, bytes.baseAddress, Int32(bytes.count))
        }
        let output = advance()
        // Whatever DTLS did not consume (a malformed record it gave up on) must not be read as the next datagram.
        _ = rtctl_BIO_reset(readBIO)
        return output
    }

    /// Encrypts one application record; nil before the handshake completed or after the close.
    public func seal(_ plaintext: ByteBuffer) -> ByteBuffer? {
        guard isEstablished, !isClosed else { return nil }
        let written = plaintext.withUnsafeReadableBytes { bytes in
            SSL_write(ssl, bytes.baseAddress, Int32(bytes.count))
        }
        guard written > 0 else {
            _ = rtctl_BIO_reset(writeBIO)
            ERR_clear_error()
            return nil
        }
        return pendingDatagram()
    }

    /// How long until the handshake's retransmission timer fires; nil when none runs.
    public var retransmitDelay: TimeAmount? {
        let milliseconds = rtctl_DTLSv1_get_timeout_ms(ssl)
        return milliseconds < 0 ? nil : .milliseconds(Int64(milliseconds))
    }

    /// The retransmission timer fired: the last flight again, as one datagram.
    public func retransmit() -> Output {
        guard !isClosed else { return Output() }
        if rtctl_DTLSv1_handle_timeout(ssl) < 0 {
            return fail(SecurityError.openSSL(.handshakeFailed, "the DTLS handshake gave up retransmitting"))
        }
        var output = Output()
        output.datagram = pendingDatagram()
        return output
    }

    /// Sends close_notify (returned as the datagram) and ends the association.
    public func close() -> Output {
        guard !isClosed else { return Output() }
        isClosed = true
        if isEstablished { SSL_shutdown(ssl) }
        var output = Output()
        output.datagram = pendingDatagram()
        output.closed = true
        return output
    }

    /// Runs the handshake as far as the input allows, then reads every application record.
    func advance() -> Output {
        var output = Output()
        ERR_clear_error()
        if !isEstablished {
            let result = SSL_do_handshake(ssl)
            if result == 1 {
                isEstablished = true
                output.established = true
            } else if !isRetry(result) {
                let verify = SSL_get_verify_result(ssl)
                let reason =
                    verify != X509_V_OK
                    ? "certificate check failed: \(String(cString: X509_verify_cert_error_string(verify)))"
                    : "the DTLS handshake failed"
                var failed = fail(SecurityError.openSSL(.handshakeFailed, reason))
                failed.datagram = pendingDatagram()
                return failed
            }
        }
        if isEstablished {
            while true {
                var record = allocator.buffer(capacity: 2048)
                var result: Int32 = 0
                record.writeWithUnsafeMutableBytes(minimumWritableBytes: 2048) { bytes in
                    result = SSL_read(ssl, bytes.baseAddress, Int32(bytes.count))
                    return Int(max(0, result))
                }
                if result > 0 {
                    output.plaintexts.append(record)
                    // The usual datagram holds one record: stop without another read when nothing is left.
                    if BIO_ctrl_pending(readBIO) == 0, SSL_has_pending(ssl) == 0 { break }
                    continue
                }
                let error = SSL_get_error(ssl, result)
                if error == SSL_ERROR_ZERO_RETURN {
                    isClosed = true
                    output.closed = true
                } else if error != SSL_ERROR_WANT_READ, error != SSL_ERROR_WANT_WRITE {
                    // A record that failed to decrypt or a fatal alert from the peer: DTLS drops bad records itself,
                    // so reaching this means the association is unusable.
                    output = mergeFailure(
                        output,
                        SecurityError.openSSL(.handshakeFailed, "the DTLS association failed")
                    )
                }
                break
            }
        }
        ERR_clear_error()
        output.datagram = pendingDatagram()
        return output
    }

    private func isRetry(_ result: Int32) -> Bool {
        let error = SSL_get_error(ssl, result)
        return error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE
    }

    private func fail(_ error: SecurityError) -> Output {
        isClosed = true
        failure = error
        var output = Output()
        output.closed = true
        return output
    }

    private func mergeFailure(_ output: Output, _ error: SecurityError) -> Output {
        var merged = fail(error)
        merged.plaintexts = output.plaintexts
        merged.established = output.established
        return merged
    }

    /// Everything DTLS wrote since the last call, as one datagram.
    func pendingDatagram() -> ByteBuffer? {
        let pending = Int(BIO_ctrl_pending(writeBIO))
        guard pending > 0 else { return nil }
        var datagram = allocator.buffer(capacity: pending)
        datagram.writeWithUnsafeMutableBytes(minimumWritableBytes: pending) { bytes in
            Int(max(0, BIO_read(writeBIO, bytes.baseAddress, Int32(pending))))
        }
        return datagram
    }
}
