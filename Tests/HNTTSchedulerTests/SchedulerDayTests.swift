import Clocks
import Foundation
import HNTTCore
import HNTTGateway
import HNTTGovernance
import HNTTTestSupport
import Testing

/// A day of bookings on simulated rooms, in seconds: the scheduler's clock is a test clock that the
/// test moves from one wake-up to the next.
@Suite("The scheduler prepares every booked session on time")
struct SchedulerDayTests {
    @Test("every job of a day's bookings runs at its time, with a logbook entry linked to its booking")
    func simulatedDay() async throws {
        let day = try await SimulatedDay.make(schedule: ["  auto_dial: true", "  auto_shutdown: true"])
        let morning = try await day.book(at: 2 * 3600, minutes: 60, title: "Giao ban sáng")
        let afternoon = try await day.book(at: 8 * 3600, minutes: 90, title: "Hội nghị chiều")
        // A second booking over the morning's is refused, naming the one it hits.
        await #expect(throws: HNTTError.self) { _ = try await day.book(at: 2 * 3600 + 1800, minutes: 30) }

        await day.start()
        try await day.run(until: 24 * 3600)

        let jobs = try await JobLedger(database: day.site.gateway.openDatabase()).jobs()
        for booking in [morning, afternoon] {
            let own = jobs.filter { $0.booking == booking.id }
            #expect(own.map(\.kind) == ["power-on", "test-call", "diagnostics", "dial", "shutdown"])
            #expect(own.allSatisfy { $0.state == .done }, "\(own.map { "\($0.kind) \($0.state): \($0.detail)" })")
            // On the minute: the clock does not move while a job runs.
            #expect(own.allSatisfy { $0.ranAt == $0.dueAt })
            let offsets = own.map { Int($0.dueAt.timeIntervalSince(booking.start)) }
            #expect(offsets == [-3600, -1800, -900, 0, Int(booking.end.timeIntervalSince(booking.start))])
        }
        // Drift every 6 h, from the scheduler's start.
        #expect(
            jobs.filter { $0.kind == "drift" }.map { Int($0.dueAt.timeIntervalSince(day.base)) } == [
                6 * 3600, 12 * 3600, 18 * 3600, 24 * 3600,
            ])
        let logbook = try await Logbook(database: day.site.gateway.openDatabase()).list(room: "xa")
        let jobEntries = logbook.compactMap { entry in entry.content(JobContent.self).map { (entry, $0) } }
        #expect(jobEntries.count == 10)
        // The test call's job entry points at the test session it wrote; the dial's at the official one.
        for (entry, job) in jobEntries where job.job == "test-call" || job.job == "dial" {
            let session = logbook.first { $0.id == entry.refersTo }?.session
            #expect(session?.sessionType == (job.job == "dial" ? .official : .test))
            #expect(session?.chairSite == "1001@chair.example")
        }
        #expect(try await RoomStates(database: day.site.gateway.openDatabase()).state(of: "xa").phase == .off)
        await day.stop()
    }

    @Test("after a restart a job that still helps runs late, one that no longer does is logged as missed")
    func missedJobs() async throws {
        let day = try await SimulatedDay.make(schedule: [])
        let gone = try await day.book(at: 30 * 60, minutes: 30)
        let coming = try await day.book(at: 3 * 3600, minutes: 60)
        // The service was down until 2 h 45 min: the first booking is over; the second's power-on
        // (due at 2 h) and test call (2 h 30) still help, its diagnostics are due now.
        await day.clock.advance(to: .init(offset: .seconds(2 * 3600 + 45 * 60)))
        await day.start()
        try await day.run(until: 2 * 3600 + 45 * 60)

        let jobs = try await JobLedger(database: day.site.gateway.openDatabase()).jobs()
        let first = jobs.filter { $0.booking == gone.id }
        #expect(first.map(\.kind) == ["power-on", "test-call", "diagnostics", "dial"])
        #expect(first.allSatisfy { $0.state == .missed })
        let second = jobs.filter { $0.booking == coming.id }
        #expect(second.map(\.kind) == ["power-on", "test-call", "diagnostics"])
        #expect(second.map(\.state) == [.done, .done, .done], "\(second.map(\.detail))")
        #expect(second[0].detail.hasPrefix("late by 45 min"))
        #expect(second[1].detail.hasPrefix("late by 15 min"))
        let missed = try await Logbook(database: day.site.gateway.openDatabase()).list(room: "xa")
            .compactMap { $0.content(JobContent.self) }.filter { $0.outcome == "missed" }
        #expect(missed.count == 4)
        #expect(missed.allSatisfy { $0.booking == String(gone.id) })
        // Without auto_dial the start leaves the dial to the technician: "ready to dial".
        try await day.run(until: 3 * 3600)
        let dial = try await JobLedger(database: day.site.gateway.openDatabase()).jobs(booking: coming.id).last
        #expect(dial?.kind == "dial")
        #expect(dial?.state == .ready)
        await day.stop()
    }
}

