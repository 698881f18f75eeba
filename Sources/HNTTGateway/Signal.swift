import Foundation

/// Wakes one waiting loop (the scheduler, the alert delivery) early; a notification that comes
/// while nobody waits is kept for the next wait.
public actor Signal {
    private var pending = false
    private var waiter: (id: Int, continuation: CheckedContinuation<Void, Never>)?
    private var nextID = 0

    public init() {}

    public func notify() {
        if let waiter {
            self.waiter = nil
            waiter.continuation.resume()
        } else {
            pending = true
        }
    }

    /// True when a notification waits to be taken.
    public var isPending: Bool { pending }

    /// Returns on a notification or after `duration`, whichever comes first.
    public func wait(for duration: Duration) async {
        let clock = ContinuousClock()
        await wait(until: clock.now.advanced(by: duration), on: clock)
    }

    /// Returns on a notification or at `deadline` on `clock`, whichever comes first.
    public func wait<C: Clock>(until deadline: C.Instant, on clock: C) async {
        if pending {
            pending = false
            return
        }
        nextID += 1
        let id = nextID
        let timer = Task { [clock] in
            try? await clock.sleep(until: deadline, tolerance: nil)
            self.timeOut(id)
        }
        await withCheckedContinuation { continuation in waiter = (id, continuation) }
        timer.cancel()
    }

    private func timeOut(_ id: Int) {
        guard let waiter, waiter.id == id else { return }
        self.waiter = nil
        waiter.continuation.resume()
    }
}
