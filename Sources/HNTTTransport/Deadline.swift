#if canImport(Glibc)
    import Glibc
#endif

/// A point on the monotonic clock by which an operation must finish.
///
/// Every read and write in hntt takes one, so that a dead, slow or lying device costs at most its
/// timeout. Monotonic, so that a wall-clock jump (NTP) can neither fire nor stretch a timeout.
public struct Deadline: Sendable, Comparable, Hashable, CustomStringConvertible {
    /// Nanoseconds on `CLOCK_MONOTONIC`.
    public let uptimeNanoseconds: UInt64

    public init(uptimeNanoseconds: UInt64) { self.uptimeNanoseconds = uptimeNanoseconds }

    /// The current instant.
    public static var now: Deadline { Deadline(uptimeNanoseconds: monotonicNanoseconds()) }

    /// A deadline `seconds` from now.
    public static func after(seconds: Double) -> Deadline {
        let delta = seconds <= 0 ? 0 : UInt64(min(seconds, 1e9) * 1_000_000_000)
        return Deadline(uptimeNanoseconds: monotonicNanoseconds() &+ delta)
    }

    /// Seconds left; zero or negative once passed.
    public var remainingSeconds: Double {
        Double(Int64(bitPattern: uptimeNanoseconds &- Deadline.monotonicNanoseconds())) / 1e9
    }

    public var hasPassed: Bool { Deadline.monotonicNanoseconds() >= uptimeNanoseconds }

    /// The earlier of two deadlines.
    public func capped(at other: Deadline) -> Deadline { Swift.min(self, other) }

    public static func < (a: Deadline, b: Deadline) -> Bool { a.uptimeNanoseconds < b.uptimeNanoseconds }

    public var description: String { String(format2(remainingSeconds)) + " s left" }

    static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}

/// Two decimals without Foundation's formatters.
func format2(_ value: Double) -> String {
    let scaled = Int((value * 100).rounded())
    let sign = scaled < 0 ? "-" : ""
    let magnitude = abs(scaled)
    let fraction = magnitude % 100
    return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
}
