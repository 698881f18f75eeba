import CHNTTSystem
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Waits for file descriptors to become ready, on one dedicated thread, so that no blocking call
/// ever runs on Swift's cooperative thread pool.
///
/// Every transport keeps its descriptors non-blocking. When a read or write would block, the task
/// suspends here until epoll reports readiness or its deadline passes. One thread serves every
/// connection, so hundreds of devices cost hundreds of descriptors, not hundreds of threads.
public final class IOReactor: Sendable {
    /// The directions a caller waits for.
    public struct Interest: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let readable = Interest(rawValue: EPOLLIN.rawValue)
        public static let writable = Interest(rawValue: EPOLLOUT.rawValue)
    }

    /// The process-wide reactor.
    public static let shared = IOReactor()

    private struct Waiter {
        let fd: Int32
        let deadline: Deadline
        let continuation: CheckedContinuation<Void, any Error>
        let what: String
    }

    /// A wait from its allocation to its end: a cancel can arrive before the continuation is
    /// registered (it then fails at registration) or after the wait ended (it is ignored).
    private enum Slot {
        case pending
        case cancelled
        case waiting(Waiter)
    }

    private struct State {
        var slots: [UInt64: Slot] = [:]
        var waiterByFD: [Int32: UInt64] = [:]
        var nextID: UInt64 = 1

        var deadlines: [Deadline] {
            slots.values.compactMap { if case .waiting(let waiter) = $0 { waiter.deadline } else { nil } }
        }
    }

    private let epollFD: Int32
    private let wakeFD: Int32
    private let state = Locked(State())

    private init() {
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        precondition(epollFD >= 0 && wakeFD >= 0, "epoll/eventfd unavailable: \(errnoText())")
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        hntt_epoll_set_fd(&event, wakeFD)
        _ = epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &event)
        let thread = Thread { [unowned self] in self.run() }
        thread.name = "hntt-io-reactor"
        thread.stackSize = 256 * 1024
        thread.start()
    }

    /// Suspends until `fd` is ready for `interest`, or throws `TransportError.timedOut` at
    /// `deadline`, or `CancellationError` if the task is cancelled.
    ///
    /// Only one waiter per descriptor at a time: each connection is used by one task at a time.
    public func wait(fd: Int32, for interest: Interest, deadline: Deadline, what: String) async throws {
        if deadline.hasPassed { throw TransportError(.timedOut, "no answer while \(what)") }
        let id = state.withLock { s -> UInt64 in
            defer { s.nextID += 1 }
            s.slots[s.nextID] = .pending
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                register(id: id, fd: fd, interest: interest, deadline: deadline, what: what, continuation: continuation)
            }
        } onCancel: {
            finish(id: id, with: .failure(CancellationError()))
        }
    }

    private func register(
        id: UInt64, fd: Int32, interest: Interest, deadline: Deadline, what: String,
        continuation: CheckedContinuation<Void, any Error>
    ) {
        let failure: (any Error)? = state.withLock { s -> (any Error)? in
            if case .cancelled = s.slots[id] {
                s.slots[id] = nil
                return CancellationError()
            }
            if s.waiterByFD[fd] != nil {
                s.slots[id] = nil
                return TransportError(.system, "internal: two waiters on one descriptor while \(what)")
            }
            var event = epoll_event()
            event.events = interest.rawValue | EPOLLONESHOT.rawValue | EPOLLRDHUP.rawValue
            hntt_epoll_set_fd(&event, fd)
            var rc = epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event)
            if rc != 0 && errno == EEXIST { rc = epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &event) }
            if rc != 0 {
                s.slots[id] = nil
                return TransportError(.system, "cannot watch descriptor: \(errnoText())")
            }
            s.slots[id] = .waiting(Waiter(fd: fd, deadline: deadline, continuation: continuation, what: what))
            s.waiterByFD[fd] = id
            return nil
        }
        if let failure {
            continuation.resume(throwing: failure)
        } else {
            wake()
        }
    }

    /// Ends any wait on `fd` with `.closed`: call it before closing a descriptor that another task
    /// may be waiting on (an actor's close can run while its read is suspended). Otherwise the wait
    /// would outlive the descriptor (epoll forgets a closed one) and block the next descriptor that
    /// gets the same number.
    public func forget(fd: Int32) {
        guard let id = state.withLock({ $0.waiterByFD[fd] }) else { return }
        finish(id: id, with: .failure(TransportError(.closed, "the connection was closed while waiting")))
    }

    /// Removes a waiter and resumes it; a cancel that arrives before registration is remembered
    /// in its slot, one that arrives after the end is ignored.
    private func finish(id: UInt64, with result: Result<Void, any Error>) {
        let waiter = state.withLock { s -> Waiter? in
            switch s.slots[id] {
            case .pending?:
                if case .failure(let error) = result, error is CancellationError { s.slots[id] = .cancelled }
                return nil
            case .cancelled?, nil:
                return nil
            case .waiting(let waiter)?:
                s.slots[id] = nil
                s.waiterByFD[waiter.fd] = nil
                _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, waiter.fd, nil)
                return waiter
            }
        }
        waiter?.continuation.resume(with: result)
    }

    private func wake() {
        var one: UInt64 = 1
        _ = Glibc.write(wakeFD, &one, 8)
    }

    private func run() {
        var events = [epoll_event](repeating: epoll_event(), count: 128)
        while true {
            let timeoutMS = state.withLock { s -> Int32 in
                guard let nearest = s.deadlines.min() else { return -1 }
                let remaining = nearest.remainingSeconds
                if remaining <= 0 { return 0 }
                return Int32(min(ceil(remaining * 1000), 60_000))
            }
            let count = events.withUnsafeMutableBufferPointer {
                epoll_wait(epollFD, $0.baseAddress, Int32($0.count), timeoutMS)
            }
            if count < 0 && errno != EINTR { fatalError("epoll_wait failed: \(errnoText())") }
            for index in 0..<max(0, Int(count)) {
                let fd = hntt_epoll_fd(&events[index])
                if fd == wakeFD {
                    var value: UInt64 = 0
                    _ = Glibc.read(wakeFD, &value, 8)
                    continue
                }
                if let id = state.withLock({ $0.waiterByFD[fd] }) {
                    finish(id: id, with: .success(()))
                }
            }
            let expired = state.withLock { s in
                s.slots.compactMap { id, slot -> (UInt64, String)? in
                    if case .waiting(let waiter) = slot, waiter.deadline.hasPassed { return (id, waiter.what) }
                    return nil
                }
            }
            for (id, what) in expired {
                finish(id: id, with: .failure(TransportError(.timedOut, "no answer while \(what)")))
            }
        }
    }
}
