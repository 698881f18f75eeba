import Foundation
import HNTTSimulator
import Testing

@testable import HNTTCore
@testable import HNTTPoly

/// Poly codecs as the real ones answer (issue: echoed commands, partial settings, media
/// statistics, sleep state), on every route: LAN sessions echo, serial ones do not.
@Suite("Poly as it really answers")
struct PolyAsItAnswersTests {
    static let routes: [Route] = Route.only([.telnet, .sshKeyboardInteractive, .serial, .serialServer])

    @Test("with echo on, mute, presets and settings read back exactly what the codec holds", arguments: routes)
    func echoedReadsAreExact(route: Route) async throws {
        let rig = try await PolyRig.start(route, flavor: .group)
        defer { rig.stop() }
        let driver = try #require(try rig.driver() as? PolyLegacyDriver)
        for muted in [true, false, true] {
            try await driver.setMicrophoneMute(muted)
            #expect(try rig.state().nearMuted == muted)
            #expect(try await driver.microphoneMuted() == muted, "read back after mute \(muted) on \(route)")
        }
        let echoes = await driver.sessionInfo?.echoes
        #expect(echoes == (route.transport == .telnet || route.transport == .ssh), "echo detected on \(route)")
        try rig.update {
            $0.legacySettings["autoanswer"] = "donotdisturb"
            $0.systemSettings["sipaccountname"] = "xa-6"
        }
        let settings = try await driver.configuration(key: nil)
        #expect(settings["autoanswer"] == "donotdisturb" && settings["sipaccountname"] == "xa-6")
        #expect(settings.entries.allSatisfy { !$0.value.lowercased().hasPrefix("get") }, "no value is an echo")
        try await driver.storePreset(4, camera: nil)
        try await driver.recallPreset(4, camera: nil)
        #expect(try rig.state().activePreset == 4)
        #expect(try await driver.status().micMuted == true)
        await driver.close()
    }

    @Test(
        "a firmware without sippassword: the whole read succeeds and names what it lacks",
        arguments: [Route.telnet, .serialWithoutLogin])
    func partialConfiguration(route: Route) async throws {
        let rig = try await PolyRig.start(route, flavor: .group)
        defer { rig.stop() }
        try rig.update { $0.unsupportedSettings = ["sippassword", "maxtimeincall"] }
        let driver = try rig.driver()
        let settings = try await driver.configuration(key: nil)
        #expect(settings.unsupported == ["sippassword", "maxtimeincall"])
        #expect(settings.entries.count == 21)
        #expect(settings["sipaccountname"] == "ubnd-poly")
        let one = await expectHNTTError { _ = try await driver.configuration(key: "sippassword") }
        #expect(one?.exitCode == 4 && one?.message.contains("does not have the setting sippassword") == true)
        await driver.close()
    }

    @Test(
        "media statistics during an H.323 call: loss counts, jitter and rate; a SIP call reports what it has",
        arguments: routes)
    func mediaStatistics(route: Route) async throws {
        let rig = try await PolyRig.start(route, flavor: route == .serial ? .hdx : .group)
        defer { rig.stop() }
        try rig.update {
            $0.lossPerSecond = 30
            $0.jitterMs = 12
            $0.transmitLossPercent = 0.4
            $0.lossSpelling = .tight
        }
        let driver = try #require(try rig.driver() as? PolyLegacyDriver)
        #expect(try await driver.mediaCounters() == nil, "no call, nothing to measure")
        _ = try await driver.dial("84123456", protocol: .h323, rateKbps: 1024)
        try rig.update { data in data.calls[0].connectedAt -= 10 }
        let h323 = try #require(try await driver.mediaCounters())
        #expect(h323.jitterMs == 12 && h323.rateKbps == 1024 && h323.lossPercent == 0.4)
        #expect((h323.lost ?? 0) >= 300 && h323.transmitLost == 0 && h323.packets == nil)
        _ = try await driver.hangup(callID: nil)

        try rig.update { $0.lossSpelling = .spaced }
        _ = try await driver.dial("84123456", protocol: .sip, rateKbps: 768)
        let sip = try #require(try await driver.mediaCounters())
        #expect(sip.lost == nil && sip.jitterMs == nil, "H.323-only fields print --- on SIP: not measured, never 0")
        #expect(sip.lossPercent == 0.4 && sip.rateKbps == 768)
        await driver.close()
    }

    @Test("sleep events: the codec falling asleep by itself, and waking, are seen with their time")
    func sleepEvents() async throws {
        let rig = try await PolyRig.start(.telnet, flavor: .group)
        defer { rig.stop() }
        try rig.update { $0.asleep = false }
        let driver = try #require(try rig.driver() as? PolyLegacyDriver)
        #expect(try await driver.status().standby == .unknown, "nothing seen yet: said plainly")
        #expect(await driver.observedStandby == nil)
        let before = Date()
        try rig.update { $0.fall(asleep: true) }
        #expect(try await driver.status().standby == .on)
        let seen = try #require(await driver.observedStandby)
        #expect(seen.state == .on && seen.seenAt >= before.addingTimeInterval(-1))
        try rig.update { $0.fall(asleep: false) }
        #expect(try await driver.microphoneMuted() == false)
        #expect(try await driver.status().standby == .off)
        await driver.close()
    }

