import AsyncHTTPClient
import Foundation
import HNTTCore
import HNTTGateway
import HNTTGovernance

/// Sends the Gateway's queued alerts on their channels: at once when raised, again with backoff
/// (5 s, 10 s, 20 s … at most 10 min) after a failure. The queue is in the database, so a restart
/// or a receiver that is down for a day loses nothing.
public actor AlertDelivery {
    private let gateway: Gateway
    private let firstRetry: Double
    private var loop: Task<Void, Never>?
    /// Channels for tests; nil: built from the inventory's `alerts:` on each pass.
    private let fixedChannels: [String: any AlertChannel]?

    public init(gateway: Gateway, firstRetry: Double = 5, channels: [String: any AlertChannel]? = nil) {
        self.gateway = gateway
        self.firstRetry = firstRetry
        self.fixedChannels = channels
    }

    public func start() {
        guard loop == nil else { return }
        loop = Task { [weak self] in
            while !Task.isCancelled {
                guard let self else { return }
                let wait = await self.deliverDue()
                await self.gateway.alertsQueued.wait(for: .milliseconds(Int64(wait * 1000)))
            }
        }
    }

    public func stop() async {
        loop?.cancel()
        await gateway.alertsQueued.notify()
        await loop?.value
        loop = nil
    }

    /// Sends every delivery that is due; returns the seconds until the next one is (at most 30).
    @discardableResult
    public func deliverDue() async -> Double {
        do {
            let store = try await AlertStore(database: gateway.openDatabase())
            let channels = try fixedChannels ?? inventoryChannels()
            // Stopping does not wait for the rest of a long queue: it is kept for the next start.
            for delivery in try await store.pending(at: gateway.now()) where !Task.isCancelled {
                guard let channel = channels[delivery.channel] else {
                    try await store.failed(
                        delivery.id, error: "the inventory names no \(delivery.channel) in alerts:",
                        retryAt: gateway.now() + 600)
                    continue
                }
                do {
                    try await channel.send(delivery.alert)
                    try await store.delivered(delivery.id, at: gateway.now())
                } catch {
                    let backoff = min(600, firstRetry * pow(2, Double(min(delivery.attempts, 10))))
                    let reason = (error as? HNTTError)?.message ?? "\(error)"
                    try await store.failed(delivery.id, error: reason, retryAt: gateway.now() + backoff)
                }
            }
            return try await store.pending(at: gateway.now() + 30).isEmpty ? 30 : firstRetry
        } catch {
            gateway.warn("alerts could not be delivered: \((error as? HNTTError)?.message ?? "\(error)")")
            return 30
        }
    }

    private func inventoryChannels() throws -> [String: any AlertChannel] {
        let settings = try gateway.inventory().alerts
        var channels: [String: any AlertChannel] = [:]
        if let url = settings.webhook { channels["webhook"] = WebhookChannel(url: url, client: .shared) }
        if let host = settings.smtpHost {
            channels["email"] = EmailChannel(host: host, port: settings.smtpPort, from: settings.from, to: settings.to)
        }
        return channels
    }
}
