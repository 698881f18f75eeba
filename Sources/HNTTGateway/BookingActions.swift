import Foundation
import HNTTCore
import HNTTGovernance

/// What the office registers (Điều 5.1): times as the technician typed them, local.
public struct BookingRequest: Sendable {
    public var room: String
    public var start: String
    public var end: String
    public var organizer: String
    public var chair: String
    public var title: String

    public init(room: String, start: String, end: String, organizer: String, chair: String, title: String = "") {
        self.room = room
        self.start = start
        self.end = end
        self.organizer = organizer
        self.chair = chair
        self.title = title
    }
}

/// Bookings: checked, stored in UTC, audited; the scheduler (issue 13) derives its jobs from them.
extension Gateway {
    public func addBooking(_ request: BookingRequest, by caller: Caller) async throws -> Booking {
        let inventory = try inventory()
        let room = try inventory.room(request.room)
        let start = try parseOperatorTime(request.start, option: "--start")
        let end = try parseOperatorTime(request.end, option: "--end")
        guard end > start else {
            throw HNTTError(.badInput, "the booking ends before it starts", fix: "give an --end after --start")
        }
        guard end.timeIntervalSince(start) <= 24 * 3600 else {
            throw HNTTError(
                .badInput, "a booking longer than 24 hours", fix: "book each day of a conference on its own")
        }
        let organizer = request.organizer.trimmingCharacters(in: .whitespaces)
        guard !organizer.isEmpty else {
            throw HNTTError(.badInput, "a booking needs its organiser", fix: "give --organizer (Điều 5.3)")
        }
        if !inventory.organizers.isEmpty && inventory.organizers[organizer] == nil {
            throw HNTTError(
                .badInput, "organiser \"\(organizer)\" is not in the inventory's organizers (Điều 5.3)",
                fix: "use one of: " + inventory.organizers.keys.sorted().joined(separator: ", "))
        }
        let chair = try SafeValue.dialString(request.chair)
        // The title is shown, never sent to a device: quotes are fine, control characters and novels are not.
        guard request.title.count <= 200, !request.title.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
            throw HNTTError(
                .badInput, "--title is longer than 200 characters or has control characters", fix: "shorten it")
        }
        let record = AuditRecord(
            device: room.id, action: "booking add",
            detail: "\(timestamp(start)) – \(timestamp(end)) \(organizer) \(chair)")
        return try await audited(record, by: caller) {
            let stored = try await BookingStore(database: openDatabase()).add(
                room: room.id, start: start, end: end, organizer: organizer, chair: chair, title: request.title,
                bookedBy: caller.operatorName ?? caller.osUser)
            if let conflict = stored.conflict {
                throw HNTTError(
                    .badInput,
                    "room \(room.id) is booked from \(Gateway.local(conflict.start)) to \(Gateway.local(conflict.end))"
                        + " (booking \(conflict.id), \(conflict.organizer))",
                    fix: "choose another time or room, or cancel booking \(conflict.id) first")
            }
            guard let booking = stored.booking else { throw HNTTError(.badFile, "the booking was not stored") }
            return booking
        }
    }

    public func bookings(room: String? = nil, from: String? = nil, to: String? = nil) async throws -> [Booking] {
        if let room { _ = try inventory().room(room) }
        return try await BookingStore(database: openDatabase()).list(
            room: room, from: try from.map { try parseOperatorTime(Gateway.dayStart($0), option: "--from") },
            to: try to.map { try parseOperatorTime(Gateway.dayEnd($0), option: "--to") })
    }

    public func booking(_ id: Int64) async throws -> Booking {
        guard let booking = try await BookingStore(database: openDatabase()).booking(id) else {
            throw HNTTError(.badInput, "no booking \(id)", fix: "`hntt booking list` shows the bookings")
        }
        return booking
    }

    public func cancelBooking(_ id: Int64, reason: String, by caller: Caller) async throws -> Booking {
        let booking = try await booking(id)
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw HNTTError(.badInput, "a cancellation needs its reason", fix: "give --reason TEXT")
        }
        return try await audited(
            AuditRecord(device: booking.room, action: "booking cancel", detail: "\(id): \(reason)"), by: caller
        ) {
            guard try await BookingStore(database: openDatabase()).cancel(id, reason: reason) else {
                throw HNTTError(.badInput, "booking \(id) is cancelled already", fix: "`hntt booking show \(id)`")
            }
            return try await self.booking(id)
        }
    }

    /// `YYYY-MM-DD HH:MM` in the machine's zone, as a technician types it.
    static func local(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = .current
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }

    /// A date alone (`YYYY-MM-DD`) means from the start of that day, or to its end.
    static func dayStart(_ text: String) -> String { text.count == 10 ? text + " 00:00" : text }
    static func dayEnd(_ text: String) -> String { text.count == 10 ? text + " 23:59:59" : text }
}

extension Gateway {
    /// What the scheduler did for a booking, by due time.
    public func jobs(of booking: Int64) async throws -> [JobRecord] {
        try await JobLedger(database: openDatabase()).jobs(booking: booking)
    }
}
