import Foundation
import HNTTCore
import HNTTGateway
import HNTTGovernance
import HNTTSimulator
import HNTTTestSupport
import HNTTTransport
import Testing

/// The chair site's Cisco Meeting Server through the Gateway, over HTTPS with its certificate pinned: every
/// operation checked on the simulated bridge's own state, and the ways a bridge fails.
@Suite("A Cisco Meeting Server seen and steered from the Gateway")
struct BridgeTests {
    let technician = Caller(operatorName: "Lê Thị B", osUser: "kythuat")
    static let call = CMSBridgeState.guid(0, 1)
    static let roomLeg = CMSBridgeState.guid(1, 2)

    @Test("a conference's legs come from every page, each with its figures, an absent figure stays absent")
    func legsAcrossPages() async throws {
        let site = try await GatewaySite.make(withBridge: true)
        defer { Task { await site.stop() } }
        let calls = try await site.gateway.bridgeCalls("cms")
        #expect(calls == [MCUCall(id: Self.call, name: "Giao ban", legs: 7)])

        let legs = try await site.gateway.bridgeLegs("cms", call: Self.call)
        // Seven legs, three to a page: the driver follows the offset until the total.
        #expect(legs.map(\.id) == (1...7).map { CMSBridgeState.guid(1, $0) })
        let pages = site.bridge!.store.snapshot.commandLog.filter { $0.hasPrefix("GET") && $0.contains("/callLegs?") }
        let offsets = pages.map { $0.split(separator: "?")[1].split(separator: "&").first { $0.hasPrefix("offset=") } }
        #expect(offsets == ["offset=0", "offset=3", "offset=6"], "\(pages)")
        let room = try #require(legs.first { $0.id == Self.roomLeg })
        #expect(room.remote == "sip:UBND-Room@thanhhoa.gov.vn;transport=tls")
        #expect(room.state == "connected" && room.audioMuted == false)
        #expect(room.quality.rxAudioLossPercent == 1.5)
        #expect(room.quality.rxAudioJitterMs == 12)
        #expect(room.quality.rxVideoLossPercent == 2.5)
        #expect(room.quality.roundTripMs == 80)
        #expect(room.quality.txAudioJitterMs == nil)
        #expect(legs.allSatisfy { $0.call == Self.call })
    }

    @Test("mute, drop and dial change the bridge, are read back and audited")
    func operationsChangeTheBridge() async throws {
        let site = try await GatewaySite.make(withBridge: true)
        defer { Task { await site.stop() } }
        let gateway = site.gateway
        let bridge = try #require(site.bridge)
        func leg(_ id: String) -> CMSBridgeState.Leg? { bridge.store.snapshot.calls[0].legs.first { $0.id == id } }

        let muted = try await gateway.bridgeMute("cms", leg: Self.roomLeg, muted: true, by: technician)
        #expect(muted.audioMuted == true)
        #expect(leg(Self.roomLeg)?.rxAudioMute == true)
        try await gateway.bridgeMute("cms", leg: Self.roomLeg, muted: false, by: technician)
        #expect(leg(Self.roomLeg)?.rxAudioMute == false)

        try await gateway.bridgeDrop("cms", leg: CMSBridgeState.guid(1, 5), by: technician)
        #expect(leg(CMSBridgeState.guid(1, 5)) == nil)
        #expect(bridge.store.snapshot.calls[0].legs.count == 6)

        let dialled = try await gateway.bridgeDial("cms", call: Self.call, uri: "phuong-3@tinh.vn", by: technician)
        let new = try #require(leg(dialled))
        #expect(new.remoteParty == "phuong-3@tinh.vn")
        #expect(try await gateway.bridgeLegs("cms", call: Self.call).map(\.id).contains(dialled))

        let trail = try await site.auditTrail().filter { $0.device == "cms" }
        #expect(trail.map(\.action) == ["mcu mute", "mcu mute", "mcu drop", "mcu dial"].flatMap { [$0, $0] })
        #expect(trail.map(\.outcome).filter { $0 != "started" } == ["done", "done", "done", "done"])
    }

