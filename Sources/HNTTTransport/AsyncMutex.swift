/// Turn-taking for async code: one holder at a time, others wait their turn in order.
///
/// An actor alone does not serialise a conversation: while one exchange awaits a reply, the actor
/// is free to start another, which would write in the middle. Links shared by several devices
/// (a camera chain on one serial port) take a turn for each whole exchange.
public final class AsyncMutex: Sendable {
    private struct State {
        var locked = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Locked(State())

    public init() {}

    /// Waits for the turn.
    public func lock() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let acquired = state.withLock { s -> Bool in
                if s.locked {
                    s.waiters.append(continuation)
                    return false
                }
                s.locked = true
                return true
            }
            if acquired { continuation.resume() }
        }
    }

    /// Hands the turn to the next waiter, if any.
    public func unlock() {
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if s.waiters.isEmpty {
                s.locked = false
                return nil
            }
            return s.waiters.removeFirst()
        }
        next?.resume()
    }

    /// Runs `body` in its turn, in the caller's isolation.
    public func withLock<T>(isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> T) async rethrows
        -> T
    {
        await lock()
        defer { unlock() }
        return try await body()
    }
}
