import Foundation
import HNTTCore
import HNTTGovernance

/// What the scheduler does for a booking, in the order of a session.
public enum JobKind: String, Sendable, CaseIterable, Comparable {
    case powerOn = "power-on"
    case testCall = "test-call"
    case diagnostics
    case dial
    case shutdown

    public static func < (a: JobKind, b: JobKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// One job of a booking: when it is due and until when running it late still helps.
public struct PlannedJob: Sendable, Equatable {
    public let booking: Booking
    public let kind: JobKind
    public let due: Date
    public let usefulUntil: Date

    public var key: String { "booking:\(booking.id):\(kind.rawValue)" }
    public var room: String { booking.room }
}

public enum SchedulePlan {
    /// The jobs of a booked session under the room's `schedule:` (cancelled bookings have none).
    /// Power-on, test call and diagnostics help until the start; the dial until the end; the
    /// shutdown (with `auto_shutdown`) for two hours after it.
    public static func jobs(for booking: Booking, schedule: Schedule) -> [PlannedJob] {
        guard booking.status == .booked else { return [] }
        let start = booking.start
        var jobs = [
            PlannedJob(
                booking: booking, kind: .powerOn, due: start - schedule.powerOnBefore, usefulUntil: start),
            PlannedJob(
                booking: booking, kind: .testCall, due: start - schedule.testCallBefore, usefulUntil: start),
            PlannedJob(
                booking: booking, kind: .diagnostics, due: start - schedule.diagnosticsBefore, usefulUntil: start),
            PlannedJob(booking: booking, kind: .dial, due: start, usefulUntil: booking.end),
        ]
        if schedule.autoShutdown {
            jobs.append(
                PlannedJob(booking: booking, kind: .shutdown, due: booking.end, usefulUntil: booking.end + 7200))
        }
        return jobs.sorted { ($0.due, $0.kind) < ($1.due, $1.kind) }
    }
}
