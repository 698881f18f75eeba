import Foundation
import HNTTCore
import HNTTGovernance
import HNTTGuard
import HNTTTransport

/// What a configuration change is, for its journal and audit entries.
struct ChangeIntent: Sendable {
    let id: String
    let action: String
    let authority: String
    let order: ChangeOrder?

    /// A signed order's change, by `action` (`change apply`, `config set`).
    init(_ action: String, of order: ChangeOrder) {
        self.init(id: order.id, action: action, authority: "order \(order.signature?.reference ?? "?")", order: order)
    }

    init(id: String, action: String, authority: String, order: ChangeOrder?) {
        self.id = id
        self.action = action
        self.authority = authority
        self.order = order
    }
}

/// A change that did not finish, as `hntt change status` shows it.
public struct PendingChange: Sendable {
    public let journal: ChangeJournal
    /// True while the process applying it still runs.
    public let running: Bool
}

/// Change orders, single settings and remediation: intent first (a journal of the previous values
/// before the first write), all devices or none, a confirmation window that outlives the process,
/// and whoever runs next finishing or undoing what a dead process left (Điều 3.3).
extension Gateway {
    /// Applies a signed change order on every device it names, or on none.
    public func applyOrder(file: String, confirmWithin: Double?, by caller: Caller) async throws -> ChangeOutcome {
        let order = try? ChangeOrder.load(path: file)
        let record = AuditRecord(
            device: order?.devices.map(\.device).joined(separator: ",") ?? "*", action: "change apply",
            detail: "order \(order?.signature?.reference ?? "?") (\(order?.id ?? file))")
        return try await audited(record, by: caller) {
            let order = try ChangeOrder.load(path: file)
            for entry in order.devices { _ = try device(entry.device) }
            let approved = try await Authorizer(database: try await openDatabase()).authorize(order)
            let reports = try await applyChanges(
                approved, intent: ChangeIntent("change apply", of: order), confirmWithin: confirmWithin, by: caller)
            return ChangeOutcome(order: order, reports: reports)
        }
    }

    /// One setting, exactly as a signed order allows it (`config set --authorization`).
    public func setConfiguration(
        _ id: String, key: String, value: String, authorization: String?,
        by caller: Caller
    ) async throws -> ApplyReport {
        try await audited(AuditRecord(device: id, action: "config set", detail: "key \(key)"), by: caller) {
            _ = try device(id)
            guard let authorization else {
                throw HNTTError(
                    .blocked, "changing \(key) on \(id) needs a signed change order (Điều 3.3)", device: id,
                    fix: Authorizer.whoCanAuthorise + "; then pass --authorization FILE")
            }
            let order = try ChangeOrder.load(path: authorization)
            let approved = try await Authorizer(database: try await openDatabase()).authorize(
                order, exactly: (id, key, value))
            let reports = try await applyChanges(
                approved, intent: ChangeIntent("config set", of: order), confirmWithin: nil, by: caller)
            return reports[0]
        }
    }

    /// Confirms a change applied with a confirmation window; a window left open by a process that
    /// has ended is finished at once.
    public func confirmOrder(_ orderID: String, by caller: Caller) async throws {
        try await audited(AuditRecord(device: "*", action: "change confirm", detail: "order \(orderID)"), by: caller) {
            try await OrderLedger(database: try await openDatabase()).confirm(orderID: orderID)
        }
        _ = await recoverChanges(touching: nil, by: caller)
    }

    /// The changes not finished: applying now, waiting for confirmation, or left by a process that died.
    public func pendingChanges() async throws -> [PendingChange] {
        let journals = ChangeJournals(data: data, secrets: secrets)
        return try await onOwnThread {
            try journals.paths().map { path in
                let lock = JournalLock(path: path)
                defer { lock?.release(path: path, removing: false) }
                return PendingChange(journal: try journals.read(path), running: lock == nil)
            }
        }
    }

