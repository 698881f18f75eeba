import Foundation
import HNTTSimulator
import HNTTTestSupport
import Testing

/// `hntt mcu` as CONTRACT.md "MCU" fixes it, the binary against a simulated Cisco Meeting Server on HTTPS.
@Suite("hntt mcu on a simulated Cisco Meeting Server")
struct MCUCommandTests {
    static let call = CMSBridgeState.guid(0, 1)

    /// The rig with the bridge `tinh-cms` in its room; `pinned`: its fingerprint in the inventory.
    static func rig(pinned: Bool) async throws -> (CLIRig, CMSBridgeSimulator) {
        let rig = try await CLIRig.start()
        let folder = rig.directory.appendingPathComponent("cms-cert").path
        let certificate = try await TestEnvironment.offPool { try SimulatorCertificate.make(in: folder) }
        var state = CMSBridgeState.demo(sites: 5)
        state.username = "api"
        state.password = "cms-pass-7"
        let bridge = CMSBridgeSimulator(store: SimulatorStore(state), certificate: certificate)
        let port = try await bridge.start()
        let pin = pinned ? ", tls_fingerprint: \"\(certificate.opensslFingerprint)\"" : ""
        try await TestEnvironment.offPool {
            try FileManager.default.copyItem(
                atPath: TestEnvironment.profilesDirectory + "/cisco-cms.yaml",
                toPath: rig.profilesPath + "/cisco-cms.yaml")
            try rig.writeInventory(
                extraDevices:
                    "      - {id: tinh-cms, profile: cisco-cms, transport: https, host: 127.0.0.1, port: \(port), "
                    + "credential: cms\(pin)}\n")
            let stored = try rig.hntt(
                ["secret", "set", "cms", "--username", "api", "--password-stdin"], input: "cms-pass-7\n")
            guard stored.status == 0 else { throw FixtureError("secret set failed: \(stored.stderr)") }
        }
        return (rig, bridge)
    }

    @Test("legs lists every site with loss, jitter and round trip; mute, drop and dial change the bridge")
    func contract() async throws {
        let (rig, bridge) = try await Self.rig(pinned: true)
        defer { rig.stop() }
        let calls = try await rig.json(["mcu", "calls", "tinh-cms"])
        #expect(calls.status == 0, "\(calls.stderr)")
        let listed = calls.object["calls"] as? [[String: Any]]
        #expect(
            listed?.count == 2 && listed?.first?["id"] as? String == Self.call && listed?.first?["legs"] as? Int == 6)

        let legs = try await rig.json(["mcu", "legs", "tinh-cms", Self.call])
        #expect(legs.status == 0 && legs.object["call"] as? String == Self.call)
        let items = legs.object["legs"] as? [[String: Any]] ?? []
        #expect(items.count == 6, "every page")
        for item in items {
            let quality = item["quality"] as? [String: Any] ?? [:]
            #expect(Set(["rx_audio_loss_percent", "rx_audio_jitter_ms", "rtt_ms"]).isSubset(of: quality.keys))
            #expect(item["audio_muted"] as? Bool == false && item["alarms"] is [Any])
        }
        let leg = try #require(items.last?["id"] as? String)
        let human = try await rig.run(["mcu", "legs", "tinh-cms", Self.call])
        #expect(human.stdout.split(separator: "\n").count == 6 && human.stdout.contains("rtt"))

        #expect(try await rig.run(["mcu", "mute", "tinh-cms", leg, "on"]).status == 0)
        #expect(bridge.store.snapshot.calls[0].legs.last?.rxAudioMute == true)
        let dialled = try await rig.json(["mcu", "dial", "tinh-cms", Self.call, "xa-moi@hntt.example.vn"])
        let newLeg = try #require(dialled.object["leg_id"] as? String)
        #expect(bridge.store.snapshot.calls[0].legs.contains { $0.id == newLeg })
        #expect(try await rig.run(["mcu", "drop", "tinh-cms", newLeg]).status == 0)
        #expect(!bridge.store.snapshot.calls[0].legs.contains { $0.id == newLeg })
        let unknown = try await rig.run(["mcu", "drop", "tinh-cms", newLeg])
        #expect(unknown.status == 4 && unknown.stderr.contains("fix:"), "\(unknown.stderr)")
        await bridge.stop()
    }

    @Test("no pin: refused before anything is sent (exit 5); trust-host pins the certificate, then it works")
    func trustHost() async throws {
        let (rig, bridge) = try await Self.rig(pinned: false)
        defer { rig.stop() }
        let refused = try await rig.run(["mcu", "calls", "tinh-cms"])
        #expect(refused.status == 5 && refused.stderr.contains("trust-host"), "\(refused.stderr)")
        #expect(bridge.store.snapshot.commandLog.isEmpty && bridge.store.snapshot.failedLogins == 0)
        let trusted = try await rig.run(["trust-host", "tinh-cms"])
        #expect(trusted.status == 0, "\(trusted.stderr)")
        // What openssl prints (`sha256 Fingerprint=AB:CD:…`) is what trust-host shows after `SHA256:`.
        let hex = String(bridge.certificate.opensslFingerprint.split(separator: "=").last ?? "")
        #expect(!hex.isEmpty && trusted.stdout.contains("SHA256:" + hex), "\(trusted.stdout)")
        #expect(try await rig.run(["mcu", "calls", "tinh-cms"]).status == 0)
        #expect(!(trusted.stdout + refused.stderr).contains("cms-pass-7"))
        await bridge.stop()
    }
}
