import Foundation
import HNTTSimulator
import HNTTTestSupport
import HTTPTypes
import Testing

@testable import HNTTService

@Suite("The conference bridge through the API: the CLI's shapes, the bridge's unit steers it")
struct ServiceBridgeTests {
    static let call = CMSBridgeState.guid(0, 1)
    static let roomLeg = CMSBridgeState.guid(1, 2)

    @Test("conferences and legs read with the CLI's JSON; mute, drop and dial by the bridge's unit only")
    func bridgeRoutes() async throws {
        let fixture = try await ServiceFixture.make(withBridge: true)
        let bridge = try #require(fixture.site.bridge)
        try await fixture.test { client in
            let viewer = try await client.logIn("xem")
            let calls = try await client.call(.get, "/api/v1/mcu/cms/calls", token: viewer)
            #expect(calls.status == .ok, "\(calls.text)")
            let listed = calls.json["calls"] as? [[String: Any]]
            #expect(listed?.first?["id"] as? String == Self.call && listed?.first?["legs"] as? Int == 7)
            let legs = try await client.call(.get, "/api/v1/mcu/cms/calls/\(Self.call)/legs", token: viewer)
            let items = legs.json["legs"] as? [[String: Any]] ?? []
            #expect(items.count == 7)
            let room = items.first { $0["id"] as? String == Self.roomLeg }
            let quality = room?["quality"] as? [String: Any]
            #expect(quality?["rx_audio_loss_percent"] as? Double == 1.5)
            #expect(quality?["rtt_ms"] as? Double == 80)
            #expect(quality?["tx_audio_jitter_ms"] == nil, "a figure the bridge did not report is absent")

            // A viewer and another unit's technician may look, not steer.
            for name in ["xem", "kythuat-phuong"] {
                let token = try await client.logIn(name)
                let refused = try await client.call(
                    .post, "/api/v1/mcu/cms/legs/\(Self.roomLeg)/mute", token: token, body: #"{"muted":true}"#)
                #expect(refused.status == .forbidden, "\(name): \(refused.text)")
            }
            #expect(bridge.store.snapshot.commandLog.allSatisfy { !$0.hasPrefix("PUT") })

            let technician = try await client.logIn("kythuat")
            let muted = try await client.call(
                .post, "/api/v1/mcu/cms/legs/\(Self.roomLeg)/mute", token: technician, body: #"{"muted":true}"#)
            #expect(muted.status == .ok && muted.json["audio_muted"] as? Bool == true, "\(muted.text)")
            #expect(bridge.store.snapshot.calls[0].legs.first { $0.id == Self.roomLeg }?.rxAudioMute == true)
            let dialled = try await client.call(
                .post, "/api/v1/mcu/cms/calls/\(Self.call)/legs", token: technician, body: #"{"uri":"p3@tinh.vn"}"#)
            #expect(dialled.status == .created, "\(dialled.text)")
            let leg = try #require(dialled.json["leg_id"] as? String)
            #expect(bridge.store.snapshot.calls[0].legs.contains { $0.id == leg && $0.remoteParty == "p3@tinh.vn" })
            let dropped = try await client.call(.delete, "/api/v1/mcu/cms/legs/\(leg)", token: technician)
            #expect(dropped.status == .ok && dropped.json["dropped"] as? Bool == true)
            #expect(!bridge.store.snapshot.calls[0].legs.contains { $0.id == leg })

            // The bridge's "no such leg" and a codec named as a bridge are errors with a message.
            let unknown = try await client.call(
                .delete, "/api/v1/mcu/cms/legs/\(CMSBridgeState.guid(7, 7))", token: technician)
            #expect(unknown.status == .badGateway, "\(unknown.text)")
            #expect((unknown.json["error"] as? [String: Any])?["message"] as? String ?? "" != "")
            let codec = try await client.call(.get, "/api/v1/mcu/xa-cisco/calls", token: viewer)
            #expect(codec.status == .badRequest, "\(codec.text)")
            // The RMX keeps a dropped site defined: the API reconnects it.
            let reconnected = try await client.call(.post, "/api/v1/mcu/rmx/legs/96-4/reconnect", token: technician)
            #expect(
                reconnected.status == .ok && reconnected.json["reconnected"] as? Bool == true, "\(reconnected.text)")
            #expect(fixture.site.rmx?.store.snapshot.conferences[0].parties[3].connected == true)
            let anonymous = try await client.call(.get, "/api/v1/mcu/cms/calls")
            #expect(anonymous.status == .unauthorized)
        }
        await fixture.stop()
    }
}

@Suite("The conference bridge's page: every site with the bridge's figures, the buttons for the bridge's unit")
struct BridgePageTests {
    static let call = CMSBridgeState.guid(0, 1)
    static let roomLeg = CMSBridgeState.guid(1, 2)

    func form(_ fields: [String: String]) -> String {
        fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
            .joined(separator: "&")
    }

    @Test("the page lists the bridges and the chosen conference's sites; a technician mutes, drops and dials")
    func technicianSteers() async throws {
        let fixture = try await ServiceFixture.make(withBridge: true)
        let bridge = try #require(fixture.site.bridge)
        bridge.store.update { $0.calls[0].legs[3].name = "<script>alert(1)</script>" }
        try await fixture.test { client in
            let (cookie, csrf) = try await ServicePageAccessTests().formLogIn(client, "kythuat")
            let overview = try await client.call(.get, "/mcu", cookie: cookie)
            #expect(overview.status == .ok)
            #expect(overview.text.contains(#"id="bridge-cms""#) && overview.text.contains(#"id="bridge-rmx""#))
            #expect(overview.text.contains("Giao ban") && overview.text.contains("7 điểm cầu"))
            let page = try await client.call(.get, "/mcu?bridge=cms&call=\(Self.call)", cookie: cookie)
            #expect(page.text.contains(#"id="leg-\#(Self.roomLeg)""#))
            #expect(page.text.contains("1.5 %") && page.text.contains("80 ms"), "the bridge's figures")
            #expect(!page.text.contains("<script>alert(1)</script>") && page.text.contains("&lt;script&gt;"))
            #expect(page.text.contains(#"id="dial-form""#) && page.text.contains("class=\"mute-on\""))

            let muted = try await client.call(
                .post, "/mcu/cms/legs/\(Self.roomLeg)/mute", cookie: cookie,
                body: form(["_csrf": csrf, "call": Self.call, "muted": "on"]),
                contentType: "application/x-www-form-urlencoded")
            #expect(muted.status == .seeOther, "\(muted.text)")
            #expect(bridge.store.snapshot.calls[0].legs[1].rxAudioMute)
            let dialled = try await client.call(
                .post, "/mcu/cms/calls/\(Self.call)/dial", cookie: cookie,
                body: form(["_csrf": csrf, "uri": "p9@tinh.vn"]), contentType: "application/x-www-form-urlencoded")
            #expect(dialled.status == .seeOther)
            #expect(bridge.store.snapshot.calls[0].legs.contains { $0.remoteParty == "p9@tinh.vn" })
            let dropped = try await client.call(
                .post, "/mcu/cms/legs/\(CMSBridgeState.guid(1, 7))/drop", cookie: cookie,
                body: form(["_csrf": csrf, "call": Self.call]), contentType: "application/x-www-form-urlencoded")
            #expect(dropped.status == .seeOther)
            #expect(!bridge.store.snapshot.calls[0].legs.contains { $0.id == CMSBridgeState.guid(1, 7) })
            // The RMX shows reconnect, and no dial (its profile lacks it).
            let rmx = try await client.call(.get, "/mcu?bridge=rmx&call=96", cookie: cookie)
            #expect(rmx.text.contains("class=\"reconnect\"") && !rmx.text.contains(#"id="dial-form""#))
        }
        await fixture.stop()
    }

    @Test("a viewer and another unit's technician see no buttons and are refused the forms (403)")
    func othersRefused() async throws {
        let fixture = try await ServiceFixture.make(withBridge: true)
        let bridge = try #require(fixture.site.bridge)
        try await fixture.test { client in
            for name in ["xem", "kythuat-phuong"] {
                let (cookie, csrf) = try await ServicePageAccessTests().formLogIn(client, name)
                let page = try await client.call(.get, "/mcu?bridge=cms&call=\(Self.call)", cookie: cookie)
                #expect(page.text.contains(#"id="leg-\#(Self.roomLeg)""#), "\(name) may look")
                #expect(!page.text.contains("class=\"mute-on\"") && !page.text.contains(#"id="dial-form""#))
                let refused = try await client.call(
                    .post, "/mcu/cms/legs/\(Self.roomLeg)/mute", cookie: cookie,
                    body: form(["_csrf": csrf, "call": Self.call, "muted": "on"]),
                    contentType: "application/x-www-form-urlencoded")
                #expect(refused.status == .forbidden, "\(name): \(refused.status)")
            }
            let (cookie, _) = try await ServicePageAccessTests().formLogIn(client, "kythuat")
            let forged = try await client.call(
                .post, "/mcu/cms/legs/\(Self.roomLeg)/drop", cookie: cookie,
                body: form(["_csrf": "forged", "call": Self.call]), contentType: "application/x-www-form-urlencoded")
            #expect(forged.status == .forbidden, "\(forged.status)")
        }
        #expect(bridge.store.snapshot.calls[0].legs.count == 7 && !bridge.store.snapshot.calls[0].legs[1].rxAudioMute)
        await fixture.stop()
    }
}