    /// Applies approved changes device by device, key by key. Before the first write a journal of
    /// the previous values is on disk; any failure, interruption or missing confirmation puts every
    /// device already changed back; only a finished change consumes its order and becomes the next
    /// baseline version.
    func applyChanges(
        _ approved: [ApprovedChange], intent: ChangeIntent, confirmWithin: Double?, by caller: Caller
    ) async throws -> [ApplyReport] {
        let database = try await openDatabase()
        let journals = ChangeJournals(data: data, secrets: secrets)
        let path = journals.path(intent.id)
        let ledger = OrderLedger(database: database)
        guard let lock = JournalLock(path: path) else {
            throw HNTTError(
                .blocked, "another hntt is applying \(intent.authority) right now", fix: "wait for it to finish")
        }
        var journal = ChangeJournal(
            id: intent.id, action: intent.action, authority: intent.authority, startedAt: timestamp(),
            operatorName: caller.operatorName ?? "", orderText: intent.order?.yaml())
        do {
            try await onOwnThread { [journal] in try journals.write(journal) }
        } catch {
            lock.release(path: path, removing: true)
            try? await ledger.release(id: intent.id)
            throw error
        }
        var reports: [ApplyReport] = []
        do {
            for device in Set(approved.map(\.device)).sorted() {
                let changes = approved.filter { $0.device == device }
                reports.append(
                    try await applyOnDevice(changes, recordingIn: &journal, journals: journals, database: database))
            }
            if let confirmWithin {
                journal.phase = .awaitingConfirmation
                journal.confirmBy = timestamp(Date().addingTimeInterval(confirmWithin))
                try await onOwnThread { [journal] in try journals.write(journal) }
                try await waitForConfirmation(intent, within: confirmWithin, ledger: ledger)
            }
        } catch {
            let cause = (error as? HNTTError) ?? HNTTError(.unreachable, "\(error)")
            // Every device the journal names, the failing one included (its own restore is read back once more).
            let failed = await rollBack(journal.devices, authority: intent.authority)
            let whole = failed.isEmpty
            if whole {
                _ = try? await onOwnThread { journals.remove(intent.id) }
                try? await ledger.release(id: intent.id)
            }
            lock.release(path: path, removing: whole)
            throw ChangeActions.allOrNothing(cause, putBack: reports.map(\.device), failed: failed)
        }
        try await finish(journal, database: database)
        _ = try? await onOwnThread { journals.remove(intent.id) }
        lock.release(path: path, removing: true)
        return reports
    }

    /// One device through the guard's safe apply; its previous values reach the journal before the first write.
    private func applyOnDevice(
        _ changes: [ApprovedChange], recordingIn journal: inout ChangeJournal, journals: ChangeJournals,
        database: GovernanceDatabase
    ) async throws -> ApplyReport {
        let deviceID = changes[0].device
        let profile = try profile(of: device(deviceID))
        let normaliser = try normaliser()
        let snapshots = SnapshotStore(database: database)
        let recorded = JournalBox(journal)
        defer { journal = recorded.value }
        return try await withDevice(deviceID, recovering: false) { driver -> ApplyReport in
            guard let codec = driver as? any ConfigurableCodec else {
                throw HNTTError(
                    .badInput, "\(deviceID) has no configuration hntt can change", device: deviceID,
                    fix: "change codecs only")
            }
            return try await SafeApplier(authorizer: Authorizer(database: database)).apply(
                changes, on: codec, isSecret: profile.isSecret,
                recordBefore: { before in
                    // Intent first: the previous values are on disk before anything is written.
                    let previous = changes.compactMap { change in
                        before[change.key].map { Setting(key: change.key, value: $0) }
                    }
                    recorded.value.devices.append(.init(device: deviceID, previous: previous))
                    let snapshot = recorded.value
                    try await onOwnThread { try journals.write(snapshot) }
                    // The state before the change, kept as evidence.
                    _ = try await snapshots.record(
                        device: deviceID, software: "before \(changes[0].authority)",
                        settings: normaliser.normalise(before, profile: profile))
                },
                interrupted: { Interrupts.reason })
        }
    }

