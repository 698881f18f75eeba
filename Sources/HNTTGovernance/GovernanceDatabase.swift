import Foundation
import GRDB
import HNTTCore
import HNTTTransport

/// The gateway's SQLite file (`hntt.sqlite` in the data folder): snapshots, approval keys,
/// baselines and drift results. WAL, so a cron drift check and a technician's command can read
/// and write at once; numbered migrations, never edited once shipped.
public final class GovernanceDatabase: Sendable {
    public static let fileName = "hntt.sqlite"
    let writer: DatabasePool
    /// The chains' heads outside the database.
    public let anchors: ChainAnchors

    /// Opens (creating and migrating) the database. Several processes starting at once on a fresh
    /// folder take turns under the folder's lock, so no migration runs twice. Blocks: call it off the
    /// cooperative pool.
    public init(data: DataDirectory) throws {
        try data.ensureExists()
        let path = data.file(GovernanceDatabase.fileName)
        anchors = ChainAnchors(data: data)
        // Records were kept here: a missing or empty database is a loss to restore, never a fresh start.
        let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int
        if anchors.exists && (size ?? 0) == 0 {
            throw HNTTError(
                .badFile,
                "the database \(path) is \(size == nil ? "missing" : "empty"), but this data folder held audit and logbook"
                    + " entries (\(ChainAnchors.fileName)); refusing to start a new one",
                fix:
                    "restore hntt.sqlite from a backup; to start afresh on purpose, move the whole data folder away first"
            )
        }
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            writer = try data.withExclusiveLock {
                let pool = try DatabasePool(path: path, configuration: configuration)
                try GovernanceDatabase.migrator.migrate(pool)
                return pool
            }
        } catch let error as DatabaseError {
            throw HNTTError(
                .badFile, "the database \(path) cannot be opened: \(error.message ?? "\(error)")",
                fix:
                    "check the data folder's permissions and free space; restore hntt.sqlite from a backup if it is damaged"
            )
        }
    }

    /// Moves a chain's head outside the database forward to the entry just written.
    func anchor(_ chain: String, _ id: Int64, _ hash: String) async throws {
        let anchors = self.anchors
        try await onOwnThread { try anchors.advance(chain, to: ChainAnchors.Head(id: id, hash: hash)) }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: snapshots, trusted keys, baselines, drift results") { db in
            try db.create(table: "snapshot") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("device", .text).notNull().indexed()
                t.column("taken_at", .text).notNull()
                t.column("software", .text).notNull()
                t.column("content_hash", .text).notNull()
                t.column("settings", .text).notNull()   // JSON array of [key, value], device order
            }
            try db.create(table: "trusted_key") { t in
                t.column("name", .text).primaryKey()
                t.column("public_key", .text).notNull().unique()
                t.column("added_at", .text).notNull()
            }
            try db.create(table: "baseline") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("device", .text).notNull().indexed()
                t.column("version", .integer).notNull()
                t.column("settings", .text).notNull()   // JSON array of [key, value]
                t.column("signer", .text).notNull()
                t.column("reference", .text).notNull()
                t.column("signed_at", .text).notNull()
                t.column("key_name", .text).notNull()
                t.column("imported_at", .text).notNull()
                t.column("document", .text).notNull()   // the signed YAML, as imported
                t.uniqueKey(["device", "version"])
            }
            try db.create(table: "drift_result") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("device", .text).notNull().indexed()
                t.column("checked_at", .text).notNull()
                t.column("status", .text).notNull()
                t.column("baseline_version", .integer)
                t.column("changes", .text).notNull()   // JSON array of {key, approved, live}
                t.column("error", .text)
            }
        }
        migrator.registerMigration("v2: audit log") { db in
            try db.create(table: "audit") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("at", .text).notNull()
                t.column("os_user", .text).notNull()
                t.column("operator", .text).notNull()
                t.column("device", .text).notNull()
                t.column("action", .text).notNull()
                t.column("outcome", .text).notNull()
                t.column("detail", .text).notNull()
                t.column("previous_hash", .text).notNull()
                t.column("hash", .text).notNull()
            }
        }
        migrator.registerMigration("v3: used change orders, pending confirmations") { db in
            try db.create(table: "used_order") { t in
                t.column("id", .text).primaryKey()
                t.column("reference", .text).notNull()
                t.column("used_at", .text).notNull()
            }
            try db.create(table: "confirmation") { t in
                t.column("order_id", .text).primaryKey()
                t.column("confirmed_at", .text).notNull()
            }
        }
        migrator.registerMigration("v4: logbook and room state") { db in
            try db.create(table: "logbook") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("at", .text).notNull()
                t.column("room", .text).notNull().indexed()
                t.column("kind", .text).notNull()
                t.column("refers_to", .integer)
                t.column("payload", .text).notNull()   // JSON object, sorted keys
                t.column("previous_hash", .text).notNull()
                t.column("hash", .text).notNull()
            }
            try db.create(table: "room_state") { t in
                t.column("room", .text).primaryKey()
                t.column("state", .text).notNull()
                t.column("powered_at", .text)
                t.column("tested_at", .text)
                t.column("updated_at", .text).notNull()
            }
        }
        migrator.registerMigration("v5: last seen device state") { db in
            try db.create(table: "device_state") { t in
                t.column("device", .text).primaryKey()
                t.column("standby", .text).notNull()
                t.column("seen_at", .text).notNull()
            }
        }
        migrator.registerMigration("v6: accounts of the service") { db in
            try db.create(table: "users") { t in
                t.column("name", .text).primaryKey()
                t.column("role", .text).notNull()
                t.column("unit", .text)
                t.column("password_hash", .text).notNull()
                t.column("created_at", .text).notNull()
                t.column("changed_at", .text).notNull()
            }
        }
        migrator.registerMigration("v7: bookings") { db in
            try db.create(table: "booking") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("room", .text).notNull().indexed()
                t.column("starts_at", .text).notNull()
                t.column("ends_at", .text).notNull()
                t.column("organizer", .text).notNull()
                t.column("chair", .text).notNull()
                t.column("title", .text).notNull()
                t.column("status", .text).notNull()
                t.column("booked_by", .text).notNull()
                t.column("booked_at", .text).notNull()
                t.column("cancel_reason", .text)
            }
        }
        migrator.registerMigration("v8: scheduled jobs, alerts and their deliveries, quality samples") { db in
            try db.create(table: "scheduled_job") { t in
                t.column("key", .text).primaryKey()   // booking:ID:KIND or drift:TIME
                t.column("booking_id", .integer).indexed()
                t.column("room", .text)
                t.column("kind", .text).notNull()
                t.column("due_at", .text).notNull()
                t.column("ran_at", .text).notNull()
                t.column("state", .text).notNull()
                t.column("detail", .text).notNull()
                t.column("logbook_entry", .integer)
            }
            try db.create(table: "alert") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("kind", .text).notNull()
                t.column("subject", .text).notNull().indexed()   // booking:ID or device:ID
                t.column("message", .text).notNull()
                t.column("at", .text).notNull()
                t.column("room", .text)
                t.column("device", .text)
                t.column("booking_id", .integer)
                t.column("key", .text)
                t.column("open", .boolean).notNull()   // the cause has not recovered yet
            }
            try db.create(table: "alert_delivery") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("alert_id", .integer).notNull().references("alert")
                t.column("channel", .text).notNull()   // webhook or email
                t.column("attempts", .integer).notNull()
                t.column("next_at", .text).notNull()
                t.column("delivered_at", .text)
                t.column("last_error", .text)
            }
            try db.create(table: "quality_sample") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("session_entry", .integer).notNull().indexed()
                t.column("at", .text).notNull()
                t.column("loss_percent", .double)
                t.column("jitter_ms", .double)
                t.column("rate_kbps", .integer)
            }
        }
        migrator.registerMigration("v9: the outbox to the province hub, and the hub this gateway joined") { db in
            try db.create(table: "outbox") { t in
                t.column("sequence", .integer).primaryKey()   // 1, 2, 3 …: gapless, the hub's idempotency key
                t.column("kind", .text).notNull()   // logbook, audit, drift, snapshot, booking
                t.column("body", .text).notNull()   // canonical JSON, never a secret
                t.column("previous_hash", .text).notNull()
                t.column("hash", .text).notNull()
                t.column("created_at", .text).notNull()
            }
            try db.create(table: "outbox_cursor") { t in
                t.column("source", .text).primaryKey()   // the table read into the outbox
                t.column("last_id", .integer).notNull()
            }
            try db.create(table: "hub_link") { t in
                t.column("id", .integer).primaryKey()   // one row: 1
                t.column("url", .text).notNull()
                t.column("gateway", .text).notNull()
                t.column("public_key", .text).notNull()
                t.column("joined_at", .text).notNull()
                t.column("delivered", .integer).notNull()   // the last sequence the hub acknowledged
                t.column("pulled", .integer).notNull().defaults(to: 0)   // the last publication taken from the hub
                t.column("last_attempt_at", .text)
                t.column("last_error", .text)
            }
        }
        migrator.registerMigration("v10: the conference bridge's view of a room's leg in official sessions") { db in
            try db.create(table: "bridge_sample") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("session_entry", .integer).notNull().indexed()
                t.column("at", .text).notNull()
                t.column("bridge", .text).notNull()   // the bridge's device id
                t.column("leg", .text).notNull()
                t.column("rx_audio_loss_percent", .double)   // what the bridge received from the room
                t.column("rx_audio_jitter_ms", .double)
                t.column("rx_video_loss_percent", .double)
                t.column("tx_audio_loss_percent", .double)
                t.column("rtt_ms", .double)
            }
        }
        return migrator
    }
}

