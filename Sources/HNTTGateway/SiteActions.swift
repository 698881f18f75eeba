import Foundation
import HNTTCore
import HNTTGovernance
import HNTTTransport

/// A host key presented by a device and pinned.
public struct PinnedHostKey: Sendable {
    public let device: String
    public let host: String
    public let port: UInt16
    public let fingerprint: String
    /// The inventory pins another key, which takes precedence.
    public let inventoryPin: String?
}

/// The site: credentials, host keys, approval keys, the inventory's devices checked.
extension Gateway {
    /// Connects and logs in to every device, `parallel` at once, changing nothing.
    public func checkLogins(
        _ devices: [InventoryDevice], parallel: Int,
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) async -> [String: Result<String, HNTTError>] {
        let results = await forEachBounded(devices, parallel: parallel, progress: progress) {
            device -> (String, Result<String, HNTTError>) in
            do {
                return (device.id, .success(try await self.withDevice(device.id) { try await $0.checkLogin() }))
            } catch let error as HNTTError {
                return (device.id, .failure(error.on(device: device.id)))
            } catch {
                return (device.id, .failure(HNTTError(.unreachable, "\(error)", device: device.id)))
            }
        }
        return Dictionary(results, uniquingKeysWith: { first, _ in first })
    }

    /// The stored credentials (name and login name, never the password) and the devices that use each.
    public func credentials() async throws -> [StoredCredential] {
        let secrets = self.secrets
        let accounts = try await onOwnThread { try secrets.accounts() }
        let devices = (try? inventory().rooms.flatMap(\.devices)) ?? []
        return accounts.map { account in
            StoredCredential(
                name: account.name, username: account.username,
                devices: devices.filter { $0.credential == account.name }.map(\.id))
        }
    }

    /// Stores a credential, encrypted.
    public func storeCredential(name: String, username: String, password: SecretText, by caller: Caller) async throws {
        try await audited(
            AuditRecord(device: "*", action: "secret set", detail: "credential \(name) for user \(username)"),
            by: caller
        ) {
            let secrets = self.secrets
            let data = self.data
            try await onOwnThread {
                try data.ensureExists()
                try secrets.set(name: name, username: username, password: password)
            }
        }
    }

    /// Connects to an SSH device (its host key) or an HTTPS device (its certificate's SHA-256), reads the
    /// fingerprint and pins it; a changed one is refused unless `replace`. Nothing but the handshake is sent.
    public func trustHost(_ id: String, expected: String?, replace: Bool, by caller: Caller) async throws
        -> PinnedHostKey
    {
        try await audited(AuditRecord(device: id, action: "trust-host", detail: replace ? "replace" : ""), by: caller) {
            let entry = try device(id)
            guard [.ssh, .https].contains(entry.transport), let host = entry.host, let port = entry.port else {
                throw HNTTError(
                    .badInput, "\(id) is not reached over SSH or HTTPS; only those have keys to pin", device: id)
            }
            let what = entry.transport == .ssh ? "host key" : "certificate"
            let deadline = Deadline.after(seconds: try profile(of: entry).timeouts.connect)
            // One form per transport: SSH's `SHA256:base64`, a certificate's `SHA256:AB:CD:…`.
            let isSSH = entry.transport == .ssh
            let normalise: @Sendable (String) -> String = { text in
                isSSH ? SSHTransport.normalise(text) : PinnedHTTPSClient.pinForm(text)
            }
            let presented: String = try await attributing(to: id) {
                if isSSH { return try await SSHTransport.probeHostKey(host: host, port: port, deadline: deadline) }
                let client = PinnedHTTPSClient(host: host, port: Int(port), fingerprint: nil, credentials: nil)
                return normalise(try await client.fingerprint(deadline: deadline))
            }
            if let expected, normalise(expected) != presented {
                throw HNTTError(
                    .hostKey, "the device presents \(presented), not the expected \(normalise(expected))",
                    device: id, fix: "check the fingerprint on the device itself; nothing was pinned")
            }
            if let previous = pins.pin(for: id).map(normalise), previous != presented, !replace {
                throw HNTTError(
                    .hostKey, "the \(what) CHANGED: pinned \(previous), presented \(presented); nothing was pinned",
                    device: id,
                    fix:
                        "if the device was replaced or reset, confirm the new \(what) on the device and run "
                        + "`hntt trust-host \(id) --replace`")
            }
            let pins = self.pins
            try await onOwnThread { try pins.store(presented, for: id, normalise: normalise) }
            let inventoryPin = (entry.transport == .ssh ? entry.hostKey : entry.tlsFingerprint).flatMap {
                normalise($0) == presented ? nil : $0
            }
            return PinnedHostKey(device: id, host: host, port: port, fingerprint: presented, inventoryPin: inventoryPin)
        }
    }

