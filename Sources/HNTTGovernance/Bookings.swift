import Foundation
import GRDB
import HNTTCore

/// A registered session (Điều 5.1): a room, when, who organises it and which chair site it dials.
public struct Booking: Sendable, Equatable {
    public enum Status: String, Sendable { case booked, cancelled }

    public let id: Int64
    public let room: String
    public let start: Date
    public let end: Date
    public let organizer: String
    public let chair: String
    public let title: String
    public let status: Status
    public let bookedBy: String
    public let bookedAt: String
    public let cancelReason: String?

    public init(
        id: Int64, room: String, start: Date, end: Date, organizer: String, chair: String, title: String,
        status: Status, bookedBy: String, bookedAt: String, cancelReason: String?
    ) {
        self.id = id
        self.room = room
        self.start = start
        self.end = end
        self.organizer = organizer
        self.chair = chair
        self.title = title
        self.status = status
        self.bookedBy = bookedBy
        self.bookedAt = bookedAt
        self.cancelReason = cancelReason
    }
}

/// The bookings (table `booking`, times in UTC). A room booked twice at overlapping times is refused.
public struct BookingStore: Sendable {
    let database: GovernanceDatabase

    public init(database: GovernanceDatabase) { self.database = database }

    /// Adds a booking; returns it, or the booking of the room it overlaps (nothing is written then).
    public func add(
        room: String, start: Date, end: Date, organizer: String, chair: String, title: String, bookedBy: String
    ) async throws -> (booking: Booking?, conflict: Booking?) {
        try await database.writer.write { db in
            // ISO 8601 in UTC sorts as time: two intervals overlap when each starts before the other ends.
            if let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT * FROM booking WHERE room = ? AND status = 'booked' AND starts_at < ? AND ends_at > ?
                    ORDER BY starts_at LIMIT 1
                    """, arguments: [room, timestamp(end), timestamp(start)])
            {
                return (nil, Booking(row: row))
            }
            try db.execute(
                sql: """
                    INSERT INTO booking (room, starts_at, ends_at, organizer, chair, title, status, booked_by, booked_at)
                    VALUES (?, ?, ?, ?, ?, ?, 'booked', ?, ?)
                    """,
                arguments: [room, timestamp(start), timestamp(end), organizer, chair, title, bookedBy, timestamp()])
            let row = try Row.fetchOne(db, sql: "SELECT * FROM booking WHERE id = ?", arguments: [db.lastInsertedRowID])
            return (row.map(Booking.init), nil)
        }
    }

    /// Bookings that overlap [from, to) (all when nil), optionally of one room, by start.
    public func list(room: String? = nil, from: Date? = nil, to: Date? = nil) async throws -> [Booking] {
        try await database.writer.read { db in
            var conditions: [String] = []
            var arguments: [(any DatabaseValueConvertible)?] = []
            if let room {
                conditions.append("room = ?")
                arguments.append(room)
            }
            if let from {
                conditions.append("ends_at > ?")
                arguments.append(timestamp(from))
            }
            if let to {
                conditions.append("starts_at < ?")
                arguments.append(timestamp(to))
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try Row.fetchAll(
                db, sql: "SELECT * FROM booking \(filter) ORDER BY starts_at, id",
                arguments: StatementArguments(arguments) ?? []
            ).map(Booking.init)
        }
    }

    public func booking(_ id: Int64) async throws -> Booking? {
        try await database.writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM booking WHERE id = ?", arguments: [id]).map(Booking.init)
        }
    }

    /// Cancels a booking; false when there is no such booking or it is cancelled already.
    public func cancel(_ id: Int64, reason: String) async throws -> Bool {
        try await database.writer.write { db in
            try db.execute(
                sql: "UPDATE booking SET status = 'cancelled', cancel_reason = ? WHERE id = ? AND status = 'booked'",
                arguments: [reason, id])
            return db.changesCount == 1
        }
    }
}

extension Booking {
    init(row: Row) {
        self.init(
            id: row["id"], room: row["room"], start: parseTimestamp(row["starts_at"]) ?? Date.distantPast,
            end: parseTimestamp(row["ends_at"]) ?? Date.distantPast, organizer: row["organizer"], chair: row["chair"],
            title: row["title"], status: Status(rawValue: row["status"]) ?? .booked, bookedBy: row["booked_by"],
            bookedAt: row["booked_at"], cancelReason: row["cancel_reason"])
    }
}
