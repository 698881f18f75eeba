import Foundation
import HNTTCore
import HNTTGovernance

/// Prepares every booked session on time (Điều 5.1, 5.4): power-on, test call, diagnostics, the
/// official dial (`auto_dial`) and the shutdown (`auto_shutdown`) from each booking and the room's
/// `schedule:`, plus a drift check every `drift_every`. Every job ends in the job ledger and the
/// logbook; a job the service missed runs late while it still helps, or is logged as missed.
/// Jobs of one room run one after another, behind any run a technician started.
public actor Scheduler<C: Clock> where C.Duration == Duration {
    private let gateway: Gateway
    private let board: RunBoard
    private let clock: C
    /// At most this long between two passes (a booking made by another process is seen by then).
    private let longestSleep: Duration
    private let wake = Signal()
    private var loop: Task<Void, Never>?
    private var busyRooms: [String: Task<Void, Never>] = [:]
    private var startedAt: Date?
    /// How many passes have ended; tests wait on it.
    public private(set) var passes = 0
    /// When the next pass is due.
    public private(set) var nextWake: Date?
    /// True while the loop waits for its next pass.
    private var waiting = false

    public init(gateway: Gateway, board: RunBoard, clock: C, longestSleep: Duration = .seconds(60)) {
        self.gateway = gateway
        self.board = board
        self.clock = clock
        self.longestSleep = longestSleep
    }

    public func start() {
        guard loop == nil else { return }
        startedAt = gateway.now()
        loop = Task { [weak self] in
            while !Task.isCancelled {
                guard let self else { return }
                let deadline = await self.pass()
                await self.sleep(until: deadline)
            }
        }
    }

    /// Stops planning; jobs in progress finish.
    public func stop() async {
        loop?.cancel()
        loop = nil
        await wake.notify()
        await idle()
    }

    /// A booking was added or cancelled: plan again now.
    public func bookingsChanged() async { await wake.notify() }

    /// Waits until no job is running.
    public func idle() async {
        while let task = busyRooms.values.first { await task.value }
    }

    /// True when nothing runs and the loop sleeps until its next pass (tests step the clock then).
    public func isSettled() async -> Bool {
        let pending = await wake.isPending
        return waiting && busyRooms.isEmpty && !pending
    }

    private func sleep(until deadline: C.Instant) async {
        waiting = true
        await wake.wait(until: deadline, on: clock)
        waiting = false
    }

    /// One pass: starts every job that is due, in its room's turn; returns when the next is due.
    func pass() async -> C.Instant {
        // The deadline is reckoned from the instant this pass judged "now" by, not from when it ends.
        let start = clock.now
        let now = gateway.now()
        var next = now + Double(longestSleep.components.seconds)
        do {
            let planned = try await plannedJobs(around: now)
            let recorded = try await JobLedger(database: gateway.openDatabase()).recorded(planned.map(\.key))
            let open = planned.filter { !recorded.contains($0.key) }
            for (room, jobs) in Dictionary(grouping: open.filter { $0.due <= now }, by: \.room)
            where busyRooms[room] == nil {
                busyRooms[room] = Task { await self.runJobs(jobs, room: room) }
            }
            if let soonest = open.map(\.due).filter({ $0 > now }).min() { next = min(next, soonest) }
            if let drift = try await nextDrift() {
                if drift <= now, busyRooms["*drift"] == nil {
                    busyRooms["*drift"] = Task { await self.runDrift(due: drift) }
                } else if drift > now {
                    next = min(next, drift)
                }
            }
        } catch {
            gateway.warn("the scheduler could not plan: \((error as? HNTTError)?.message ?? "\(error)")")
        }
        nextWake = next
        let deadline = start.advanced(by: .milliseconds(Int64(max(0, next.timeIntervalSince(now)) * 1000)))
        passes += 1
        return deadline
    }

    private func plannedJobs(around now: Date) async throws -> [PlannedJob] {
        let inventory = try gateway.inventory()
        let rooms = Dictionary(inventory.rooms.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let bookings = try await BookingStore(database: gateway.openDatabase()).list(
            from: now - 3 * 3600, to: now + 2 * 86_400)
        return bookings.flatMap { booking -> [PlannedJob] in
            guard let room = rooms[booking.room] else { return [] }
            return SchedulePlan.jobs(for: booking, schedule: room.schedule)
        }
    }

    private func nextDrift() async throws -> Date? {
        let every = try gateway.inventory().schedule.driftEvery
        let last = try await JobLedger(database: gateway.openDatabase()).lastDrift()
        guard let base = last ?? startedAt else { return nil }
        return base + every
    }

    private func jobEnded(_ room: String) async {
        // Wake first: the room stays busy until the next pass is due, so nothing looks settled in between.
        await wake.notify()
        busyRooms[room] = nil
    }

    // MARK: - Jobs

    private func runJobs(_ jobs: [PlannedJob], room: String) async {
        for job in jobs.sorted(by: { ($0.due, $0.kind) < ($1.due, $1.kind) }) {
            // A technician's run takes precedence: the job waits for it, then sees what it left.
            while await board.isBusy(room) { try? await Task.sleep(for: .milliseconds(200)) }
            await perform(job)
        }
        await jobEnded(room)
    }

    private func perform(_ job: PlannedJob) async {
        let now = gateway.now()
        guard now <= job.usefulUntil else {
            await record(
                job, .missed, "due \(timestamp(job.due)), the service was not running until \(timestamp(now))", now)
            return
        }
        let late =
            now.timeIntervalSince(job.due) > 60 ? "late by \(Int(now.timeIntervalSince(job.due) / 60)) min; " : ""
        do {
            let state = try await RoomStates(database: gateway.openDatabase()).state(of: job.room)
            switch job.kind {
            case .powerOn:
                if state.phase != .off { return await record(job, .skipped, late + "room already \(state.phase)", now) }
                await runProcedure(job, "power-on", late: late, now: now)
            case .testCall:
                if state.phase == .inSession {
                    return await record(job, .skipped, late + "room already in session", now)
                }
                await runProcedure(job, "test-call", late: late, now: now)
            case .diagnostics:
                let result = try await gateway.diagnose(room: job.room)
                await record(job, result.passed ? .done : .failed, late + result.summary, now)
                await alertIf(!result.passed, job, "diagnostics-failed", "pre-conference check: \(result.summary)")
            case .dial:
                if state.phase == .inSession { return await record(job, .skipped, late + "already in session", now) }
                guard try gateway.inventory().room(job.room).schedule.autoDial else {
                    return await record(job, .ready, "ready to dial \(job.booking.chair)", now)
                }
                await runProcedure(job, "dial", late: late, now: now)
            case .shutdown:
                if state.phase == .off { return await record(job, .skipped, late + "room already off", now) }
                await runProcedure(job, "shutdown", late: late, now: now)
            }
        } catch {
            await record(job, .failed, late + ((error as? HNTTError)?.message ?? "\(error)"), now)
        }
    }

    /// Runs a procedure through the run board (the page shows it), as the operating unit.
    private func runProcedure(_ job: PlannedJob, _ procedure: String, late: String, now: Date) async {
        let booking = job.booking
        let inventory = try? gateway.inventory()
        let unit = inventory?.organizers[booking.organizer] ?? (try? inventory?.room(booking.room))?.unit
        let caller = Caller(operatorName: SchedulerIdentity.name, role: .technician, unit: unit)
        let request = RunRequest(
            procedure: procedure, room: booking.room, organizer: booking.organizer.isEmpty ? nil : booking.organizer,
            number: booking.chair)
        do {
            let id = try await board.start(request, by: caller)
            let run = await board.wait(id)
            let passed = run?.status == .succeeded
            let failedStep = run?.steps.first { !$0.ok }.map { "\($0.title): \($0.detail)" } ?? ""
            await record(
                job, passed ? .done : .failed, late + (passed ? "run \(id)" : "run \(id) failed \(failedStep)"), now,
                refersTo: run?.logbookEntry)
            if job.kind == .testCall {
                await alertIf(!passed, job, "test-call-failed", "test call to \(booking.chair) failed \(failedStep)")
            }
        } catch {
            let message = (error as? HNTTError)?.message ?? "\(error)"
            await record(job, .failed, late + message, now)
            if job.kind == .testCall { await alertIf(true, job, "test-call-failed", "test call refused: \(message)") }
        }
    }

    private func alertIf(_ failed: Bool, _ job: PlannedJob, _ kind: String, _ message: String) async {
        if failed {
            await gateway.alert(
                AlertDraft(kind: kind, message: message, room: job.room, booking: job.booking.id), at: gateway.now())
        } else {
            await gateway.recoverAlerts(
                subject: "booking:\(job.booking.id)", kinds: [kind], message: "\(job.kind.rawValue) passed",
                at: gateway.now())
        }
    }

    /// The job's line in the ledger and its entry in the logbook (linked to the session the run wrote).
    private func record(
        _ job: PlannedJob, _ state: JobRecord.State, _ detail: String, _ ranAt: Date, refersTo: Int64? = nil
    ) async {
        do {
            let database = try await gateway.openDatabase()
            let entry = try await Logbook(database: database).append(
                room: job.room,
                JobContent(
                    job: job.kind.rawValue, booking: String(job.booking.id), dueAt: timestamp(job.due),
                    ranAt: timestamp(ranAt), outcome: state.rawValue, detail: detail,
                    operatorName: SchedulerIdentity.name),
                refersTo: refersTo)
            try await JobLedger(database: database).record(
                JobRecord(
                    key: job.key, booking: job.booking.id, room: job.room, kind: job.kind.rawValue, dueAt: job.due,
                    ranAt: ranAt, state: state, detail: detail, logbookEntry: entry.id))
        } catch {
            gateway.warn("the scheduler could not record \(job.key): \(error)")
        }
    }

    private func runDrift(due: Date) async {
        let now = gateway.now()
        var detail = ""
        var state = JobRecord.State.done
        do {
            let reports = try await gateway.checkDrift(by: Caller(operatorName: SchedulerIdentity.name))
            for report in reports { await gateway.alertOnDrift(report, at: now) }
            let drifted = reports.filter { $0.status == .drift }.map(\.device)
            detail =
                drifted.isEmpty ? "\(reports.count) codecs as approved" : "drift on " + drifted.joined(separator: ", ")
        } catch {
            state = .failed
            detail = (error as? HNTTError)?.message ?? "\(error)"
        }
        do {
            try await JobLedger(database: gateway.openDatabase()).record(
                JobRecord(
                    key: "drift:\(timestamp(due))", booking: nil, room: nil, kind: "drift", dueAt: due, ranAt: now,
                    state: state, detail: detail, logbookEntry: nil))
        } catch {
            gateway.warn("the scheduler could not record its drift check: \(error)")
        }
        await jobEnded("*drift")
    }
}

/// Who the scheduler's runs and logbook entries are by.
public enum SchedulerIdentity {
    public static let name = "hntt (lịch tự động)"
}

extension Gateway {
    /// A drift result as alerts: `drift` or `unreachable` while it lasts, `recovered` when it is clean again.
    public func alertOnDrift(_ report: DriftReport, at now: Date) async {
        let room = room(of: report.device)?.id
        switch report.status {
        case .drift:
            let keys = report.changes.map(\.key).joined(separator: ", ")
            await alert(
                AlertDraft(kind: "drift", message: "not as approved: \(keys)", room: room, device: report.device),
                at: now)
        case .unreachable:
            await alert(
                AlertDraft(
                    kind: "unreachable", message: report.error ?? "unreachable", room: room, device: report.device),
                at: now)
        case .clean, .noBaseline:
            await recoverAlerts(
                subject: "device:\(report.device)", kinds: ["drift", "unreachable", "unauthorised-change"],
                message: "as approved", at: now)
        case .error:
            break
        }
    }
}
