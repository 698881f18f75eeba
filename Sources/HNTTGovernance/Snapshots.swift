import Crypto
import Foundation
import GRDB
import HNTTCore

/// A stored configuration snapshot.
public struct Snapshot: Sendable, Equatable {
    public let id: Int64
    public let device: String
    public let takenAt: String
    public let software: String
    public let contentHash: String
    /// Normalised settings: volatile keys left out, secret values as keyed hashes.
    public let settings: [Setting]

    public static func == (a: Snapshot, b: Snapshot) -> Bool {
        a.id == b.id && a.contentHash == b.contentHash
    }
}

/// Turns a configuration read into what is stored and compared: volatile keys (per profile)
/// left out, secret values replaced by a keyed hash (HMAC-SHA256 with a key derived from the
/// gateway's master key), so no secret is ever stored, yet a changed password still shows.
public struct SnapshotNormaliser: Sendable {
    public static let secretPrefix = "hmac-sha256:"
    private let keyBytes: [UInt8]

    public init(secrets: SecretStore) throws {
        keyBytes = try secrets.derivedKey(purpose: "hntt snapshot secrets v1").withUnsafeBytes { Array($0) }
    }

    public func normalise(_ settings: ConfigurationSettings, profile: DeviceProfile) -> [Setting] {
        settings.entries.compactMap { entry -> Setting? in
            if KeyPattern.matchesAny(entry.key, profile.volatileKeys) { return nil }
            if profile.isSecret(entry.key) { return Setting(entry.key, protect(entry.value)) }
            return entry
        }
    }

    /// The keyed hash of a secret value (an empty value stays empty: nothing to hide).
    public func protect(_ value: String) -> String {
        if value.isEmpty || value.hasPrefix(SnapshotNormaliser.secretPrefix) { return value }
        let code = HMAC<SHA256>.authenticationCode(for: Data(value.utf8), using: SymmetricKey(data: keyBytes))
        return SnapshotNormaliser.secretPrefix + code.map { String(format: "%02x", $0) }.joined()
    }

    /// A secret as a person may see it.
    public static func display(_ value: String) -> String {
        value.hasPrefix(secretPrefix) ? "********" : value
    }

    /// SHA-256 over the ordered settings: equal configurations, equal hashes.
    public static func contentHash(_ settings: [Setting]) -> String {
        let canonical = settings.map { "\($0.key)\u{1F}\($0.value)" }.joined(separator: "\u{1E}")
        return SHA256.hash(data: Data(canonical.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

/// Snapshots in the database.
public struct SnapshotStore: Sendable {
    let database: GovernanceDatabase

    public init(database: GovernanceDatabase) { self.database = database }

    /// Stores a snapshot unless it equals the device's previous one; returns the stored (or
    /// previous) snapshot and whether it is new.
    public func record(
        device: String, software: String, settings: [Setting],
        at date: Date = Date()
    ) async throws -> (snapshot: Snapshot, isNew: Bool) {
        let hash = SnapshotNormaliser.contentHash(settings)
        return try await database.writer.write { db in
            if let last = try latest(device: device, db: db), last.contentHash == hash { return (last, false) }
            let takenAt = timestamp(date)
            try db.execute(
                sql: "INSERT INTO snapshot (device, taken_at, software, content_hash, settings) VALUES (?, ?, ?, ?, ?)",
                arguments: [device, takenAt, software, hash, SettingsCoding.encode(settings)])
            return (
                Snapshot(
                    id: db.lastInsertedRowID, device: device, takenAt: takenAt, software: software,
                    contentHash: hash, settings: settings), true
            )
        }
    }

    public func snapshot(id: Int64) async throws -> Snapshot {
        guard
            let snapshot = try await database.writer.read({ db in
                try Row.fetchOne(db, sql: "SELECT * FROM snapshot WHERE id = ?", arguments: [id]).map(
                    SnapshotStore.decode)
            })
        else {
            throw HNTTError(.badInput, "there is no snapshot \(id)", fix: "list them with `hntt snapshot list DEVICE`")
        }
        return snapshot
    }

    public func list(device: String) async throws -> [Snapshot] {
        try await database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM snapshot WHERE device = ? ORDER BY id", arguments: [device]).map(
                SnapshotStore.decode)
        }
    }

    public func latest(device: String) async throws -> Snapshot? {
        try await database.writer.read { db in try latest(device: device, db: db) }
    }

    /// The snapshot of the same device taken before `snapshot`.
    public func previous(of snapshot: Snapshot) async throws -> Snapshot? {
        try await database.writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM snapshot WHERE device = ? AND id < ? ORDER BY id DESC LIMIT 1",
                arguments: [snapshot.device, snapshot.id]
            ).map(SnapshotStore.decode)
        }
    }

    private func latest(device: String, db: Database) throws -> Snapshot? {
        try Row.fetchOne(
            db, sql: "SELECT * FROM snapshot WHERE device = ? ORDER BY id DESC LIMIT 1",
            arguments: [device]
        ).map(SnapshotStore.decode)
    }

    static func decode(_ row: Row) -> Snapshot {
        Snapshot(
            id: row["id"], device: row["device"], takenAt: row["taken_at"], software: row["software"],
            contentHash: row["content_hash"], settings: SettingsCoding.decode(row["settings"]))
    }
}
