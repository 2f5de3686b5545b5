import NIOCore
import RealtimeProtocol
import Testing

/// A small, fast, seedable generator (SplitMix64), so a failing input can be reproduced from its seed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Seeded random inputs: the decoders throw a `ProtocolError` or return a value that re-encodes and decodes to an
/// equal value. A crash or a hang fails the run.
@Suite("Fuzzing with seeded random inputs")
struct FuzzTests {
    static let seeds: [UInt64] = [1, 2, 3, 0xDEAD_BEEF]
    static let iterations = 2500

    /// Valid encodings to mutate: every packet vector and every RTData vector.
    static let packetCorpus: [[UInt8]] = Fixtures.packets.map { Array($0.bytes.readableBytesView) }
    static let rtDataCorpus: [[UInt8]] = Fixtures.rtData.map { Array($0.bytes.readableBytesView) }

    static func randomBytes(_ generator: inout SplitMix64) -> [UInt8] {
        let count = Int.random(in: 0...64, using: &generator)
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// One to four mutations: bit flips, byte changes, truncations, insertions, deletions, duplicated ranges.
    static func mutate(_ input: [UInt8], _ generator: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &generator) {
            let position = Int.random(in: 0...bytes.count, using: &generator)
            switch Int.random(in: 0..<6, using: &generator) {
            case 0 where position < bytes.count:
                bytes[position] ^= 1 << UInt8.random(in: 0..<8, using: &generator)
            case 1 where position < bytes.count:
                bytes[position] = [0x00, 0x7F, 0x80, 0xFF, 0x0E, 0x0B].randomElement(using: &generator)!
            case 2:
                bytes.removeSubrange(position...)
            case 3:
                let count = Int.random(in: 1...12, using: &generator)
                bytes.insert(
                    contentsOf: (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) },
                    at: position
                )
            case 4 where position < bytes.count:
                bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...8, using: &generator)))
            default:
                let end = min(bytes.count, position + Int.random(in: 1...16, using: &generator))
                bytes.insert(contentsOf: bytes[position..<end], at: end)
            }
        }
        return bytes
    }

    static func inputs(seed: UInt64, corpus: [[UInt8]]) -> [[UInt8]] {
        var generator = SplitMix64(seed: seed)
        return (0..<Self.iterations).map { index in
            index % 4 == 0
                ? Self.randomBytes(&generator)
                : Self.mutate(corpus.randomElement(using: &generator)!, &generator)
        }
    }

    /// Decodes `bytes` as a packet; on success the packet must survive an encode and a decode unchanged.
    static func checkPacket(_ bytes: [UInt8]) {
        do {
            let packet = try Packet(decoding: ByteBuffer(bytes: bytes))
            var encoded = ByteBuffer()
            packet.encode(into: &encoded)
            #expect(encoded.readableBytes == packet.encodedSize)
            let again = try Packet(decoding: encoded)
            #expect(again == packet, "input \(ByteBuffer(bytes: bytes).hex)")
            var reencoded = ByteBuffer()
            again.encode(into: &reencoded)
            #expect(reencoded == encoded, "encoding is canonical: input \(ByteBuffer(bytes: bytes).hex)")
        } catch is ProtocolError {
            // Rejected: fine.
        } catch {
            Issue.record("unexpected error \(error) for \(ByteBuffer(bytes: bytes).hex)")
        }
    }

    @Test("packets", arguments: seeds)
    func packets(seed: UInt64) {
        for input in Self.inputs(seed: seed, corpus: Self.packetCorpus) {
            Self.checkPacket(input)
        }
    }

    @Test("framed packets in a stream and in a datagram", arguments: seeds)
    func framedPackets(seed: UInt64) {
        var framedCorpus: [[UInt8]] = []
        for body in Self.packetCorpus.prefix(60) {
            var framed = ByteBuffer()
            framed.writeVarint(UInt64(body.count))
            framed.writeBytes(body)
            framedCorpus.append(Array(framed.readableBytesView))
        }
        for input in Self.inputs(seed: seed, corpus: framedCorpus) {
            var stream = ByteBuffer(bytes: input)
            do {
                while let packet = try stream.readPacket(maxLength: 4096) {
                    var encoded = ByteBuffer()
                    encoded.writePacket(packet)
                    #expect(try encoded.readOnlyPacket(maxLength: 4096) == packet)
                }
            } catch is ProtocolError {
                // Rejected: fine.
            } catch {
                Issue.record("unexpected error \(error)")
            }
            var datagram = ByteBuffer(bytes: input)
            do {
                _ = try datagram.readOnlyPacket(maxLength: 4096)
                #expect(datagram.readableBytes == 0)
            } catch is ProtocolError {
                // Rejected: fine.
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }

    @Test("RTData", arguments: seeds)
    func rtData(seed: UInt64) {
        for input in Self.inputs(seed: seed, corpus: Self.rtDataCorpus) {
            do {
                var buffer = ByteBuffer(bytes: input)
                let data = try buffer.readRTData()
                var encoded = ByteBuffer()
                try encoded.writeRTData(data)
                var copy = encoded
                #expect(try copy.readRTData() == data, "input \(ByteBuffer(bytes: input).hex)")
            } catch let error as ProtocolError {
                #expect(error.code == .invalidRTData)
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }

    @Test func mutationsActuallyExerciseBothOutcomes() {
        var accepted = 0
        var rejected = 0
        for input in Self.inputs(seed: 1, corpus: Self.packetCorpus) {
            if (try? Packet(decoding: ByteBuffer(bytes: input))) != nil { accepted += 1 } else { rejected += 1 }
        }
        #expect(accepted > Self.iterations / 10)
        #expect(rejected > Self.iterations / 10)
    }
}
