import Foundation
import GRDB

/// One alert as the webhook sends it and the dashboard shows it (table `alert`).
public struct AlertRecord: Sendable, Equatable {
    public let id: Int64
    /// `unauthorised-change`, `drift`, `unreachable`, `test-call-failed`, `diagnostics-failed`,
    /// `call-dropped`, `recovered`, … (the contract's kinds).
    public let kind: String
    /// What the alert is about: `booking:ID` or `device:ID`; one open alert per subject and kind.
    public let subject: String
    public let message: String
    public let at: Date
    public let room: String?
    public let device: String?
    public let booking: Int64?
    public let key: String?
    /// True until its cause recovers.
    public let open: Bool
}

/// What a new alert says.
public struct AlertDraft: Sendable, Equatable {
    public var kind: String
    public var message: String
    public var room: String?
    public var device: String?
    public var booking: Int64?
    public var key: String?

    public init(
        kind: String, message: String, room: String? = nil, device: String? = nil, booking: Int64? = nil,
        key: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.room = room
        self.device = device
        self.booking = booking
        self.key = key
    }

    /// `booking:ID` when about a booking, else `device:ID` (else the room).
    public var subject: String {
        if let booking { return "booking:\(booking)" }
        if let device { return "device:\(device)" }
        return "room:\(room ?? "")"
    }
}

/// An alert still to be delivered on one channel.
public struct PendingDelivery: Sendable, Equatable {
    public let id: Int64
    public let channel: String
    public let attempts: Int
    public let alert: AlertRecord
}

/// Alerts and their delivery queue. A cause alerts once until it recovers; deliveries are kept
/// until they succeed, so a restart loses none.
public struct AlertStore: Sendable {
    let database: GovernanceDatabase

    public init(database: GovernanceDatabase) { self.database = database }

    /// Records an alert and queues it on `channels`; nil when the same cause is already alerted.
    public func raise(_ draft: AlertDraft, channels: [String], at now: Date = Date()) async throws -> AlertRecord? {
        try await database.writer.write { db in
            let open = try Bool.fetchOne(
                db, sql: "SELECT 1 FROM alert WHERE subject = ? AND kind = ? AND open = 1 LIMIT 1",
                arguments: [draft.subject, draft.kind])
            if open == true { return nil }
            return try AlertStore.insert(draft, open: true, channels: channels, at: now, db)
        }
    }

    /// Closes the open alerts of `subject` (of `kinds` only, when given) and sends one `recovered`
    /// for each; empty when nothing was open.
    @discardableResult
    public func recover(
        subject: String, kinds: [String]? = nil, message: String, channels: [String], at now: Date = Date()
    ) async throws -> [AlertRecord] {
        try await database.writer.write { db in
            let open = try Row.fetchAll(
                db, sql: "SELECT * FROM alert WHERE subject = ? AND open = 1 ORDER BY id", arguments: [subject]
            ).map(AlertRecord.init).filter { kinds?.contains($0.kind) ?? true }
            var sent: [AlertRecord] = []
            for alert in open {
                try db.execute(sql: "UPDATE alert SET open = 0 WHERE id = ?", arguments: [alert.id])
                let draft = AlertDraft(
                    kind: "recovered", message: "\(alert.kind): \(message)", room: alert.room, device: alert.device,
                    booking: alert.booking, key: alert.key)
                sent.append(try AlertStore.insert(draft, open: false, channels: channels, at: now, db))
            }
            return sent
        }
    }

    /// The most recent alerts first.
    public func list(limit: Int = 200) async throws -> [AlertRecord] {
        try await database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM alert ORDER BY id DESC LIMIT ?", arguments: [limit])
                .map(AlertRecord.init)
        }
    }

    /// Deliveries due by `now`, oldest first.
    public func pending(at now: Date = Date()) async throws -> [PendingDelivery] {
        try await database.writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT d.id AS delivery_id, d.channel, d.attempts, a.* FROM alert_delivery d
                    JOIN alert a ON a.id = d.alert_id
                    WHERE d.delivered_at IS NULL AND d.next_at <= ? ORDER BY d.id
                    """, arguments: [timestamp(now)]
            ).map { row in
                PendingDelivery(
                    id: row["delivery_id"], channel: row["channel"], attempts: row["attempts"],
                    alert: AlertRecord(row: row))
            }
        }
    }

    /// How many deliveries are still queued (any due time).
    public func queued() async throws -> Int {
        try await database.writer.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM alert_delivery WHERE delivered_at IS NULL") ?? 0
        }
    }

    public func delivered(_ id: Int64, at now: Date = Date()) async throws {
        try await database.writer.write { db in
            try db.execute(
                sql: "UPDATE alert_delivery SET delivered_at = ?, attempts = attempts + 1 WHERE id = ?",
                arguments: [timestamp(now), id])
        }
    }

    /// A failed attempt: tried again at `retryAt`.
    public func failed(_ id: Int64, error: String, retryAt: Date) async throws {
        try await database.writer.write { db in
            try db.execute(
                sql: "UPDATE alert_delivery SET attempts = attempts + 1, last_error = ?, next_at = ? WHERE id = ?",
                arguments: [error, timestamp(retryAt), id])
        }
    }

    private static func insert(
        _ draft: AlertDraft, open: Bool, channels: [String], at now: Date, _ db: Database
    ) throws -> AlertRecord {
        try db.execute(
            sql: """
                INSERT INTO alert (kind, subject, message, at, room, device, booking_id, key, open)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                draft.kind, draft.subject, draft.message, timestamp(now), draft.room, draft.device, draft.booking,
                draft.key, open,
            ])
        let id = db.lastInsertedRowID
        for channel in channels {
            try db.execute(
                sql: "INSERT INTO alert_delivery (alert_id, channel, attempts, next_at) VALUES (?, ?, 0, ?)",
                arguments: [id, channel, timestamp(now)])
        }
        return AlertRecord(
            id: id, kind: draft.kind, subject: draft.subject, message: draft.message,
            at: parseTimestamp(timestamp(now)) ?? now, room: draft.room, device: draft.device, booking: draft.booking,
            key: draft.key, open: open)
    }
}

extension AlertRecord {
    init(row: Row) {
        self.init(
            id: row["id"], kind: row["kind"], subject: row["subject"], message: row["message"],
            at: parseTimestamp(row["at"]) ?? .distantPast, room: row["room"], device: row["device"],
            booking: row["booking_id"], key: row["key"], open: row["open"])
    }
}
