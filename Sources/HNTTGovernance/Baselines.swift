import Foundation
import GRDB
import HNTTCore

/// An imported, approved baseline of one device.
public struct Baseline: Sendable {
    public let id: Int64
    public let device: String
    public let version: Int
    public let settings: [Setting]
    public let signer: String
    public let reference: String
    public let signedAt: String
    public let keyName: String
    public let importedAt: String
    /// The signed document this version rests on: the baseline as imported, or the change order
    /// that produced it.
    public let document: String
}

/// Approved baselines, versioned per device: an import supersedes the device's previous
/// version and keeps it in the history.
public struct BaselineStore: Sendable {
    let database: GovernanceDatabase

    public init(database: GovernanceDatabase) { self.database = database }

    /// A draft: the governed settings of each device, with the values given (live or from a snapshot).
    public static func draft(
        _ devices: [(device: InventoryDevice, profile: DeviceProfile, settings: [Setting])]
    )
        -> BaselineDocument
    {
        BaselineDocument(
            devices: devices.map { item in
                BaselineDocument.DeviceEntry(
                    device: item.device.id, profile: item.profile.id,
                    settings: item.settings.filter { KeyPattern.matchesAny($0.key, item.profile.governedKeys) })
            })
    }

    /// Verifies and imports a signed document; returns the new versions. Refuses (exit 3) a
    /// document that is unsigned, signed by an unknown key, or altered; (exit 2) one that names
    /// devices the inventory does not have.
    @discardableResult
    public func importDocument(
        _ document: BaselineDocument, documentText: String, inventory: Inventory,
        trust: TrustStore
    ) async throws -> [(device: String, version: Int)] {
        let key = try await document.verify(trusting: try trust.list())
        guard let signature = document.signature else { return [] }
        for entry in document.devices {
            _ = try inventory.device(entry.device)
        }
        let signedAt = parseTimestamp(signature.signedAt)
        return try await database.writer.write { db in
            // All devices are checked before any is written: a document imports whole or not at all.
            var existing: [String: Int] = [:]
            for entry in document.devices {
                let inForce =
                    try Int.fetchOne(
                        db, sql: "SELECT MAX(version) FROM baseline WHERE device = ?", arguments: [entry.device])
                if let same = try Int.fetchOne(
                    db, sql: "SELECT MAX(version) FROM baseline WHERE device = ? AND document = ?",
                    arguments: [entry.device, documentText]), same == inForce
                {
                    existing[entry.device] = same   // the version in force imported again: nothing new
                    continue
                }
                guard
                    let current = try Row.fetchOne(
                        db,
                        sql:
                            "SELECT version, signed_at, signer FROM baseline WHERE device = ? ORDER BY version DESC LIMIT 1",
                        arguments: [entry.device])
                else { continue }
                let currentSigned: String = current["signed_at"]
                if let signedAt, let inForce = parseTimestamp(currentSigned), signedAt < inForce {
                    let version: Int = current["version"]
                    let signer: String = current["signer"]
                    throw HNTTError(
                        .blocked,
                        "this baseline for \(entry.device) was signed at \(signature.signedAt), before version \(version)"
                            + " in force (signed at \(currentSigned) by \(signer)): importing it would undo approved changes",
                        device: entry.device,
                        fix:
                            "to go back on purpose, the Sở signs the older baseline again (`hntt baseline sign`), which makes it the newest"
                    )
                }
            }
            return try document.devices.map { entry in
                if let same = existing[entry.device] { return (entry.device, same) }
                let previous =
                    try Int.fetchOne(
                        db, sql: "SELECT MAX(version) FROM baseline WHERE device = ?", arguments: [entry.device]) ?? 0
                try db.execute(
                    sql: """
                        INSERT INTO baseline (device, version, settings, signer, reference, signed_at, key_name, imported_at, document)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        entry.device, previous + 1, SettingsCoding.encode(entry.settings), signature.signer,
                        signature.reference, signature.signedAt, key.name, timestamp(), documentText,
                    ])
                return (entry.device, previous + 1)
            }
        }
    }

    /// After an authorised change: the device's next baseline version, the current one with the
    /// changed governed keys set to their new (normalised) values, the order as its provenance.
    /// Nil when the device has no baseline yet (nothing to supersede).
    @discardableResult
    public func supersede(
        device: String, changed: [Setting], signer: String, reference: String,
        signedAt: String, document: String
    ) async throws -> Int? {
        guard let current = try await current(device: device) else { return nil }
        var settings = current.settings
        for change in changed {
            if let index = settings.firstIndex(where: { $0.key == change.key }) { settings[index].value = change.value }
        }
        let encoded = SettingsCoding.encode(settings)
        return try await database.writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO baseline (device, version, settings, signer, reference, signed_at, key_name, imported_at, document)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    device, current.version + 1, encoded, signer, reference, signedAt,
                    current.keyName, timestamp(), document,
                ])
            return current.version + 1
        }
    }

    /// The device's approved baseline in force (its newest version), if any.
    public func current(device: String) async throws -> Baseline? {
        try await database.writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM baseline WHERE device = ? ORDER BY version DESC LIMIT 1",
                arguments: [device]
            ).map(BaselineStore.decode)
        }
    }

    /// Every version of every baseline (or of one device), oldest first.
    public func history(device: String? = nil) async throws -> [Baseline] {
        try await database.writer.read { db in
            if let device {
                return try Row.fetchAll(
                    db, sql: "SELECT * FROM baseline WHERE device = ? ORDER BY version", arguments: [device]
                )
                .map(BaselineStore.decode)
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM baseline ORDER BY device, version").map(
                BaselineStore.decode)
        }
    }

    static func decode(_ row: Row) -> Baseline {
        Baseline(
            id: row["id"], device: row["device"], version: row["version"],
            settings: SettingsCoding.decode(row["settings"]),
            signer: row["signer"], reference: row["reference"], signedAt: row["signed_at"], keyName: row["key_name"],
            importedAt: row["imported_at"], document: row["document"])
    }
}
