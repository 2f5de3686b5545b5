/// GameSparks structured data: up to 127 numbered slots, each empty or holding one typed value.
///
/// RTData travels inside a packet's `payload`, encoded as GameSparks encoded it (SCRIPTS.md, "RTData on the GameLift
/// wire"); see `ByteBuffer.writeRTData(_:maxDepth:)` and `ByteBuffer.readRTData(maxDepth:)`.
public struct RTData: Hashable, Sendable {
    /// The slot indexes a value may occupy.
    public static let slots: ClosedRange<Int> = 1...127
    /// The number of components a vector may have.
    public static let vectorComponents: ClosedRange<Int> = 1...4
    /// How deep RTData may nest (the outermost RTData is depth 1) unless a caller says otherwise.
    public static let defaultMaxDepth = 32

    /// A slot's value.
    public enum Value: Hashable, Sendable {
        /// A GameSparks number: `sint64` on the wire.
        case number(Int64)
        case float(Float)
        case double(Double)
        case string(String)
        /// Up to four floats (x, y, z, w), at least one.
        case vector([Float])
        case data(RTData)

        /// Floats and doubles compare by bit pattern, so that a NaN equals itself and 0 differs from -0, as on the
        /// wire.
        public static func == (lhs: Value, rhs: Value) -> Bool {
            switch (lhs, rhs) {
            case (.number(let l), .number(let r)): return l == r
            case (.float(let l), .float(let r)): return l.bitPattern == r.bitPattern
            case (.double(let l), .double(let r)): return l.bitPattern == r.bitPattern
            case (.string(let l), .string(let r)): return l == r
            case (.vector(let l), .vector(let r)): return l.map(\.bitPattern) == r.map(\.bitPattern)
            case (.data(let l), .data(let r)): return l == r
            default: return false
            }
        }

        public func hash(into hasher: inout Hasher) {
            switch self {
            case .number(let value):
                hasher.combine(0 as UInt8)
                hasher.combine(value)
            case .float(let value):
                hasher.combine(1 as UInt8)
                hasher.combine(value.bitPattern)
            case .double(let value):
                hasher.combine(2 as UInt8)
                hasher.combine(value.bitPattern)
            case .string(let value):
                hasher.combine(3 as UInt8)
                hasher.combine(value)
            case .vector(let value):
                hasher.combine(4 as UInt8)
                hasher.combine(value.map(\.bitPattern))
            case .data(let value):
                hasher.combine(5 as UInt8)
                hasher.combine(value)
            }
        }
    }

    /// The occupied slots in increasing slot order.
    var entries: [Entry]

    struct Entry: Hashable, Sendable {
        var slot: Int
        var value: Value
    }

    /// An RTData with every slot empty.
    public init() {
        self.entries = []
    }

    /// The value in slot `slot` (1–127), nil for an empty slot. Setting nil empties the slot.
    public subscript(slot: Int) -> Value? {
        get {
            let index = self.index(of: slot)
            guard index < self.entries.count, self.entries[index].slot == slot else { return nil }
            return self.entries[index].value
        }
        set {
            precondition(Self.slots.contains(slot), "RTData slot \(slot) is outside 1...127")
            let index = self.index(of: slot)
            let occupied = index < self.entries.count && self.entries[index].slot == slot
            switch (newValue, occupied) {
            case (let value?, true): self.entries[index].value = value
            case (let value?, false): self.entries.insert(Entry(slot: slot, value: value), at: index)
            case (nil, true): self.entries.remove(at: index)
            case (nil, false): break
            }
        }
    }

    /// The occupied slots and their values, in increasing slot order.
    public var values: [(slot: Int, value: Value)] {
        self.entries.map { ($0.slot, $0.value) }
    }

    /// The number of occupied slots.
    public var count: Int { self.entries.count }

    public var isEmpty: Bool { self.entries.isEmpty }

    /// The position of `slot` in `entries`, or where it would be inserted.
    private func index(of slot: Int) -> Int {
        var low = 0
        var high = self.entries.count
        while low < high {
            let middle = (low + high) / 2
            if self.entries[middle].slot < slot {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low
    }
}

extension RTData: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (Int, Value)...) {
        self.init()
        for (slot, value) in elements {
            self[slot] = value
        }
    }
}
