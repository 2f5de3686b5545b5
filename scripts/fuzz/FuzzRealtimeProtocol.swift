// libFuzzer entry point for the RealtimeProtocol decoders. Compiled together with Sources/RealtimeProtocol by
// build.sh (see README.md); not part of the package build.
//
// The first input byte picks the target, the rest is the input. A finding is any crash: a trap in the decoders, or
// a failed `check` below (a decoded value that does not survive an encode and a decode).

import NIOCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRealtimeProtocol(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let data, count > 0 else { return 0 }
    let input = ByteBuffer(bytes: UnsafeBufferPointer(start: data + 1, count: count - 1))
    switch data[0] % 4 {
    case 0: fuzzPacketBody(input)
    case 1: fuzzStream(input)
    case 2: fuzzDatagram(input, sequenceNumber: Int32(truncatingIfNeeded: Int(data[0]) &* 0x0101_0101))
    default: fuzzRTData(input)
    }
    return 0
}

private func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}

private func fuzzPacketBody(_ input: ByteBuffer) {
    guard let packet = try? Packet(decoding: input) else { return }
    var encoded = ByteBuffer()
    packet.encode(into: &encoded)
    check(encoded.readableBytes == packet.encodedSize, "encodedSize disagrees with encode")
    guard let again = try? Packet(decoding: encoded) else { fatalError("re-encoded packet does not decode") }
    check(again == packet, "packet changed through encode and decode")
}

private func fuzzStream(_ input: ByteBuffer) {
    var stream = input
    var decoder = PacketDecoder(maxLength: 4096)
    while true {
        let before = stream.readerIndex
        let packet: Packet?
        do {
            packet = try decoder.decode(buffer: &stream)
        } catch {
            check(stream.readerIndex == before, "a failed read moved the reader index")
            return
        }
        guard let packet else {
            check(stream.readerIndex == before, "an incomplete read moved the reader index")
            return
        }
        var framed = ByteBuffer()
        framed.writePacket(packet)
        check((try? framed.readOnlyPacket(maxLength: 4096)) == packet, "framed packet does not read back")
    }
}

private func fuzzDatagram(_ input: ByteBuffer, sequenceNumber: Int32) {
    var datagram = input
    guard var packet = try? datagram.readOnlyPacket(maxLength: 4096) else { return }
    check(datagram.readableBytes == 0, "readOnlyPacket left bytes")
    let encoded = EncodedPacket(packet)
    var stamped = ByteBuffer()
    encoded.write(sequenceNumber: sequenceNumber, into: &stamped)
    packet.sequenceNumber = sequenceNumber
    var expected = ByteBuffer()
    expected.writePacket(packet)
    check(stamped == expected, "EncodedPacket differs from writePacket")
}

private func fuzzRTData(_ input: ByteBuffer) {
    var buffer = input
    guard let data = try? buffer.readRTData() else { return }
    var encoded = ByteBuffer()
    guard (try? encoded.writeRTData(data)) != nil else { fatalError("decoded RTData cannot be written") }
    check((try? encoded.readRTData()) == data, "RTData changed through encode and decode")
}