/// A site with its gateway on a test clock that starts at `base` (a whole minute), a run board and a scheduler.
final class SimulatedDay: Sendable {
    let clock: TestClock<Duration>
    let base: Date
    let site: GatewaySite
    let board: RunBoard
    let scheduler: Scheduler<TestClock<Duration>>

    static func make(schedule: [String], inventory extra: [String] = []) async throws -> SimulatedDay {
        let clock = TestClock<Duration>()
        let base = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 60).rounded(.up) * 60 + 60)
        let site = try await GatewaySite.make(
            keepingConnections: true, inventory: ["schedule:", "  drift_every: 6h"] + schedule + extra,
            now: { base + SimulatedDay.seconds(TestClock<Duration>.Instant().duration(to: clock.now)) })
        return SimulatedDay(clock: clock, base: base, site: site)
    }

    private init(clock: TestClock<Duration>, base: Date, site: GatewaySite) {
        self.clock = clock
        self.base = base
        self.site = site
        board = RunBoard(gateway: site.gateway)
        scheduler = Scheduler(gateway: site.gateway, board: board, clock: clock, longestSleep: .seconds(15 * 60))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    func start() async {
        await scheduler.start()
    }

    func stop() async {
        await scheduler.stop()
        await site.gateway.connections?.closeAll()
        await site.stop()
    }

    /// Books room `xa` `offset` seconds after the base, local time as the office types it.
    func book(at offset: Double, minutes: Double, title: String = "") async throws -> Booking {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        let start = base + offset
        return try await site.gateway.addBooking(
            BookingRequest(
                room: "xa", start: formatter.string(from: start), end: formatter.string(from: start + minutes * 60),
                organizer: "UBND tỉnh", chair: "1001@chair.example", title: title),
            by: Caller(operatorName: "Lê Thị B"))
    }

    /// Steps the clock from one wake-up of the scheduler to the next until `offset`, letting every
    /// job that falls due run before the clock moves on.
    func run(until offset: Double) async throws {
        try await settle()
        while let wake = await scheduler.nextWake, wake.timeIntervalSince(base) <= offset {
            let passes = await scheduler.passes
            await clock.advance(to: .init(offset: .milliseconds(Int64(wake.timeIntervalSince(base) * 1000))))
            // A wake-up registered just after the step is let through by a step of zero.
            var waited = 0
            while await scheduler.passes == passes {
                try await Task.sleep(for: .milliseconds(5))
                waited += 1
                if waited % 100 == 0 { await clock.advance(by: .zero) }
                try #require(waited < 12_000, "the scheduler did not wake")
            }
            try await settle()
        }
    }

    private func settle() async throws {
        var waited = 0
        while await !scheduler.isSettled() {
            try await Task.sleep(for: .milliseconds(5))
            waited += 1
            try #require(waited < 24_000, "the scheduler's jobs did not end")
        }
    }
}