    @Test("a LAN session the codec drops when it goes to sleep: reconnected, and awake is no longer assumed")
    func sessionDropOnSleep() async throws {
        let rig = try await PolyRig.start(.telnet, flavor: .group)
        defer { rig.stop() }
        try rig.update {
            $0.dropsSessionOnSleep = true
            $0.asleep = false
        }
        let driver = try #require(try rig.driver() as? PolyLegacyDriver)
        try await driver.sleep()
        #expect(try rig.state().asleep)
        #expect(try await driver.status().standby == .on, "the sleep it asked for, after a new connection")
        #expect(try rig.state().successfulLogins == 2)
        try await driver.wake()
        rig.dropClients()
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(try await driver.status().standby == .unknown, "a dropped session may mean sleep (§2.6a)")
        #expect(try rig.state().successfulLogins == 3)
        await driver.close()
    }
}

/// The same through the command line: a snapshot and a drift check on a firmware that lacks
/// settings, and the standby state remembered between processes.
@Suite("Poly through the command line")
struct PolyCommandLineTests {
    @Test("config get, snapshot and drift succeed on a firmware that lacks settings, and say which")
    func lackingSettings() async throws {
        let rig = try await FleetRig.start(count: 1)
        defer { rig.stop() }
        let poly = PolySimulator(PolyCodecData(flavor: .group, password: "fleet-pass"))
        defer { poly.stop() }
        try rig.addDevice(
            "      - {id: poly-1, profile: poly-group, transport: telnet, host: 127.0.0.1, port: \(try poly.startTelnet()), credential: codec}\n"
        )
        try await rig.approveBaseline(of: "poly-1")
        poly.store.update { $0.unsupportedSettings = ["sippassword"] }

        let get = try await rig.json(["config", "get", "poly-1"])
        #expect(get.status == 0, "\(get.stderr)")
        #expect(get.object["unsupported"] as? [String] == ["sippassword"])
        #expect((get.object["settings"] as? [String: String])?["sippassword"] == nil)
        #expect(get.stderr.contains("does not have sippassword"))

        let snapshot = try await rig.json(["snapshot", "poly-1"])
        #expect(snapshot.status == 0, "\(snapshot.stderr)")
        #expect(snapshot.object["unsupported"] as? [String] == ["sippassword"])

        let drift = try await rig.json(["drift", "poly-1"])
        #expect(drift.status == 0, "not drift: \(drift.object)")
        let report = try #require((drift.object["devices"] as? [[String: Any]])?.first)
        #expect(report["status"] as? String == "clean")
        #expect(report["unsupported"] as? [String] == ["sippassword"])
        let text = try await rig.run(["drift", "poly-1"])
        #expect(text.stdout.contains("the baseline governs sippassword, which this firmware does not have"))
    }

    @Test("status in a new process reports the standby state the last command saw, with its time")
    func standbyAcrossProcesses() async throws {
        let rig = try await CLIRig.start()
        defer { rig.stop() }
        let fresh = try await rig.json(["status", "ubnd-poly"])
        #expect(fresh.object["standby"] as? String == "unknown")
        #expect(fresh.object["standby_seen_at"] == nil)
        let plain = try await rig.run(["status", "ubnd-poly"])
        #expect(plain.stdout.contains("cannot be asked"))

        #expect(try await rig.run(["wake", "ubnd-poly"]).status == 0)
        let awake = try await rig.json(["status", "ubnd-poly"])
        #expect(awake.object["standby"] as? String == "off")
        let seenAt = try #require(awake.object["standby_seen_at"] as? String)
        #expect(ISO8601DateFormatter().date(from: seenAt).map { abs($0.timeIntervalSinceNow) < 60 } == true)
        #expect((awake.object["standby_age_s"] as? Int).map { $0 >= 0 } == true)

        #expect(try await rig.run(["sleep", "ubnd-poly"]).status == 0)
        #expect(try await rig.json(["status", "ubnd-poly"]).object["standby"] as? String == "on")
        #expect(try await rig.run(["status", "ubnd-poly"]).stdout.contains("on (last seen"))
    }
}

extension FleetRig {
    /// Adds an inventory line (indented as a device of the fleet's room).
    func addDevice(_ line: String) throws {
        let text = try String(contentsOfFile: inventoryPath, encoding: .utf8)
        try (text.hasSuffix("\n") ? text : text + "\n").appending(line).write(
            toFile: inventoryPath, atomically: true, encoding: .utf8)
    }
}
