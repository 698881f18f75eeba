import Foundation
import HNTTCore
import HNTTGovernance
import HNTTGuard
import HNTTTransport

/// A device's configuration as read for governance: normalised (volatile keys out, secrets as
/// keyed hashes), with the keys its firmware lacks and the software it reports.
public struct LiveConfiguration: Sendable {
    public let software: String
    public let settings: [Setting]
    public let unsupported: [String]
}

/// One device's snapshot, or why there is none.
public struct SnapshotOutcome: Sendable {
    public let device: String
    public let snapshot: Snapshot?
    public let isNew: Bool
    public let unsupported: [String]
    public let error: HNTTError?
}

/// What remediation did on one drifted device.
public struct RemediationOutcome: Sendable {
    public let device: String
    /// Keys put back to their approved values.
    public let putBack: [String]
    /// Secret keys that cannot be put back (only a keyed hash of the approved value is kept).
    public let secretsLeft: [String]
    public let error: HNTTError?

    /// True when the device is as approved now.
    public var settled: Bool { error == nil && secretsLeft.isEmpty }
}

/// What a change order did on each device.
public struct ChangeOutcome: Sendable {
    public let order: ChangeOrder
    public let reports: [ApplyReport]
}

/// Snapshots, drift, remediation, baselines and change orders (Điều 3.3): every write to a
/// device's configuration goes through the guard's safe apply, here and nowhere else.
extension Gateway {
    public func normaliser() throws -> SnapshotNormaliser { try SnapshotNormaliser(secrets: secrets) }

    /// The configuration read live and normalised.
    public func liveConfiguration(_ device: InventoryDevice, normaliser: SnapshotNormaliser) async throws
        -> LiveConfiguration
    {
        let profile = try profile(of: device)
        guard try isCodec(device) else {
            throw HNTTError(
                .badInput, "\(device.id) is a \(try kind(of: device).rawValue): it has no configuration to read",
                device: device.id, fix: "snapshots and baselines are for codecs")
        }
        return try await withCodec(device.id) { codec in
            try await Gateway.liveConfiguration(of: codec, profile: profile, normaliser: normaliser)
        }
    }

    /// The configuration read live through a driver already in hand (a procedure's).
    static func liveConfiguration(of codec: any CodecDriver, profile: DeviceProfile, normaliser: SnapshotNormaliser)
        async throws -> LiveConfiguration
    {
        let software = try await codec.checkLogin()
        let settings = try await codec.configuration(key: nil)
        return LiveConfiguration(
            software: software, settings: normaliser.normalise(settings, profile: profile),
            unsupported: settings.unsupported)
    }

    /// Every codec of the inventory.
    public func codecs() throws -> [InventoryDevice] { try inventory().devices.filter { try isCodec($0) } }

