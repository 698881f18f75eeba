import Foundation
import HNTTAlerts
import HNTTCore
import HNTTGateway
import HNTTGovernance
import HNTTSimulator
import HNTTTestSupport
import HNTTTransport
import Testing

/// Polls `condition` every 50 ms for at most `seconds`; true when it held (a throw counts as not yet).
func eventually(_ seconds: Double, _ condition: () async throws -> Bool) async -> Bool {
    let end = Date() + seconds
    while Date() < end {
        if (try? await condition()) == true { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return (try? await condition()) == true
}

@Suite("The live watch sees every change on a codec as it happens")
struct LiveWatchTests {
    @Test("a change on the codec's own panel is alerted within 10 s by webhook and e-mail, once, and not reverted")
    func touchPanelChange() async throws {
        let hook = try await WebhookReceiver.start()
        let mail = try await onOwnThread { try LocalMailServer() }
        let site = try await GatewaySite.make(
            keepingConnections: true,
            inventory: [
                "alerts:", "  webhook: \"\(hook.url)\"",
                "  email: {smtp: \"127.0.0.1:\(mail.port)\", from: \"hntt@xa.gov.vn\", to: [\"kythuat@xa.gov.vn\"]}",
            ])
        let watch = LiveWatch(gateway: site.gateway, retryEvery: 0.5)
        let delivery = AlertDelivery(gateway: site.gateway, firstRetry: 0.5)
        defer {
            hook.stop()
            mail.stop()
        }
        try await watch.start()
        await delivery.start()
        #expect(await eventually(20) { await watch.state(of: "xa-cisco").watching })

        let changedAt = Date()
        site.cisco.store.update { $0.setSetting("SIP DisplayName", "Phòng bị đổi") }
        let arrived = await eventually(10) {
            let hooked = await hook.alerts().contains { $0["kind"] as? String == "unauthorised-change" }
            return hooked && !mail.messages().isEmpty
        }
        #expect(arrived, "webhook and e-mail within 10 s")
        #expect(Date().timeIntervalSince(changedAt) < 10)
        let alert = try #require(await hook.alerts().first { $0["kind"] as? String == "unauthorised-change" })
        #expect(alert["device"] as? String == "xa-cisco")
        #expect(alert["room"] as? String == "xa")
        #expect(alert["key"] as? String == "SIP DisplayName")
        #expect((alert["message"] as? String)?.contains("Phòng bị đổi") == true)
        #expect(mail.texts().first?.contains("unauthorised-change") == true)
        #expect(mail.messages().first?.contains("=?UTF-8?B?") == true)

        // A second change of the same device: a second incident, but no second alert until it recovers.
        site.cisco.store.update { $0.setSetting("SIP DisplayName", "Lần hai") }
        #expect(
            await eventually(10) {
                try await site.auditTrail().filter { $0.action == "unauthorised change" }.count == 2
            })
        try await Task.sleep(for: .seconds(1.5))
        #expect(await hook.alerts().filter { $0["kind"] as? String == "unauthorised-change" }.count == 1)
        #expect(mail.messages().count == 1)
        // Left as the panel set it: the approver decides.
        #expect(site.cisco.store.read { $0.setting("SIP DisplayName") } == "Lần hai")
        let incidents = try await Logbook(database: site.gateway.openDatabase()).list(room: "xa")
            .compactMap(\.incident).filter { $0.kind == .configuration }
        #expect(incidents.count == 2)
        #expect(incidents.last?.what.contains("SIP DisplayName: Phòng bị đổi → Lần hai") == true)
        await watch.stop()
        await delivery.stop()
        await site.gateway.connections?.closeAll()
        await site.stop()
    }

    @Test("a watch whose registrations were dropped, or whose connection was cut, recovers and misses nothing")
    func lostRegistrations() async throws {
        let site = try await GatewaySite.make(keepingConnections: true)
        let watch = LiveWatch(gateway: site.gateway, recheckEvery: 1, retryEvery: 0.3)
        try await watch.start()
        #expect(await eventually(20) { await watch.state(of: "xa-cisco").watching })

        // The codec forgets the registrations; a change then pushes nothing, the re-check finds it.
        site.cisco.store.update { $0.faults.dropFeedbackRegistrations = true }
        try await Task.sleep(for: .milliseconds(300))
        site.cisco.store.update { $0.setSetting("Conference AutoAnswer Mode", "On") }
        #expect(await seenByReread(site, "Conference AutoAnswer Mode: Off → On", within: 10))
        #expect(await gapsClosed(site, 1))
        let gaps = try await site.auditTrail().filter { $0.action == "watch gap" }
        #expect(gaps.contains { $0.outcome == "started" && $0.detail.contains("dropped its feedback registrations") })
        #expect(site.cisco.store.read { $0.commandLog.filter { $0 == "xFeedback list" }.count } >= 1)

        // The connection is cut and a setting changes before the watch is back: the re-read sees it.
        site.cisco.dropClients()
        site.cisco.store.update { $0.setSetting("Conference AutoAnswer Delay", "5") }
        #expect(await seenByReread(site, "Conference AutoAnswer Delay: 0 → 5", within: 15))
        #expect(await gapsClosed(site, 2))
        #expect(await eventually(5) { await watch.state(of: "xa-cisco").watching })
        await watch.stop()
        await site.gateway.connections?.closeAll()
        await site.stop()
    }

    /// The change was audited as found by the re-read after a gap ("seen between …"), not by feedback.
    func seenByReread(_ site: GatewaySite, _ words: String, within seconds: Double) async -> Bool {
        await eventually(seconds) {
            try await site.auditTrail().contains {
                $0.action == "unauthorised change" && $0.detail.contains(words) && $0.detail.contains("seen between")
            }
        }
    }

    /// At least `count` gaps of the watch were audited as closed (registered again, re-read).
    func gapsClosed(_ site: GatewaySite, _ count: Int) async -> Bool {
        await eventually(10) {
            try await site.auditTrail().filter { $0.action == "watch gap" && $0.outcome == "done" }.count >= count
        }
    }

    @Test("an official session keeps its quality and the bridge's for the room; a dropped call is redialled")
    func officialSession() async throws {
        let site = try await GatewaySite.make(
            keepingConnections: true, inventory: ["schedule:", "  quality_every: 5s", "  redial_on_drop: true"],
            withBridge: true)
        let technician = Caller(operatorName: "Lê Thị B")
        for procedure in ["power-on", "test-call", "dial"] {
            let outcome = try await site.gateway.run(
                RunRequest(procedure: procedure, room: "xa", number: "1001@chair.example"), by: technician,
                confirm: { _ in true }, say: { _ in })
            try #require(outcome.result.succeeded, "\(procedure)")
        }
        let watch = LiveWatch(gateway: site.gateway, retryEvery: 0.3)
        try await watch.start()
        #expect(await eventually(20) { await watch.state(of: "xa-cisco").watching })

        site.cisco.store.update { $0.dropCalls(cause: "Network failure") }
        let logbook = Logbook(database: try await site.gateway.openDatabase())
        #expect(
            await eventually(10) {
                try await logbook.list(room: "xa").contains {
                    $0.content(FixContent.self)?.fix.contains("gọi lại") == true
                }
            })
        let entries = try await logbook.list(room: "xa")
        let drop = try #require(entries.first { $0.incident?.what.contains("bị ngắt (Network failure)") == true })
        #expect(drop.incident?.kind == .network)
        #expect(entries.contains { $0.kind == .fix && $0.refersTo == drop.id })
        #expect(site.cisco.store.read { $0.calls.count } == 1)
        #expect(
            await eventually(5) {
                let kinds = try await site.gateway.alerts().map(\.kind)
                return kinds.contains("call-dropped") && kinds.contains("recovered")
            })

        // Two samples at least (one at once, one 5 s later), then the session's end carries them.
        let session = try #require(entries.last { $0.session?.sessionType == .official })
        let samples = QualitySamples(database: try await site.gateway.openDatabase())
        #expect(
            await eventually(15) {
                let own = (try? await samples.samples(session: session.id).count) ?? 0
                let bridge = (try? await samples.bridgeSamples(session: session.id).count) ?? 0
                return own >= 2 && bridge >= 2
            })
        await watch.stop()
        _ = try await site.gateway.run(
            RunRequest(procedure: "shutdown", room: "xa"), by: technician, confirm: { _ in true }, say: { _ in })
        let end = try #require(
            try await logbook.list(room: "xa").last { $0.kind == .sessionEnd }?.content(SessionEndContent.self))
        #expect(Int(end.qualitySamples ?? "0") ?? 0 >= 2)
        #expect(end.lossAverage != nil)
        #expect(end.jitterWorst == "7")
        #expect(end.rateAverage != nil)
        // The bridge's view of the room's leg (matched by the codec's SIP URI), next to the codec's own.
        #expect(end.bridge == "cms")
        #expect(Int(end.bridgeSamples ?? "0") ?? 0 >= 2)
        #expect(end.bridgeLossAverage == "1.50")
        #expect(end.bridgeJitterWorst == "12")
        #expect(end.bridgeVideoLossWorst == "2.50")
        #expect(end.bridgeRoundTripAverage == "80")
        #expect(try await samples.bridgeSamples(session: session.id).allSatisfy { $0.bridge == "cms" })
        await site.gateway.connections?.closeAll()
        await site.stop()
    }
}
