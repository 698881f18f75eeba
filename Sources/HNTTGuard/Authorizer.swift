import Foundation
@_spi(Guard) import HNTTCore
import HNTTGovernance

/// Decides whether configuration may change (Điều 3.3), and is the only maker of
/// ``ApprovedChange``: a change order must be signed by a trusted key, within its validity
/// window, name the device and keys, carry exactly the values, and be unused; a signed baseline
/// authorises putting its own values back (remediation).
public struct Authorizer: Sendable {
    let database: GovernanceDatabase

    public init(database: GovernanceDatabase) { self.database = database }

    /// Who can authorise a refused change, for messages.
    public static let whoCanAuthorise =
        "the department in charge, whose key is in `hntt trust list`, signs a change order (`hntt change request …`, then `hntt change sign …`)"

    /// Checks `order` and consumes it (single use); returns the approved changes of the devices
    /// named in `scope` (nil: every device of the order). With `exactly`, only that one
    /// device/key/value is approved, and it must be in the order as signed.
    public func authorize(
        _ order: ChangeOrder, scope: [String]? = nil, exactly: (device: String, key: String, value: String)? = nil,
        now: Date = Date()
    ) async throws -> [ApprovedChange] {
        let trust = try await TrustStore(database: database).list()
        _ = try order.verify(trusting: trust)
        let reference = order.signature?.reference ?? "?"
        guard let from = parseTimestamp(order.validFrom), let until = parseTimestamp(order.validUntil) else {
            throw HNTTError(
                .blocked, "the change order's validity window cannot be read", fix: Authorizer.whoCanAuthorise)
        }
        if now < from {
            throw HNTTError(
                .blocked, "change order \(reference) is not valid before \(order.validFrom)",
                fix: "apply it from then on")
        }
        if now > until {
            throw HNTTError(
                .blocked, "change order \(reference) expired at \(order.validUntil)",
                fix: "ask for a new order: " + Authorizer.whoCanAuthorise)
        }
        var approved: [ApprovedChange] = []
        if let exactly {
            guard let entry = order.devices.first(where: { $0.device == exactly.device }) else {
                throw HNTTError(
                    .blocked, "change order \(reference) does not name device \(exactly.device)",
                    device: exactly.device,
                    fix: "an order authorises only the devices it names; " + Authorizer.whoCanAuthorise)
            }
            guard let signed = entry.changes.first(where: { $0.key == exactly.key }) else {
                throw HNTTError(
                    .blocked, "change order \(reference) does not authorise \(exactly.key) on \(exactly.device)",
                    device: exactly.device,
                    fix: "an order authorises only the keys it names; " + Authorizer.whoCanAuthorise)
            }
            guard signed.value == exactly.value else {
                throw HNTTError(
                    .blocked, "the value for \(exactly.key) differs from the one signed in change order \(reference)",
                    device: exactly.device, fix: "use exactly the signed value, or ask for a new order")
            }
            approved = [
                ApprovedChange(
                    device: exactly.device, key: exactly.key, value: signed.value, authority: "order \(reference)")
            ]
        } else {
            for entry in order.devices where scope == nil || scope!.contains(entry.device) {
                approved += entry.changes.map {
                    ApprovedChange(device: entry.device, key: $0.key, value: $0.value, authority: "order \(reference)")
                }
            }
            if approved.isEmpty {
                throw HNTTError(
                    .blocked, "change order \(reference) names none of the devices asked for",
                    fix: Authorizer.whoCanAuthorise)
            }
        }
        try await consume(order, reference: reference)
        return approved
    }

    /// A baseline authorises its own approved values (remediation of drift). Secret keys cannot
    /// be put back (only their keyed hash is known) and are left out.
    public func authorize(baseline: Baseline, keys: [String]) -> [ApprovedChange] {
        baseline.settings.filter { keys.contains($0.key) && !$0.value.hasPrefix(SnapshotNormaliser.secretPrefix) }.map {
            ApprovedChange(
                device: baseline.device, key: $0.key, value: $0.value,
                authority: "baseline v\(baseline.version) (\(baseline.reference))")
        }
    }

    /// Rollback of a change already approved: the previous value, under the same authority.
    func restoring(_ change: ApprovedChange, to previous: String) -> ApprovedChange {
        ApprovedChange(
            device: change.device, key: change.key, value: previous, authority: "rollback of \(change.authority)")
    }

    private func consume(_ order: ChangeOrder, reference: String) async throws {
        if let usedAt = try await OrderLedger(database: database).consume(id: order.id, reference: reference) {
            throw HNTTError(
                .blocked, "change order \(reference) was already used at \(usedAt): an order works once",
                fix: "ask for a new order: " + Authorizer.whoCanAuthorise)
        }
    }
}