/// ISO 8601 time in UTC, as every stored time is written.
public func timestamp(_ date: Date = Date()) -> String {
    ISO8601Formatters.formatter(.withInternetDateTime).string(from: date)
}

/// Parses the logbook's own ISO 8601 timestamps (with or without fractional seconds).
public func parseTimestamp(_ text: String) -> Date? {
    if let date = ISO8601Formatters.utc(text) { return date }
    return ISO8601Formatters.formatter(.withInternetDateTime).date(from: text)
        ?? ISO8601Formatters.formatter([.withInternetDateTime, .withFractionalSeconds]).date(from: text)
}

/// ISO 8601 formatters made once per thread and reused: making one costs far more than using it (ICU),
/// and a formatter is not to be shared between threads.
public enum ISO8601Formatters {
    /// `2026-03-02T08:00:00Z`, as ``timestamp(_:)`` writes it, read without a formatter (a year's report reads
    /// thousands; ICU's parse was most of its time). Anything else: nil, for the formatter to read.
    static func utc(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 20, bytes[4] == 45, bytes[7] == 45, bytes[10] == 84, bytes[13] == 58, bytes[16] == 58,
            bytes[19] == 90
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let digit = Int(bytes[index]) - 48
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        // Days from 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146097 + dayOfEra - 719468
        return Date(timeIntervalSince1970: TimeInterval(days * 86400 + hour * 3600 + minute * 60 + second))
    }

    public static func formatter(
        _ options: ISO8601DateFormatter.Options, timeZone: TimeZone = TimeZone(identifier: "GMT")!
    ) -> ISO8601DateFormatter {
        let key = "hntt.iso8601.\(options.rawValue).\(timeZone.identifier)"
        let cache = Thread.current.threadDictionary
        if let formatter = cache[key] as? ISO8601DateFormatter { return formatter }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = options
        formatter.timeZone = timeZone
        cache[key] = formatter
        return formatter
    }
}

/// Ordered settings as stored: a JSON array of two-element arrays.
enum SettingsCoding {
    static func encode(_ entries: [Setting]) -> String {
        let array = entries.map { [$0.key, $0.value] }
        let data =
            (try? JSONSerialization.data(withJSONObject: array, options: [.withoutEscapingSlashes])) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func decode(_ text: String) -> [Setting] {
        guard let array = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String]] else { return [] }
        return array.compactMap { $0.count == 2 ? Setting($0[0], $0[1]) : nil }
    }
}
