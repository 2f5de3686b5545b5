/// `--slo 'p99<=5ms,loss<=0.1%'`: conditions a step must all meet, written like `--fail-if` conditions (same metrics,
/// units and comparisons) but stating what must hold rather than what fails.
public struct ServiceLevel: Sendable, Hashable, CustomStringConvertible {
    public let conditions: [FailCondition]

    /// The SLO `--find-max` uses when none is given.
    public static let defaultText = "p99<=5ms,loss<=0.1%"

    /// Parses comma-separated conditions; throws a ``FailConditionError`` naming the one that is wrong.
    public init(parsing text: String) throws {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map {
            String($0.filter { !$0.isWhitespace })
        }
        guard !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty }) else {
            throw FailConditionError("\"\(text)\": expected conditions separated by commas, as in p99<=5ms,loss<=0.1%")
        }
        conditions = try parts.map(FailCondition.init(parsing:))
    }

    /// Every condition holds for the step.
    public func isMet(by result: BenchResult) -> Bool {
        conditions.allSatisfy { $0.holds(for: result) }
    }

    /// The conditions that do not hold.
    public func missed(by result: BenchResult) -> [FailCondition] {
        conditions.filter { !$0.holds(for: result) }
    }

    public var description: String { conditions.map(\.description).joined(separator: ",") }
}