    @Test("an unknown conference or leg is the bridge's error (exit 4); a malformed id never leaves (exit 2)")
    func unknownAndMalformedIDs() async throws {
        let site = try await GatewaySite.make(withBridge: true)
        defer { Task { await site.stop() } }
        let gateway = site.gateway
        let missing = CMSBridgeState.guid(7, 7)
        for action in [
            { _ = try await gateway.bridgeLegs("cms", call: missing) },
            { try await gateway.bridgeMute("cms", leg: missing, muted: true, by: technician) },
            { try await gateway.bridgeDrop("cms", leg: missing, by: technician) },
            { _ = try await gateway.bridgeDial("cms", call: missing, uri: "a@b.vn", by: technician) },
        ] as [@Sendable () async throws -> Void] {
            let error = await #expect(throws: HNTTError.self) { try await action() }
            #expect(error?.exitCode == 4)
            #expect(error?.message.contains("no ") == true, "\(error?.message ?? "")")
            #expect(error?.fix?.isEmpty == false)
        }
        let before = site.bridge!.store.snapshot.commandLog.count
        let bad = await #expect(throws: HNTTError.self) {
            _ = try await gateway.bridgeLegs("cms", call: "../system/configuration")
        }
        #expect(bad?.exitCode == 2)
        #expect(site.bridge!.store.snapshot.commandLog.count == before)
    }

    @Test("a wrong password is refused (exit 5) and named without the password")
    func wrongPassword() async throws {
        let site = try await GatewaySite.make(withBridge: true)
        defer { Task { await site.stop() } }
        let secrets = site.gateway.secrets
        try await onOwnThread { try secrets.set(name: "cms", username: "api", password: SecretText("Wrong-Pass-93")) }
        let error = await #expect(throws: HNTTError.self) { _ = try await site.gateway.bridgeCalls("cms") }
        #expect(error?.exitCode == 5)
        let text = "\(error?.message ?? "") \(error?.fix ?? "")"
        #expect(!text.contains("Wrong-Pass-93") && !text.contains("cms-pass-7"))
        #expect(site.bridge!.store.snapshot.failedLogins >= 1)
        #expect(site.bridge!.store.snapshot.calls[0].legs.count == 7)
    }

    @Test("a certificate that is not the pinned one, or no pin at all, is refused before a request is sent")
    func pinnedCertificate() async throws {
        let site = try await GatewaySite.make(withBridge: true)
        defer { Task { await site.stop() } }
        let inventory = site.gateway.inventoryPath
        let original = try await onOwnThread { try String(contentsOfFile: inventory, encoding: .utf8) }
        func write(_ text: String) async throws {
            try await onOwnThread { try text.write(toFile: inventory, atomically: true, encoding: .utf8) }
        }
        let pinned = try #require(site.bridge?.certificate.opensslFingerprint)
        let other = String(repeating: "AB:", count: 31) + "AB"
        try await write(original.replacingOccurrences(of: pinned, with: other))
        let mismatch = await #expect(throws: HNTTError.self) { _ = try await site.gateway.bridgeCalls("cms") }
        #expect(mismatch?.exitCode == 5)
        #expect(mismatch?.message.contains("certificate") == true, "\(mismatch?.message ?? "")")

        // No pin: refused too, until trust-host pins what the bridge presents.
        try await write(original.replacingOccurrences(of: ", tls_fingerprint: \"\(pinned)\"", with: ""))
        let unpinned = await #expect(throws: HNTTError.self) { _ = try await site.gateway.bridgeCalls("cms") }
        #expect(unpinned?.exitCode == 5)
        let state = site.bridge!.store.snapshot
        #expect(state.commandLog.isEmpty && state.successfulLogins == 0 && state.failedLogins == 0)

        let pin = try await site.gateway.trustHost("cms", expected: nil, replace: false, by: technician)
        #expect(PinnedHTTPSClient.normalised(pin.fingerprint) == PinnedHTTPSClient.normalised(pinned))
        #expect(try await site.gateway.bridgeCalls("cms").count == 1)
    }

    @Test("a bridge that never answers costs the profile's deadline and a clear error (exit 5), not a hang")
    func silentBridge() async throws {
        let site = try await GatewaySite.make(withBridge: true)
        defer { Task { await site.stop() } }
        site.bridge!.store.update { $0.faults.silent = true }
        let started = Date()
        let error = await #expect(throws: HNTTError.self) { _ = try await site.gateway.bridgeCalls("cms") }
        let elapsed = Date().timeIntervalSince(started)
        #expect(error?.exitCode == 5 && error?.category == .timeout, "\(error?.message ?? "")")
        // The site's profile gives a request 3 s; the bound is the runner's, not the deadline's precision.
        #expect(elapsed >= 2.9 && elapsed < hangBound, "took \(elapsed) s with a 3 s deadline")
    }

    @Test("a reply that is not the documented XML is the bridge's error (exit 4), not a crash")
    func malformedReply() async throws {
        let site = try await GatewaySite.make(withBridge: true)
        defer { Task { await site.stop() } }
        site.bridge!.store.update { $0.malformedReplies = true }
        let error = await #expect(throws: HNTTError.self) {
            _ = try await site.gateway.bridgeLegs("cms", call: Self.call)
        }
        #expect(error?.exitCode == 4)
        #expect(error?.fix?.isEmpty == false)
    }

    @Test("a codec's action on the bridge, a bridge's on a codec, and an operation its profile lacks are refused")
    func refusals() async throws {
        let site = try await GatewaySite.make(withBridge: true)
        defer { Task { await site.stop() } }
        let onCodec = await #expect(throws: HNTTError.self) { _ = try await site.gateway.bridgeCalls("xa-cisco") }
        #expect(onCodec?.exitCode == 2)
        let onBridge = await #expect(throws: HNTTError.self) { try await site.gateway.wake("cms", by: technician) }
        #expect(onBridge?.exitCode == 2 && onBridge?.fix?.contains("mcu") == true, "\(onBridge?.message ?? "")")

        let profile = site.directory.appendingPathComponent("device-profiles/cisco-cms.yaml")
        try await onOwnThread {
            try String(contentsOf: profile, encoding: .utf8).replacingOccurrences(of: ", mcu-drop", with: "")
                .write(to: profile, atomically: true, encoding: .utf8)
        }
        let blocked = await #expect(throws: HNTTError.self) {
            try await site.gateway.bridgeDrop("cms", leg: Self.roomLeg, by: technician)
        }
        #expect(blocked?.exitCode == 3)
        #expect(site.bridge!.store.snapshot.calls[0].legs.count == 7)
    }

    @Test(
        "a site's address matches the bridge's remote party however each writes it",
        arguments: [
            ("sip:UBND-Room@thanhhoa.gov.vn;transport=tls", ["ubnd-room@thanhhoa.gov.vn"], true),
            ("<sips:ubnd-room@thanhhoa.gov.vn>", ["UBND-Room@thanhhoa.gov.vn"], true),
            ("h323:84237001", ["84237001"], true),
            ("84237001@10.10.1.20", ["84237001"], true),
            ("sip:other@thanhhoa.gov.vn", ["ubnd-room@thanhhoa.gov.vn"], false),
            ("ubnd-room@elsewhere.vn", ["ubnd-room@thanhhoa.gov.vn"], false),
            ("", [""], false),
        ])
    func addressMatching(remote: String, addresses: [String], expected: Bool) {
        #expect(SiteAddress.matches(remote: remote, addresses: addresses) == expected)
    }
}
