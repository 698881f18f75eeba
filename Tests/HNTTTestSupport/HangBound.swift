import Foundation

/// The wall-clock bound of a test that proves a deadline ends a wait ("not a hang"), not how exact
/// the deadline is. Swift Testing runs about 200 tests at once on the cooperative pool's two
/// threads here; a probe measured that pool late by up to 3.8 s in a full run, so a resumed read
/// can wait seconds for its turn. Tight bounds measured the test runner, and failed now and then.
public let hangBound: TimeInterval = 30
