import NIOCore
import RealtimeSecurity
import Testing

/// A DTLS server and a client exchanging datagrams in memory, exactly as the sockets would carry them.
struct DTLSPair {
    let server: DTLSServer<Int>
    let client: DTLSSession
    /// Datagrams the server sent, in order.
    var serverDatagrams: [ByteBuffer] = []
    /// The first datagram the client sent (its first ClientHello).
    var firstClientHello: ByteBuffer?
    var serverPlaintexts: [ByteBuffer] = []
    var clientPlaintexts: [ByteBuffer] = []
    var now = NIODeadline.now()
    static let address = 1
    static let peer: [UInt8] = [127, 0, 0, 1, 0x30, 0x39]

    init(host: String = "127.0.0.1", issued: CertificateIssuer.Issued, limits: DTLSServer<Int>.Limits = .init()) throws
    {
        let identity = try ServerIdentity(certificatesPEM: issued.serverChainPEM, privateKeyPEM: issued.serverKeyPEM)
        server = try DTLSServer(context: DTLSContext.server(identity: identity), limits: limits)
        client = try DTLSSession(
            client: DTLSContext.client(trustedPEM: identity.caCertificatePEM),
            expectedHost: host,
            allocator: ByteBufferAllocator()
        )
    }

    /// Runs the handshake; returns the number of datagrams each side sent.
    mutating func handshake() -> (client: Int, server: Int) {
        var toServer = client.start().datagram
        firstClientHello = toServer
        var sent = (client: toServer == nil ? 0 : 1, server: 0)
        for _ in 0..<10 {
            guard let datagram = toServer else { break }
            let output = server.receive(datagram, from: Self.address, peer: Self.peer, now: now)
            serverPlaintexts += output.plaintexts
            toServer = nil
            guard let reply = output.datagram else { break }
            serverDatagrams.append(reply)
            sent.server += 1
            let step = client.receive(reply)
            clientPlaintexts += step.plaintexts
            toServer = step.datagram
            if toServer != nil { sent.client += 1 }
        }
        return sent
    }

    /// A record from the client to the server; the server's plaintexts.
    mutating func clientSends(_ text: String) -> [String] {
        guard let sealed = client.seal(ByteBuffer(string: text)) else { return [] }
        return serverReceives(sealed)
    }

    mutating func serverReceives(_ datagram: ByteBuffer) -> [String] {
        let output = server.receive(datagram, from: Self.address, peer: Self.peer, now: now)
        if let reply = output.datagram { serverDatagrams.append(reply) }
        return output.plaintexts.map { String(buffer: $0) }
    }
}

@Suite("DTLS over memory BIOs")
struct DTLSTests {
    static let issued = Result { try CertificateIssuer.issue(hosts: ["127.0.0.1", "localhost"]) }

    @Test("cookie exchange, then each handshake flight in one datagram, then records both ways")
    func handshake() throws {
        var pair = try DTLSPair(issued: Self.issued.get())
        let sent = pair.handshake()
        #expect(pair.client.isEstablished)
        #expect(pair.server.isEstablished(DTLSPair.address))
        // ClientHello, ClientHello with the cookie, the client's key exchange flight; HelloVerifyRequest, the
        // server's hello flight, its ChangeCipherSpec + Finished flight.
        #expect(sent.client == 3)
        #expect(sent.server == 3)
        #expect(pair.clientSends("hello server") == ["hello server"])
        let sealed = try #require(pair.server.seal(ByteBuffer(string: "hello client"), to: DTLSPair.address))
        #expect(pair.client.receive(sealed).plaintexts.map { String(buffer: $0) } == ["hello client"])
    }

    @Test("two records in one datagram are both read")
    func twoRecordsInOneDatagram() throws {
        var pair = try DTLSPair(issued: Self.issued.get())
        _ = pair.handshake()
        var datagram = try #require(pair.client.seal(ByteBuffer(string: "one")))
        var second = try #require(pair.client.seal(ByteBuffer(string: "two")))
        datagram.writeBuffer(&second)
        #expect(pair.serverReceives(datagram) == ["one", "two"])
    }

    @Test("a ClientHello without a cookie creates no association")
    func helloWithoutCookieKeepsNoState() throws {
        let pair = try DTLSPair(issued: Self.issued.get())
        let hello = try #require(pair.client.start().datagram)
        for source in 0..<100 {
            let output = pair.server.receive(hello, from: source, peer: [UInt8(source)], now: .now())
            #expect(output.datagram != nil)  // a HelloVerifyRequest
        }
        #expect(pair.server.count == 0)
    }

