import Foundation

/// Runs a call that blocks (DNS, a person typing an answer) on a short-lived thread of its own,
/// so it never holds one of the cooperative pool's threads (two on our machines). With a
/// deadline, the caller gets `timedOut()` when it passes; the thread is left to finish on its own
/// (a blocked getaddrinfo cannot be cancelled) and its late result is dropped.
public func onOwnThread<T: Sendable>(
    by deadline: Deadline? = nil,
    timedOut: @escaping @Sendable () -> any Error = { TransportError(.timedOut, "timed out") },
    _ work: @escaping @Sendable () throws -> T
) async throws -> T {
    let once = ResumeOnce<T>()
    return try await withCheckedThrowingContinuation { continuation in
        once.arm(continuation)
        Thread { once.resume(with: Result { try work() }) }.start()
        if let deadline {
            // A dispatch timer, not a Task: a busy cooperative pool must not stretch the deadline.
            DispatchQueue.global().asyncAfter(deadline: .now() + max(0, deadline.remainingSeconds)) {
                once.resume(with: .failure(timedOut()))
            }
        }
    }
}

/// A continuation that the first of several racers resumes; the others are ignored.
private final class ResumeOnce<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?

    func arm(_ continuation: CheckedContinuation<T, any Error>) {
        lock.withLock { self.continuation = continuation }
    }

    func resume(with result: Result<T, any Error>) {
        let waiting: CheckedContinuation<T, any Error>? = lock.withLock {
            defer { continuation = nil }
            return continuation
        }
        waiting?.resume(with: result)
    }
}