    private func waitForConfirmation(_ intent: ChangeIntent, within seconds: Double, ledger: OrderLedger) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? await ledger.isConfirmed(orderID: intent.id)) == true { return }
            if let reason = Interrupts.reason {
                throw HNTTError(
                    .unreachable, "interrupted by \(reason) while waiting for confirmation",
                    fix: "apply the order again when the session can stay open")
            }
            try? await Task.sleep(nanoseconds: 200_000_000)
        }
        if (try? await ledger.isConfirmed(orderID: intent.id)) == true { return }
        throw HNTTError(
            .unreachable, "the change was not confirmed within \(Int(seconds)) s",
            fix: "apply it again and confirm with `hntt change confirm \(intent.id)` once the device answers")
    }

    /// A finished change: its order is used for good, and the approved state moves with it.
    private func finish(_ journal: ChangeJournal, database: GovernanceDatabase) async throws {
        guard let text = journal.orderText, let order = try? ChangeOrder.load(text: text, name: "order"),
            let signature = order.signature
        else { return }
        try await OrderLedger(database: database).recordUsed(id: order.id, reference: signature.reference)
        let normaliser = try normaliser()
        for entry in journal.devices {
            let profile = try profile(of: device(entry.device))
            let signed = order.devices.first { $0.device == entry.device }?.changes ?? []
            let changed = signed.filter { change in entry.previous.contains { $0.key == change.key } }.map {
                Setting(key: $0.key, value: profile.isSecret($0.key) ? normaliser.protect($0.value) : $0.value)
            }
            try await BaselineStore(database: database).supersede(
                device: entry.device, changed: changed, signer: signature.signer, reference: signature.reference,
                signedAt: signature.signedAt, document: order.yaml())
        }
    }

    /// Puts each device's previous values back; returns `device: key` for what could not be restored.
    func rollBack(_ entries: [ChangeJournal.DeviceEntry], authority: String) async -> [String] {
        var failed: [String] = []
        for entry in entries.reversed() {
            let database = try? await openDatabase()
            do {
                let keys = try await withDevice(entry.device, recovering: false) { driver -> [String] in
                    guard let codec = driver as? any ConfigurableCodec, let database else {
                        return entry.previous.map(\.key)
                    }
                    return await SafeApplier(authorizer: Authorizer(database: database)).putBack(
                        entry.previous, device: entry.device, undoing: authority, on: codec)
                }
                failed += keys.map { "\(entry.device): \($0)" }
            } catch {
                failed += entry.previous.map { "\(entry.device): \($0.key)" }
            }
        }
        return failed
    }

    /// Finishes or undoes what a process that died left in the journal: before a command acts on a
    /// device (and when `hntt serve` starts). Returns one line per journal handled.
    @discardableResult
    public func recoverChanges(touching device: String?, by caller: Caller = Caller(operatorName: nil)) async
        -> [String]
    {
        let journals = ChangeJournals(data: data, secrets: secrets)
        var lines: [String] = []
        for path in (try? await onOwnThread({ journals.paths() })) ?? [] {
            guard let lock = JournalLock(path: path) else { continue }   // its process still runs
            guard let journal = try? await onOwnThread({ try journals.read(path) }) else {
                lock.release(path: path, removing: false)
                continue
            }
            if let device, !journal.devices.isEmpty, !journal.devices.contains(where: { $0.device == device }) {
                lock.release(path: path, removing: false)
                continue
            }
            let line = await recover(journal, by: caller)
            lines.append(line.text)
            if line.done { _ = try? await onOwnThread { journals.remove(journal.id) } }
            lock.release(path: path, removing: line.done)
        }
        return lines
    }

    private func recover(_ journal: ChangeJournal, by caller: Caller) async -> (text: String, done: Bool) {
        let devices = journal.devices.map(\.device).joined(separator: ",")
        let record = AuditRecord(
            device: devices.isEmpty ? "*" : devices, action: "change recover",
            detail: "\(journal.action) \(journal.authority) (\(journal.id)) left \(journal.phase.rawValue)")
        let database = try? await openDatabase()
        let ledger = database.map(OrderLedger.init)
        if journal.phase == .awaitingConfirmation {
            let confirmed = (try? await ledger?.isConfirmed(orderID: journal.id)) == true
            if confirmed, let database {
                do {
                    try await finish(journal, database: database)
                    await audit(record, by: caller, outcome: "done", why: "confirmed: the change stands")
                    return ("\(journal.authority): confirmed after its process ended; the change stands", true)
                } catch {
                    return ("\(journal.authority): confirmed, but finishing failed: \(error)", false)
                }
            }
            if let until = journal.confirmBy.flatMap(parseTimestamp), Date() < until {
                return ("\(journal.authority): waiting for confirmation until \(journal.confirmBy ?? "")", false)
            }
        }
        let failed = await rollBack(journal.devices, authority: journal.authority)
        if failed.isEmpty {
            try? await ledger?.release(id: journal.id)
            await audit(record, by: caller, outcome: "done", why: "previous values put back and read back")
            return (
                "\(journal.authority): interrupted; \(devices.isEmpty ? "nothing was written" : "the previous values of \(devices) were put back")",
                true
            )
        }
        await audit(record, by: caller, outcome: "failed", why: "could not put back \(failed.joined(separator: ", "))")
        return ("\(journal.authority): interrupted; RESTORING FAILED for \(failed.joined(separator: ", "))", false)
    }
}

/// The journal as the safe apply's hook changes it (the hook cannot capture an inout).
final class JournalBox: @unchecked Sendable {
    var value: ChangeJournal
    init(_ value: ChangeJournal) { self.value = value }
}

enum ChangeActions {
    /// The error of a change undone on every device (or, if undoing failed, what is where).
    static func allOrNothing(_ cause: HNTTError, putBack: [String], failed: [String]) -> HNTTError {
        if failed.isEmpty {
            let others =
                putBack.isEmpty
                ? ""
                : " The devices already changed (\(putBack.joined(separator: ", "))) were put back too: every device is as it was, and the order is not used up."
            return HNTTError(cause.category, cause.message + others, device: cause.device, fix: cause.fix)
        }
        return HNTTError(
            .deviceError,
            cause.message + " RESTORING FAILED: \(failed.joined(separator: ", ")) may still hold new values.",
            device: cause.device,
            fix: "check with `hntt config get`; `hntt change status` keeps the change listed until it is put back")
    }
}