    /// Reads and stores snapshots, `parallel` devices at once; a failure costs only its device.
    public func snapshot(
        _ devices: [InventoryDevice], parallel: Int,
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws -> [SnapshotOutcome] {
        let store = SnapshotStore(database: try await openDatabase())
        let normaliser = try normaliser()
        return await forEachBounded(devices, parallel: parallel, progress: progress) { device in
            do {
                let live = try await self.liveConfiguration(device, normaliser: normaliser)
                let (snapshot, isNew) = try await store.record(
                    device: device.id, software: live.software, settings: live.settings)
                return SnapshotOutcome(
                    device: device.id, snapshot: snapshot, isNew: isNew, unsupported: live.unsupported, error: nil)
            } catch {
                let failure = (error as? HNTTError ?? HNTTError(.deviceError, "\(error)")).on(device: device.id)
                return SnapshotOutcome(device: device.id, snapshot: nil, isNew: false, unsupported: [], error: failure)
            }
        }
    }

    /// A drift check of every codec, audited under `caller` (the service's button and API).
    public func checkDrift(by caller: Caller, parallel: Int = 8) async throws -> [DriftReport] {
        try await audited(AuditRecord(device: "-", action: "drift"), by: caller) {
            try await drift(try codecs(), parallel: parallel)
        }
    }

    /// Compares live configuration with the approved baselines; every result is recorded.
    public func drift(
        _ devices: [InventoryDevice], parallel: Int,
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws -> [DriftReport] {
        let normaliser = try normaliser()
        return try await DriftChecker(database: try await openDatabase()).check(
            devices, parallel: max(1, parallel),
            read: { device in
                let live = try await self.liveConfiguration(device, normaliser: normaliser)
                return ConfigurationSettings(live.settings, unsupported: live.unsupported)
            }, progress: progress)
    }

    /// Puts drifted keys back to their approved values, each device through the guard's safe
    /// apply, after the baseline in force has been verified against its signed documents.
    public func remediate(_ reports: [DriftReport], by caller: Caller) async throws -> [RemediationOutcome] {
        let database = try await openDatabase()
        var outcomes: [RemediationOutcome] = []
        for report in reports where report.status == .drift {
            do {
                let baseline = try await verifiedBaseline(of: report.device)
                guard let baseline else { continue }
                let keys = report.changes.map(\.key)
                let changes = Authorizer(database: database).authorize(baseline: baseline, keys: keys)
                let secrets = keys.filter { key in !changes.contains { $0.key == key } }
                if !changes.isEmpty {
                    _ = try await audited(
                        AuditRecord(
                            device: report.device, action: "remediate",
                            detail: "baseline v\(baseline.version): \(changes.map(\.key).joined(separator: ", "))"),
                        by: caller
                    ) {
                        try await applyChanges(
                            changes,
                            intent: ChangeIntent(
                                id: "remediation-\(UUID().uuidString.lowercased())", action: "remediate",
                                authority: "baseline v\(baseline.version)", order: nil),
                            confirmWithin: nil, by: caller)
                    }
                }
                outcomes.append(
                    RemediationOutcome(
                        device: report.device, putBack: changes.map(\.key), secretsLeft: secrets, error: nil))
            } catch let error as HNTTError {
                outcomes.append(
                    RemediationOutcome(
                        device: report.device, putBack: [], secretsLeft: [], error: error.on(device: report.device)))
            }
        }
        return outcomes
    }

    /// The device's baseline in force, checked against the signed documents it rests on.
    public func verifiedBaseline(of device: String) async throws -> Baseline? {
        let database = try await openDatabase()
        let normaliser = try normaliser()
        let profile = try profile(of: self.device(device))
        return try await BaselineStore(database: database).verifiedCurrent(
            device: device, trust: TrustStore(database: database)
        ) { key, value in
            profile.isSecret(key) ? normaliser.protect(value) : value
        }
    }

    /// A draft baseline: each device's governed settings, live or from a snapshot.
    public func draftBaseline(_ ids: [String], fromSnapshot: Int64?) async throws -> BaselineDocument {
        let inventory = try inventory()
        let normaliser = try normaliser()
        var entries: [(device: InventoryDevice, profile: DeviceProfile, settings: [Setting])] = []
        for id in ids {
            let device = try inventory.device(id)
            let profile = try profile(of: device)
            if let fromSnapshot {
                let snapshot = try await SnapshotStore(database: try await openDatabase()).snapshot(id: fromSnapshot)
                guard snapshot.device == id else {
                    throw HNTTError(
                        .badInput, "snapshot \(fromSnapshot) is of \(snapshot.device), not \(id)",
                        fix: "name one device per snapshot")
                }
                entries.append((device, profile, snapshot.settings))
            } else {
                entries.append((device, profile, try await liveConfiguration(device, normaliser: normaliser).settings))
            }
        }
        return BaselineStore.draft(entries)
    }

    /// Verifies and imports a signed baseline file; returns the new versions.
    public func importBaseline(file: String, by caller: Caller) async throws -> [(device: String, version: Int)] {
        try await audited(AuditRecord(device: "*", action: "baseline import", detail: "file \(file)"), by: caller) {
            let document = try BaselineDocument.load(path: file)
            let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            return try await importVerified(document, text: text)
        }
    }

    /// Verifies and imports a signed baseline the hub carried (`source` names it in the audit log).
    public func importBaseline(text: String, source: String, by caller: Caller) async throws -> [(
        device: String, version: Int
    )] {
        try await audited(AuditRecord(device: "*", action: "baseline import", detail: source), by: caller) {
            try await importVerified(BaselineDocument.load(text: text, name: source), text: text)
        }
    }

    /// The one check and import of a baseline, whoever brought it: this gateway's own trust store decides.
    private func importVerified(_ document: BaselineDocument, text: String) async throws -> [(
        device: String, version: Int
    )] {
        let database = try await openDatabase()
        return try await BaselineStore(database: database).importDocument(
            document, documentText: text, inventory: try inventory(), trust: TrustStore(database: database))
    }
}

extension Gateway {
    /// Where orders the hub carried wait for a technician: `DATA/orders/`.
    public var receivedOrdersFolder: String { data.path + "/orders" }

    /// A signed change order the hub carried: verified against this gateway's own trust store and inventory,
    /// then kept in ``receivedOrdersFolder`` for a technician to apply with `hntt change apply FILE` at the
    /// right moment (Điều 3.2). Receiving changes no device. Returns the file.
    public func receiveOrder(text: String, source: String, by caller: Caller) async throws -> String {
        let order = try? ChangeOrder.load(text: text, name: source)
        let record = AuditRecord(
            device: order?.devices.map(\.device).joined(separator: ",") ?? "*", action: "order receive",
            detail: "order \(order?.signature?.reference ?? "?") (\(source))")
        return try await audited(record, by: caller) {
            let order = try ChangeOrder.load(text: text, name: source)
            _ = try order.verify(trusting: try await TrustStore(database: openDatabase()).list())
            for entry in order.devices { _ = try device(entry.device) }
            let name = String(order.id.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "-" }.prefix(80))
            let folder = receivedOrdersFolder
            let path = "\(folder)/\(name.isEmpty ? "order" : name).yaml"
            try await onOwnThread {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            }
            return path
        }
    }
}
