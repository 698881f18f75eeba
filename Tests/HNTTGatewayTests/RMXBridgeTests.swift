import Foundation
import HNTTCore
import HNTTGateway
import HNTTSimulator
import HNTTTestSupport
import HNTTTransport
import Testing

/// A Polycom RMX through the Gateway: its XML transactions over pinned HTTPS, checked on the simulated
/// bridge's state; what the notes leave undocumented is refused, not guessed.
@Suite("A Polycom RMX seen and steered from the Gateway")
struct RMXBridgeTests {
    let technician = Caller(operatorName: "Lê Thị B", osUser: "kythuat")

    @Test("the conference list and one conference's parties, each leg CONFERENCE-PARTY, with no invented figures")
    func conferencesAndParties() async throws {
        let site = try await GatewaySite.make(withBridge: true)
        defer { Task { await site.stop() } }
        let calls = try await site.gateway.bridgeCalls("rmx")
        #expect(calls.map(\.id) == ["96", "97"])
        #expect(calls.first?.name == "Hội nghị giao ban tỉnh" && calls.first?.legs == 4)
        let legs = try await site.gateway.bridgeLegs("rmx", call: "96")
        #expect(legs.map(\.id) == ["96-1", "96-2", "96-3", "96-4"])
        #expect(legs[1].remote == "site-1@hntt.example.vn" && legs[1].name == "Điểm cầu 1")
        #expect(legs.map(\.state) == ["connected", "connected", "connected", "disconnected"])
        #expect(legs.allSatisfy { $0.audioMuted == false && $0.quality.isEmpty })
        // One login for the session's transactions: the tokens are carried, not the password.
        let state = site.rmx!.store.snapshot
        #expect(state.successfulLogins == 2)
        #expect(state.commandLog.filter { $0 == "TRANS_MCU LOGIN" }.count == 2)
        #expect(state.commandLog.contains("TRANS_CONF_LIST GET_LS") && state.commandLog.contains("TRANS_CONF_2 GET"))
    }

    @Test("mute keeps the party's video as it was; drop disconnects, reconnect brings it back; each audited")
    func operations() async throws {
        let site = try await GatewaySite.make(withBridge: true)
        defer { Task { await site.stop() } }
        let rmx = try #require(site.rmx)
        rmx.store.update { $0.conferences[0].parties[1].videoMuted = true }
        func party(_ index: Int) -> RMXBridgeState.Party { rmx.store.snapshot.conferences[0].parties[index] }

        let muted = try await site.gateway.bridgeMute("rmx", leg: "96-2", muted: true, by: technician)
        #expect(muted.audioMuted == true)
        #expect(party(1).audioMuted && party(1).videoMuted)
        try await site.gateway.bridgeMute("rmx", leg: "96-2", muted: false, by: technician)
        #expect(!party(1).audioMuted && party(1).videoMuted)

        try await site.gateway.bridgeDrop("rmx", leg: "96-3", by: technician)
        #expect(!party(2).connected)
        #expect(rmx.store.snapshot.conferences[0].parties.count == 4, "the party stays defined")
        try await site.gateway.bridgeReconnect("rmx", leg: "96-4", by: technician)
        #expect(party(3).connected)

        let trail = try await site.auditTrail().filter { $0.device == "rmx" && $0.outcome != "started" }
        #expect(trail.map(\.action) == ["mcu mute", "mcu mute", "mcu drop", "mcu reconnect"])
        #expect(trail.allSatisfy { $0.outcome == "done" })
    }

