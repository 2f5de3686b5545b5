import Testing

/// Every suite of this target, one test at a time: each runs real servers, Node.js scripts, child processes or a
/// browser, and together in parallel they would crowd out the timing-sensitive tests of the other targets on a
/// 2-core machine.
@Suite(.serialized) enum FleetSuites {}
