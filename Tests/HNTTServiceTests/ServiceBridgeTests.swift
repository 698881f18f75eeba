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