    @Test("dial is not in the RMX's profile (exit 3); the CMS cannot reconnect (exit 2)")
    func undocumentedRefused() async throws {
        let site = try await GatewaySite.make(withBridge: true)
        defer { Task { await site.stop() } }
        let dial = await #expect(throws: HNTTError.self) {
            _ = try await site.gateway.bridgeDial("rmx", call: "96", uri: "a@b.vn", by: technician)
        }
        #expect(dial?.exitCode == 3)
        #expect(site.rmx!.store.snapshot.commandLog.isEmpty)
        // The CMS's profile does not list mcu-reconnect either.
        let reconnect = await #expect(throws: HNTTError.self) {
            try await site.gateway.bridgeReconnect("cms", leg: CMSBridgeState.guid(1, 2), by: technician)
        }
        #expect(reconnect?.exitCode == 3)
    }

    @Test("an unknown conference or party is the bridge's no (exit 4); a malformed id never leaves (exit 2)")
    func unknownAndMalformed() async throws {
        let site = try await GatewaySite.make(withBridge: true)
        defer { Task { await site.stop() } }
        let gateway = site.gateway
        for action in [
            { _ = try await gateway.bridgeLegs("rmx", call: "95") },
            { try await gateway.bridgeMute("rmx", leg: "96-9", muted: true, by: technician) },
            { try await gateway.bridgeDrop("rmx", leg: "95-1", by: technician) },
        ] as [@Sendable () async throws -> Void] {
            let error = await #expect(throws: HNTTError.self) { try await action() }
            #expect(error?.exitCode == 4)
            #expect(error?.fix?.isEmpty == false)
        }
        let sent = site.rmx!.store.snapshot.commandLog.count
        for action in [
            { _ = try await gateway.bridgeLegs("rmx", call: "96<x/>") },
            { try await gateway.bridgeDrop("rmx", leg: "96", by: technician) },
            { try await gateway.bridgeMute("rmx", leg: "96-2-3", muted: true, by: technician) },
        ] as [@Sendable () async throws -> Void] {
            let error = await #expect(throws: HNTTError.self) { try await action() }
            #expect(error?.exitCode == 2)
        }
        #expect(site.rmx!.store.snapshot.commandLog.count == sent)
    }

    @Test("a wrong password is refused (exit 5) without the password; an expired token logs in again once")
    func loginAndToken() async throws {
        let site = try await GatewaySite.make(keepingConnections: true, withBridge: true)
        defer { Task { await site.stop() } }
        let rmx = try #require(site.rmx)
        #expect(try await site.gateway.bridgeCalls("rmx").count == 2)
        rmx.store.update { $0.tokens = [] }   // the RMX forgot the session (restart, timeout)
        #expect(try await site.gateway.bridgeCalls("rmx").count == 2)
        #expect(rmx.store.snapshot.successfulLogins == 2)

        rmx.store.update {
            $0.tokens = []
            $0.password = "Changed-On-Console"
        }
        let error = await #expect(throws: HNTTError.self) { _ = try await site.gateway.bridgeCalls("rmx") }
        #expect(error?.exitCode == 5)
        let text = "\(error?.message ?? "") \(error?.fix ?? "")"
        #expect(!text.contains("rmx-pass-5"))
        #expect(rmx.store.snapshot.failedLogins == 1)
        await site.gateway.connections?.closeAll()
    }

    @Test("a wrong certificate sends nothing (exit 5); a truncated reply is the bridge's error (exit 4)")
    func certificateAndMalformed() async throws {
        let site = try await GatewaySite.make(withBridge: true)
        defer { Task { await site.stop() } }
        let inventory = site.gateway.inventoryPath
        let pinned = try #require(site.rmx?.certificate.opensslFingerprint)
        let cmsPin = try #require(site.bridge?.certificate.opensslFingerprint)
        let original = try await onOwnThread { try String(contentsOfFile: inventory, encoding: .utf8) }
        // The RMX pinned with the CMS's certificate: the wrong one.
        let wrong = original.replacingOccurrences(
            of: "credential: rmx, tls_fingerprint: \"\(pinned)\"",
            with: "credential: rmx, tls_fingerprint: \"\(cmsPin)\"")
        #expect(wrong != original)
        try await onOwnThread { try wrong.write(toFile: inventory, atomically: true, encoding: .utf8) }
        let mismatch = await #expect(throws: HNTTError.self) { _ = try await site.gateway.bridgeCalls("rmx") }
        #expect(mismatch?.exitCode == 5)
        #expect(site.rmx!.store.snapshot.commandLog.isEmpty && site.rmx!.store.snapshot.failedLogins == 0)
        try await onOwnThread { try original.write(toFile: inventory, atomically: true, encoding: .utf8) }
        site.rmx!.store.update { $0.malformedReplies = true }
        let malformed = await #expect(throws: HNTTError.self) { _ = try await site.gateway.bridgeCalls("rmx") }
        #expect(malformed?.exitCode == 4)
    }
}