    @Test("a ClientHello repeated after the handshake is ignored and the association goes on")
    func strayClientHello() throws {
        var pair = try DTLSPair(issued: Self.issued.get())
        _ = pair.handshake()
        let sentBefore = pair.serverDatagrams.count
        let hello = try #require(pair.firstClientHello)
        #expect(pair.serverReceives(hello).isEmpty)
        #expect(pair.serverDatagrams.count == sentBefore)
        #expect(pair.server.isEstablished(DTLSPair.address))
        #expect(pair.clientSends("still here") == ["still here"])
    }

    @Test("garbage, truncated and tampered records are dropped without harm")
    func garbage() throws {
        var pair = try DTLSPair(issued: Self.issued.get())
        _ = pair.handshake()
        var random = ByteBuffer()
        for _ in 0..<300 { random.writeInteger(UInt8.random(in: 0...255)) }
        let sealed = try #require(pair.client.seal(ByteBuffer(string: "genuine")))
        var tampered = sealed
        tampered.setInteger(
            tampered.getInteger(at: tampered.writerIndex - 1, as: UInt8.self)! ^ 0xFF,
            at: tampered.writerIndex - 1
        )
        let truncated = sealed.getSlice(at: sealed.readerIndex, length: 20)!
        var applicationHeaderOnly = ByteBuffer(bytes: [23, 0xFE, 0xFD, 0, 1, 0, 0, 0, 0, 0, 9, 0x40, 0])
        applicationHeaderOnly.writeRepeatingByte(0, count: 64)
        for datagram in [random, tampered, truncated, applicationHeaderOnly, ByteBuffer()] {
            #expect(pair.serverReceives(datagram).isEmpty)
        }
        #expect(pair.server.isEstablished(DTLSPair.address))
        #expect(pair.serverReceives(sealed) == ["genuine"])
        #expect(pair.clientSends("after the garbage") == ["after the garbage"])
    }

    @Test("a server whose certificate does not name the host fails the client's handshake")
    func wrongHostName() throws {
        var pair = try DTLSPair(host: "wrong.example", issued: Self.issued.get())
        _ = pair.handshake()
        #expect(!pair.client.isEstablished)
        #expect(pair.client.failure?.code == .handshakeFailed)
        #expect("\(pair.client.failure!)".contains("certificate"))
    }

    @Test("a client trusting another CA fails the handshake")
    func untrustedServer() throws {
        let issued = try Self.issued.get()
        let identity = try ServerIdentity(certificatesPEM: issued.serverChainPEM, privateKeyPEM: issued.serverKeyPEM)
        let other = try CertificateIssuer.issue(hosts: ["127.0.0.1"])
        let server = try DTLSServer<Int>(context: DTLSContext.server(identity: identity))
        let client = try DTLSSession(
            client: DTLSContext.client(trustedPEM: other.caCertificatePEM),
            expectedHost: "127.0.0.1",
            allocator: ByteBufferAllocator()
        )
        var next = client.start().datagram
        while let datagram = next, !client.isClosed {
            guard let reply = server.receive(datagram, from: 1, peer: [1], now: .now()).datagram else { break }
            next = client.receive(reply).datagram
        }
        #expect(!client.isEstablished)
        #expect(client.failure?.code == .handshakeFailed)
    }

    @Test("past the cap on pending associations new handshakes are dropped; unbound ones time out")
    func pendingLimits() throws {
        let limits = DTLSServer<Int>.Limits(maxPending: 1, pendingTimeout: .seconds(5))
        var first = try DTLSPair(issued: Self.issued.get(), limits: limits)
        _ = first.handshake()
        #expect(first.server.pendingCount == 1)
        // A second client (another source) is not even answered while the first is pending.
        let second = try DTLSSession(
            client: DTLSContext.client(trustedPEM: nil),
            expectedHost: "127.0.0.1",
            allocator: ByteBufferAllocator()
        )
        let hello = try #require(second.start().datagram)
        let refused = first.server.receive(hello, from: 2, peer: [2], now: first.now)
        #expect(refused.dropped)
        #expect(refused.datagram == nil)
        // Past its deadline the unbound association ends.
        let ended = first.server.tick(now: first.now + .seconds(6))
        #expect(ended.map(\.0) == [DTLSPair.address])
        #expect(ended.first?.1.ended == true)
        #expect(first.server.count == 0)
        #expect(first.server.pendingCount == 0)
    }

    @Test("a bound association does not time out, and release sends close_notify")
    func boundAssociation() throws {
        var pair = try DTLSPair(issued: Self.issued.get(), limits: .init(maxPending: 4, pendingTimeout: .seconds(1)))
        _ = pair.handshake()
        pair.server.bind(DTLSPair.address)
        #expect(pair.server.pendingCount == 0)
        #expect(pair.server.tick(now: pair.now + .seconds(60)).isEmpty)
        #expect(pair.clientSends("bound") == ["bound"])
        let closeNotify = try #require(pair.server.release(DTLSPair.address))
        #expect(pair.client.receive(closeNotify).closed)
        #expect(pair.server.count == 0)
    }
}