    /// Trusts an approval public key (a file, or the key itself).
    public func trustKey(_ file: String, name: String, by caller: Caller) async throws -> String {
        try await audited(AuditRecord(device: "*", action: "trust add", detail: "key \(name)"), by: caller) {
            let key = try ApprovalKeys.loadPublic(file)
            try await TrustStore(database: try await openDatabase()).add(name: name, publicKey: key)
            return key
        }
    }

    public func untrustKey(_ name: String, by caller: Caller) async throws {
        try await audited(AuditRecord(device: "*", action: "trust remove", detail: "key \(name)"), by: caller) {
            try await TrustStore(database: try await openDatabase()).remove(name: name)
        }
    }

    public func trustedKeys() async throws -> [TrustedKey] {
        try await TrustStore(database: try await openDatabase()).list()
    }

    // MARK: - Snapshots stored

    public func snapshots(of device: String) async throws -> [Snapshot] {
        try await SnapshotStore(database: try await openDatabase()).list(device: device)
    }

    public func storedSnapshot(_ id: Int64) async throws -> Snapshot {
        try await SnapshotStore(database: try await openDatabase()).snapshot(id: id)
    }

    /// What changed between two snapshots, or between one and the one before it.
    public func snapshotDiff(_ first: Int64, _ second: Int64?) async throws -> (
        from: Snapshot, to: Snapshot, changes: [SettingChange]
    ) {
        let store = SnapshotStore(database: try await openDatabase())
        var older = try await store.snapshot(id: first)
        var newer = older
        if let second {
            newer = try await store.snapshot(id: second)
        } else {
            guard let previous = try await store.previous(of: older) else {
                throw HNTTError(
                    .badInput, "snapshot \(first) is the first of \(older.device); nothing to compare with",
                    fix: "give two snapshot ids")
            }
            older = previous
        }
        return (older, newer, SettingsDiff.changes(from: older.settings, to: newer.settings))
    }

    // MARK: - Baselines stored

    public func baselineHistory(device: String?) async throws -> [Baseline] {
        try await BaselineStore(database: try await openDatabase()).history(device: device)
    }

    public func baselineInForce(device: String) async throws -> Baseline {
        guard let baseline = try await BaselineStore(database: try await openDatabase()).current(device: device) else {
            throw HNTTError(
                .badInput, "\(device) has no approved baseline", device: device,
                fix:
                    "draft one with `hntt baseline draft \(device) -o FILE`, have it signed, then `hntt baseline import FILE`"
            )
        }
        return baseline
    }

    // MARK: - Documents' data

    /// The yearly report's figures (Điều 5.8), from the logbook, the drift history and the audit log.
    public func yearlyReport(_ year: Int) async throws -> YearlyReport {
        let database = try await openDatabase()
        var drift: [(device: String, status: String, at: String)] = []
        for device in try inventory().devices {
            for result in try await DriftChecker(database: database).history(device: device.id, limit: 100_000) {
                drift.append((device.id, result.status, result.checkedAt))
            }
        }
        let logbook = try await Logbook(database: database).list()
        let audit = try await AuditLog(database: database).list(limit: 1_000_000)
        let records = YearlyReport.Records(logbook: logbook, drift: drift, audit: audit, bookings: try await bookings())
        var report = records.report(year: year, now: now())
        let heads = database.anchors
        report.chainHeads = try await onOwnThread { heads.heads() }.sorted { $0.key < $1.key }.map {
            ($0.key, $0.value.id, $0.value.hash)
        }
        return report
    }
}

/// A credential as it may be shown: its name, login name and users, never its password.
public struct StoredCredential: Sendable, Equatable {
    public let name: String
    public let username: String
    public let devices: [String]
}
