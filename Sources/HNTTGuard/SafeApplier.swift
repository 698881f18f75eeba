import Foundation
@_spi(Guard) import HNTTCore
import HNTTGovernance

/// What a safe apply did.
public struct ApplyReport: Sendable {
    public let device: String
    /// The approved changes now in force.
    public let applied: [ApprovedChange]
    /// Each key's value before the change.
    public let previous: [String: String]
}

/// Applies approved changes so that a device is never left half-changed: read the whole
/// configuration first, write key by key and read each back; on any error, timeout or mismatch
/// put back every key already changed, read the whole configuration again and compare it with
/// the one before. With a confirmation window, the change is undone the same way unless a
/// person confirms it in time (for changes that may cut the connection).
public struct SafeApplier: Sendable {
    let authorizer: Authorizer

    public init(authorizer: Authorizer) { self.authorizer = authorizer }

    /// `confirmed` is asked every half second during the confirmation window.
    /// `recordBefore` receives the whole configuration read before anything is written (the
    /// caller stores it as a snapshot).
    /// `interrupted` is asked before each write and during the window: a reason (`SIGHUP`) stops the
    /// apply, and what was changed is put back before the error is thrown.
    /// `isSecret` (the profile's rule) keeps a secret key's read-back value out of the error.
    public func apply(
        _ changes: [ApprovedChange], on driver: any ConfigurableCodec, isSecret: (String) -> Bool,
        confirmWithin: Double? = nil,
        recordBefore: (ConfigurationSettings) async throws -> Void = { _ in },
        confirmed: @Sendable () async -> Bool = { false },
        interrupted: @Sendable () -> String? = { nil }
    ) async throws -> ApplyReport {
        guard let device = changes.first?.device else {
            throw HNTTError(.badInput, "nothing to apply", fix: "name at least one key")
        }
        let before = try await driver.configuration(key: nil)
        try await recordBefore(before)
        var previous: [String: String] = [:]
        for change in changes {
            guard let value = before[change.key] else {
                throw HNTTError(
                    .deviceError, "\(device) has no configuration key \"\(change.key)\"; nothing was changed",
                    device: device,
                    fix: "check the key's spelling against `hntt config get \(device)`")
            }
            previous[change.key] = value
        }
        var done: [ApprovedChange] = []
        for change in changes {
            if let reason = interrupted() {
                try await restore(
                    done, previous: previous, before: before, on: driver,
                    cause: HNTTError(
                        .unreachable, "interrupted by \(reason)", device: device,
                        fix: "apply the order again when the session can stay open"),
                    what: "the apply was interrupted before \(change.key)")
            }
            do {
                try await driver.write(change)
                let readBack = try await driver.configuration(key: change.key)[change.key]
                guard readBack == change.value else {
                    throw HNTTError(
                        .deviceError,
                        "\(change.key) reads back "
                            + (isSecret(change.key) ? "another value" : "\"\(readBack ?? "(absent)")\"")
                            + " after it was set",
                        device: device,
                        fix: "the codec may not accept this value; check it against the codec's value space")
                }
                done.append(change)
            } catch {
                done.append(change)   // it may have been written before the failure: restore it too
                let cause = (error as? HNTTError) ?? HNTTError(.unreachable, "\(error)", device: device)
                try await restore(
                    done, previous: previous, before: before, on: driver, cause: cause,
                    what: "the change failed at \(change.key)")
            }
        }
        if let confirmWithin {
            let deadline = Date().addingTimeInterval(confirmWithin)
            while Date() < deadline, interrupted() == nil {
                if await confirmed() { return ApplyReport(device: device, applied: changes, previous: previous) }
                try? await Task.sleep(nanoseconds: 200_000_000)
            }
            if await confirmed() { return ApplyReport(device: device, applied: changes, previous: previous) }
            try await restore(
                changes, previous: previous, before: before, on: driver,
                cause: HNTTError(
                    .unreachable, "the change was not confirmed within \(Int(confirmWithin)) s", device: device,
                    fix: "apply it again and confirm with `hntt change confirm ORDER_ID` once the device answers"),
                what: "no confirmation came")
        }
        return ApplyReport(device: device, applied: changes, previous: previous)
    }

    /// Puts `previous` values back on a device under the authority of the change they undo, reading
    /// each back (three tries; the driver reconnects). Returns the keys that could not be restored.
    public func putBack(
        _ previous: [Setting], device: String, undoing authority: String, on driver: any ConfigurableCodec
    ) async -> [String] {
        var failures: [String] = []
        for setting in previous.reversed() {
            let change = ApprovedChange(device: device, key: setting.key, value: setting.value, authority: authority)
            var restored = false
            for _ in 0..<3 where !restored {
                // Read first: a refused write left the old value, and a write that cut the
                // connection may have landed; the driver reconnects for each try.
                if (try? await driver.configuration(key: setting.key))?[setting.key] == setting.value {
                    restored = true
                } else {
                    _ = try? await driver.write(authorizer.restoring(change, to: setting.value))
                }
            }
            if !restored { failures.append(setting.key) }
        }
        return failures
    }

    /// Puts every key in `changed` back, checks the whole configuration against `before`, and
    /// always throws: `cause`, saying the device is as it was — or, if it is not, which keys differ.
    private func restore(
        _ changed: [ApprovedChange], previous: [String: String], before: ConfigurationSettings,
        on driver: any ConfigurableCodec, cause: HNTTError, what: String
    ) async throws -> Never {
        let settings = changed.compactMap { change in previous[change.key].map { Setting(key: change.key, value: $0) } }
        let failures = await putBack(
            settings, device: changed.first?.device ?? "", undoing: changed.first?.authority ?? "", on: driver)
        let after = try? await driver.configuration(key: nil)
        let differing =
            after.map { after in
                before.entries.filter { after[$0.key] != $0.value }.map(\.key)
            } ?? changed.map(\.key)
        if differing.isEmpty && failures.isEmpty {
            throw HNTTError(
                cause.category,
                "\(what): \(cause.message); every key already changed was put back and the configuration checked: the device is as it was",
                device: cause.device ?? changed.first?.device, fix: cause.fix)
        }
        throw HNTTError(
            .deviceError,
            "\(what): \(cause.message); RESTORING FAILED: \((Set(differing).union(failures)).sorted().joined(separator: ", ")) may still hold new values",
            device: cause.device ?? changed.first?.device,
            fix:
                "check the device now with `hntt config get`; put the listed keys back by hand or with `hntt drift --remediate`"
        )
    }
}
