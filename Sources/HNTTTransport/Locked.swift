import Foundation

/// A value behind a pthread mutex (NSLock). Used instead of the standard library's `Mutex`, whose
/// Linux futex is invisible to ThreadSanitizer (every access inside it was reported as a race), so
/// that `scripts/test --sanitize thread` reports only real races.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
