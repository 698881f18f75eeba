import Foundation
import GRDB
import HNTTCore

/// One device's drift result.
public struct DriftReport: Sendable, Equatable {
    public enum Status: String, Sendable {
        case clean, drift, unreachable
        case noBaseline = "no-baseline"
        case error
    }

    public let device: String
    public let status: Status
    /// Approved → live for each governed key that differs (secrets as keyed hashes).
    public let changes: [SettingChange]
    public let error: String?
    public let baselineVersion: Int?
    /// Approved keys this device's firmware does not have (refused as unknown, or absent from
    /// its configuration): not drift, but the baseline governs nothing there.
    public var unsupported: [String] = []

    public init(
        device: String, status: Status, changes: [SettingChange], error: String?, baselineVersion: Int?
    ) {
        self.device = device
        self.status = status
        self.changes = changes
        self.error = error
        self.baselineVersion = baselineVersion
    }
}

/// Compares live configuration with the approved baselines, many devices at once with a
/// bound on concurrency; a slow or dead device costs only its own timeout. Every result is
/// recorded (drift history per device).
public struct DriftChecker: Sendable {
    /// Reads a device's live configuration (normalised, with the keys its firmware lacks);
    /// throws ``HNTTError`` when it cannot.
    public typealias Reader = @Sendable (InventoryDevice) async throws -> ConfigurationSettings

    let database: GovernanceDatabase
    let baselines: BaselineStore

    public init(database: GovernanceDatabase) {
        self.database = database
        baselines = BaselineStore(database: database)
    }

    public func check(
        _ devices: [InventoryDevice], parallel: Int, read: @escaping Reader,
        progress: @escaping @Sendable (_ done: Int, _ total: Int) -> Void = { _, _ in }
    ) async throws -> [DriftReport] {
        var approved: [String: Baseline] = [:]
        for device in devices {
            if let baseline = try await baselines.current(device: device.id) { approved[device.id] = baseline }
        }
        let frozen = approved
        let reports = await forEachBounded(devices, parallel: parallel, progress: progress) { device in
            await DriftChecker.checkOne(device, baseline: frozen[device.id], read: read)
        }
        try await record(reports)
        return reports
    }

    static func checkOne(_ device: InventoryDevice, baseline: Baseline?, read: Reader) async -> DriftReport {
        guard let baseline else {
            return DriftReport(device: device.id, status: .noBaseline, changes: [], error: nil, baselineVersion: nil)
        }
        do {
            let live = try await read(device)
            let liveValues = Dictionary(
                live.entries.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
            let lacking = Set(live.unsupported)
            var unsupported: [String] = []
            let changes = baseline.settings.compactMap { approved -> SettingChange? in
                guard let value = liveValues[approved.key] else {
                    if lacking.contains(approved.key) || !live.entries.isEmpty {
                        unsupported.append(approved.key)
                        return nil
                    }
                    return SettingChange(key: approved.key, before: approved.value, after: nil)
                }
                return value == approved.value
                    ? nil : SettingChange(key: approved.key, before: approved.value, after: value)
            }
            var report = DriftReport(
                device: device.id, status: changes.isEmpty ? .clean : .drift, changes: changes, error: nil,
                baselineVersion: baseline.version)
            report.unsupported = unsupported
            return report
        } catch let error as HNTTError {
            let status: DriftReport.Status = error.exitCode == 5 ? .unreachable : .error
            return DriftReport(
                device: device.id, status: status, changes: [], error: error.message, baselineVersion: baseline.version)
        } catch {
            return DriftReport(
                device: device.id, status: .error, changes: [], error: "\(error)", baselineVersion: baseline.version)
        }
    }

    /// Records results as checked at `date` (the checks do; a load generator writes a past year).
    public func record(_ reports: [DriftReport], at date: Date = Date()) async throws {
        let now = timestamp(date)
        try await database.writer.write { db in
            for report in reports {
                let changes = report.changes.map {
                    ["key": $0.key, "approved": $0.before ?? "", "live": $0.after ?? ""]
                }
                let json =
                    (try? JSONSerialization.data(withJSONObject: changes)).map { String(decoding: $0, as: UTF8.self) }
                    ?? "[]"
                try db.execute(
                    sql: """
                        INSERT INTO drift_result (device, checked_at, status, baseline_version, changes, error) VALUES (?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [report.device, now, report.status.rawValue, report.baselineVersion, json, report.error])
            }
        }
    }

    /// Every device's newest result in one read.
    public func latest() async throws -> [String: (checkedAt: String, status: String)] {
        try await database.writer.read { db in
            var latest: [String: (checkedAt: String, status: String)] = [:]
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT device, checked_at, status FROM drift_result
                    WHERE id IN (SELECT MAX(id) FROM drift_result GROUP BY device)
                    """)
            for row in rows { latest[row["device"]] = (row["checked_at"], row["status"]) }
            return latest
        }
    }

    /// The recorded results of one device, newest first.
    public func history(device: String, limit: Int = 50) async throws -> [(checkedAt: String, status: String)] {
        try await database.writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT checked_at, status FROM drift_result WHERE device = ? ORDER BY id DESC LIMIT ?",
                arguments: [device, limit]
            ).map { ($0["checked_at"], $0["status"]) }
        }
    }
}
