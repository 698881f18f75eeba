import Foundation
import GRDB

/// One job the scheduler ran, skipped or missed: kept so that a restart neither runs a job twice
/// nor forgets one (table `scheduled_job`).
public struct JobRecord: Sendable, Equatable {
    /// `done`, `failed`, `skipped` (a technician was first), `missed` (too late to be useful),
    /// `ready` (the official dial is left to the technician).
    public enum State: String, Sendable, CaseIterable { case done, failed, skipped, missed, ready }

    /// `booking:ID:KIND`, or `drift:TIME` for a periodic drift check.
    public let key: String
    public let booking: Int64?
    public let room: String?
    public let kind: String
    public let dueAt: Date
    public let ranAt: Date
    public let state: State
    public let detail: String
    public let logbookEntry: Int64?

    public init(
        key: String, booking: Int64?, room: String?, kind: String, dueAt: Date, ranAt: Date, state: State,
        detail: String, logbookEntry: Int64?
    ) {
        self.key = key
        self.booking = booking
        self.room = room
        self.kind = kind
        self.dueAt = dueAt
        self.ranAt = ranAt
        self.state = state
        self.detail = detail
        self.logbookEntry = logbookEntry
    }
}

public struct JobLedger: Sendable {
    let database: GovernanceDatabase

    public init(database: GovernanceDatabase) { self.database = database }

    /// Records a job once; false when its key was recorded already (nothing is written then).
    @discardableResult
    public func record(_ job: JobRecord) async throws -> Bool {
        try await database.writer.write { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO scheduled_job
                    (key, booking_id, room, kind, due_at, ran_at, state, detail, logbook_entry)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    job.key, job.booking, job.room, job.kind, timestamp(job.dueAt), timestamp(job.ranAt),
                    job.state.rawValue, job.detail, job.logbookEntry,
                ])
            return db.changesCount == 1
        }
    }

    /// The keys recorded among `keys`.
    public func recorded(_ keys: [String]) async throws -> Set<String> {
        guard !keys.isEmpty else { return [] }
        return try await database.writer.read { db in
            let marks = Array(repeating: "?", count: keys.count).joined(separator: ",")
            return Set(
                try String.fetchAll(
                    db, sql: "SELECT key FROM scheduled_job WHERE key IN (\(marks))",
                    arguments: StatementArguments(keys)))
        }
    }

    /// The jobs of one booking (all bookings when nil), by due time.
    public func jobs(booking: Int64? = nil) async throws -> [JobRecord] {
        try await database.writer.read { db in
            let rows =
                if let booking {
                    try Row.fetchAll(
                        db, sql: "SELECT * FROM scheduled_job WHERE booking_id = ? ORDER BY due_at, key",
                        arguments: [booking])
                } else {
                    try Row.fetchAll(db, sql: "SELECT * FROM scheduled_job ORDER BY due_at, key")
                }
            return rows.map(JobRecord.init)
        }
    }

    /// When the last periodic drift check was due; nil when none ran.
    public func lastDrift() async throws -> Date? {
        try await database.writer.read { db in
            try String.fetchOne(db, sql: "SELECT MAX(due_at) FROM scheduled_job WHERE kind = 'drift'")
                .flatMap(parseTimestamp)
        }
    }
}

extension JobRecord {
    init(row: Row) {
        self.init(
            key: row["key"], booking: row["booking_id"], room: row["room"], kind: row["kind"],
            dueAt: parseTimestamp(row["due_at"]) ?? .distantPast, ranAt: parseTimestamp(row["ran_at"]) ?? .distantPast,
            state: State(rawValue: row["state"]) ?? .failed, detail: row["detail"], logbookEntry: row["logbook_entry"])
    }
}
