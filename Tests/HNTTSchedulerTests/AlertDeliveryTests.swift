import Foundation
import HNTTAlerts
import HNTTCore
import HNTTGateway
import HNTTGovernance
import HNTTTestSupport
import HNTTTransport
import Testing

@Suite("Alerts reach their receiver once per cause, whatever happens in between")
struct AlertDeliveryTests {
    @Test("a receiver that is down gets the alert later, after a restart of the service, exactly once")
    func queueSurvivesRestart() async throws {
        let hook = try await WebhookReceiver.start()
        defer { hook.stop() }
        let site = try await GatewaySite.make(inventory: ["alerts:", "  webhook: \"\(hook.url)\""])
        await hook.inbox.refuse(true)
        let draft = AlertDraft(kind: "unreachable", message: "no answer in 3 s", room: "xa", device: "xa-poly")
        #expect(await site.gateway.alert(draft) != nil)
        // The same cause again is not a second alert while the first is open.
        #expect(await site.gateway.alert(draft) == nil)

        let first = AlertDelivery(gateway: site.gateway, firstRetry: 3)
        let tried = Date()
        await first.deliverDue()
        let store = AlertStore(database: try await site.gateway.openDatabase())
        #expect(try await store.queued() == 1)
        let retry = try #require(try await store.pending(at: Date() + 5).first)
        #expect(retry.attempts == 1)
        // Not due again at once: the backoff (3 s after the failed attempt, stored to the second) holds it.
        #expect(try await store.pending(at: tried + 1.5).isEmpty)

        // The service restarts (a new delivery over the same database) and the receiver is back.
        await hook.inbox.refuse(false)
        #expect(await eventually(10) { try await !store.pending(at: Date()).isEmpty })
        let second = AlertDelivery(gateway: site.gateway, firstRetry: 1)
        await second.deliverDue()
        await second.deliverDue()
        #expect(try await store.queued() == 0)
        let received = await hook.alerts()
        #expect(received.count == 1)
        #expect(received.first?["kind"] as? String == "unreachable")
        #expect(received.first?["device"] as? String == "xa-poly")
        #expect(received.first?["id"] as? Int != nil)
        #expect(received.first?["booking"] == nil)

        // Recovery: one `recovered`, after which the cause may alert again.
        await site.gateway.recoverAlerts(subject: draft.subject, message: "answers again")
        await site.gateway.recoverAlerts(subject: draft.subject, message: "answers again")
        await second.deliverDue()
        #expect(await hook.alerts().map { $0["kind"] as? String } == ["unreachable", "recovered"])
        #expect(await site.gateway.alert(draft) != nil)
        await site.stop()
    }

    @Test("a device that stops answering the status refresh is one `unreachable` alert, however often it is read")
    func unreachableOnce() async throws {
        let site = try await GatewaySite.make(keepingConnections: true)
        let live = LiveStatus(gateway: site.gateway, every: 3600)
        await live.refresh("xa-poly")
        #expect(try await site.gateway.alerts().isEmpty)
        await site.gateway.connections?.closeAll()
        _ = try await onOwnThread { site.poly.stop() }
        await live.refresh("xa-poly")
        await live.refresh("xa-poly")
        let alerts = try await site.gateway.alerts()
        #expect(alerts.map(\.kind) == ["unreachable"])
        #expect(alerts.first?.device == "xa-poly" && alerts.first?.room == "xa" && alerts.first?.open == true)
        await site.stop()
    }
}

@Suite("The pre-conference check")
struct DiagnosticsTests {
    @Test("a codec whose SIP registration failed fails the check, named, and alerts the booking")
    func registrationFailed() async throws {
        let day = try await SimulatedDay.make(schedule: [])
        let booking = try await day.book(at: 3600, minutes: 60)
        day.site.cisco.store.update { $0.sipRegistration = "Failed" }
        await day.start()
        try await day.run(until: 3600 - 900)
        let diagnostics = try #require(
            try await day.site.gateway.jobs(of: booking.id).first { $0.kind == "diagnostics" })
        #expect(diagnostics.state == .failed)
        #expect(diagnostics.detail.contains("xa-cisco registered: SIP Failed"), "\(diagnostics.detail)")
        #expect(!diagnostics.detail.contains("reachable"), "every device answered")
        let alerts = try await day.site.gateway.alerts()
        #expect(alerts.contains { $0.kind == "diagnostics-failed" && $0.booking == booking.id })
        await day.stop()
    }
}
