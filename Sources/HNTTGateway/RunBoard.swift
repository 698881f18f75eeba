import Foundation
import HNTTCore
import HNTTProcedures

/// Procedure runs started by the service (and later the scheduler): each runs in the background,
/// its steps kept and handed to every watcher as they happen.
public actor RunBoard {
    public enum Status: String, Sendable { case running, succeeded, failed, refused }

    /// A run as a watcher sees it.
    public struct Run: Sendable {
        public let id: String
        public let procedure: String
        public let room: String
        public let startedBy: String
        public let startedAt: Date
        public var status: Status = .running
        /// The lines a technician reads, as the CLI prints them.
        public var lines: [String] = []
        public var steps: [RunResult.StepOutcome] = []
        public var logbookEntry: Int64?
        public var error: HNTTError?
    }

    /// What a watcher receives.
    public enum Event: Sendable {
        case line(String)
        case step(RunResult.StepOutcome)
        case finished(Run)
    }

    private let gateway: Gateway
    private var runs: [String: Run] = [:]
    /// Each run's lines and steps in the order they happened, for a watcher who comes late.
    private var history: [String: [Event]] = [:]
    private var order: [String] = []
    private var watchers: [String: [UUID: AsyncStream<Event>.Continuation]] = [:]
    private var tasks: [String: Task<Void, Never>] = [:]
    /// Runs kept for watchers after they end.
    private let keep = 200

    /// Called when a run ends (the service refreshes the room's devices' status).
    private let ended: @Sendable (Run) async -> Void

    public init(gateway: Gateway, ended: @escaping @Sendable (Run) async -> Void = { _ in }) {
        self.gateway = gateway
        self.ended = ended
    }

    /// Checks the request as the run would (the room's order, Điều 5.3, 5.4), then starts it; a refusal is
    /// thrown here, before anything runs.
    public func start(_ request: RunRequest, by caller: Caller) async throws -> String {
        try await gateway.checkRun(request, by: caller)
        let id = UUID().uuidString.lowercased()
        runs[id] = Run(
            id: id, procedure: request.procedure, room: request.room, startedBy: caller.operatorName ?? "",
            startedAt: Date())
        order.append(id)
        trim()
        let gateway = self.gateway
        let (feed, sink) = AsyncStream<Event>.makeStream()
        tasks[id] = Task {
            let running = Task { () -> (Status, Int64?, HNTTError?) in
                defer { sink.finish() }
                do {
                    let outcome = try await gateway.run(
                        request, by: caller, confirm: { _ in true }, say: { sink.yield(.line($0)) },
                        step: { sink.yield(.step($0)) })
                    return (outcome.result.succeeded ? .succeeded : .failed, outcome.logbookEntry, nil)
                } catch let error as HNTTError {
                    return (error.exitCode == 3 ? .refused : .failed, nil, error)
                } catch {
                    return (.failed, nil, HNTTError(.deviceError, "\(error)"))
                }
            }
            // In order, on the board: every line and step lands before the outcome.
            for await event in feed { self.add(event, to: id) }
            let (status, entry, error) = await running.value
            if let run = self.finish(id, status: status, entry: entry, error: error) { await self.ended(run) }
        }
        return id
    }

    public func run(_ id: String) -> Run? { runs[id] }

    /// Waits for a run to end; returns it as it ended.
    public func wait(_ id: String) async -> Run? {
        if let task = tasks[id] { await task.value }
        return runs[id]
    }

    /// True while a run is in progress on `room`.
    public func isBusy(_ room: String) -> Bool {
        runs.values.contains { $0.room == room && $0.status == .running }
    }

    public func recent(room: String? = nil) -> [Run] {
        order.reversed().compactMap { runs[$0] }.filter { room == nil || $0.room == room }
    }

    /// Everything that happened so far, then what happens next, ending with the outcome.
    public func events(_ id: String) -> AsyncStream<Event>? {
        guard let run = runs[id] else { return nil }
        let (stream, continuation) = AsyncStream<Event>.makeStream()
        for event in history[id] ?? [] { continuation.yield(event) }
        if run.status != .running {
            continuation.yield(.finished(run))
            continuation.finish()
            return stream
        }
        let key = UUID()
        watchers[id, default: [:]][key] = continuation
        continuation.onTermination = { _ in Task { await self.unwatch(id, key) } }
        return stream
    }

    /// Waits for every run in progress (the service stopping lets them finish and be recorded).
    public func finishAll() async {
        for task in tasks.values { await task.value }
    }

    private func add(_ event: Event, to id: String) {
        guard var run = runs[id] else { return }
        switch event {
        case .line(let line): run.lines.append(line)
        case .step(let step): run.steps.append(step)
        case .finished: break
        }
        runs[id] = run
        history[id, default: []].append(event)
        for watcher in (watchers[id] ?? [:]).values { watcher.yield(event) }
    }

    private func finish(_ id: String, status: Status, entry: Int64?, error: HNTTError?) -> Run? {
        guard var run = runs[id] else { return nil }
        run.status = status
        run.logbookEntry = entry
        run.error = error
        runs[id] = run
        tasks[id] = nil
        for watcher in (watchers[id] ?? [:]).values {
            watcher.yield(.finished(run))
            watcher.finish()
        }
        watchers[id] = nil
        return run
    }

    private func unwatch(_ id: String, _ key: UUID) { watchers[id]?[key] = nil }

    private func trim() {
        while order.count > keep, let oldest = order.first, runs[oldest]?.status != .running {
            order.removeFirst()
            runs[oldest] = nil
            history[oldest] = nil
        }
    }
}
