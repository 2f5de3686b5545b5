/// Compares what each replayed client received with what the recording says it received.
///
/// Messages are compared per receiver and per sender, in order (the reliable channel keeps each sender's order; the
/// interleaving of different senders legitimately varies). Times, channels and the server's peer ids (mapped back to
/// the recorded ones) are not compared.
enum ReplayVerification {
    struct Difference: Hashable, Sendable {
        enum Kind: String, Sendable {
            /// Recorded as received, not received in the replay.
            case missing
            /// Received in the replay, not in the recording.
            case unexpected
            /// The same messages from one sender, in another order.
            case order
        }

        var kind: Kind
        /// The recorded peer id of the receiving player.
        var receiver: Int32
        var message: ReplayPlan.Message
    }

    static func differences(
        expected: [Int32: [ReplayPlan.Message]],
        received: [Int32: [ReplayPlan.Message]]
    ) -> [Difference] {
        var differences: [Difference] = []
        for receiver in Set(expected.keys).sorted() {
            let wanted = Dictionary(grouping: expected[receiver] ?? [], by: \.sender)
            let got = Dictionary(grouping: received[receiver] ?? [], by: \.sender)
            for sender in Set(wanted.keys).union(got.keys).sorted() {
                let recorded = wanted[sender] ?? []
                let replayed = got[sender] ?? []
                guard recorded != replayed else { continue }
                var remaining = replayed
                var missing: [ReplayPlan.Message] = []
                for message in recorded {
                    if let index = remaining.firstIndex(of: message) {
                        remaining.remove(at: index)
                    } else {
                        missing.append(message)
                    }
                }
                differences += missing.map { Difference(kind: .missing, receiver: receiver, message: $0) }
                differences += remaining.map { Difference(kind: .unexpected, receiver: receiver, message: $0) }
                if missing.isEmpty, remaining.isEmpty,
                    let first = zip(recorded, replayed).first(where: { $0.0 != $0.1 })
                {
                    differences.append(Difference(kind: .order, receiver: receiver, message: first.1))
                }
            }
        }
        return differences
    }
}
