import Foundation
import HNTTCore
import HNTTGovernance

/// Alerts (inventory `alerts:`): one per cause until it recovers, then one `recovered`; queued in
/// the database per channel, delivered by the service's ``AlertDelivery`` worker.
extension Gateway {
    /// The channels the inventory names: `webhook`, `email`.
    public func alertChannels() -> [String] {
        guard let alerts = try? inventory().alerts else { return [] }
        return (alerts.webhook == nil ? [] : ["webhook"]) + (alerts.smtpHost == nil ? [] : ["email"])
    }

    /// Raises an alert unless its cause is alerted already; returns it when new.
    @discardableResult
    public func alert(_ draft: AlertDraft, at now: Date = Date()) async -> AlertRecord? {
        do {
            let raised = try await AlertStore(database: openDatabase()).raise(draft, channels: alertChannels(), at: now)
            if raised != nil { alertsChanged() }
            return raised
        } catch {
            warn("an alert could not be recorded (\(draft.kind): \(draft.message)): \(error)")
            return nil
        }
    }

    /// Ends the open alerts of `subject` (of `kinds` when given) with one `recovered` each.
    public func recoverAlerts(subject: String, kinds: [String]? = nil, message: String, at now: Date = Date()) async {
        do {
            let sent = try await AlertStore(database: openDatabase()).recover(
                subject: subject, kinds: kinds, message: message, channels: alertChannels(), at: now)
            if !sent.isEmpty { alertsChanged() }
        } catch {
            warn("a recovery could not be recorded (\(subject)): \(error)")
        }
    }

    public func alerts(limit: Int = 200) async throws -> [AlertRecord] {
        try await AlertStore(database: openDatabase()).list(limit: limit)
    }

    func alertsChanged() { Task { await alertsQueued.notify() } }

    public func warn(_ text: String) {
        FileHandle.standardError.write(Data("warning: \(text)\n".utf8))
    }
}
