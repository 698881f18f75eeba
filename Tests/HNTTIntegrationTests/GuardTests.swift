import Foundation
import HNTTSimulator
import Testing

@testable import HNTTCore
@testable import HNTTGovernance

extension FleetRig {
    var key: String { authorityPath + "/approval-key.private" }

    /// Drafts, signs and imports a baseline of the device's live configuration.
    func approveBaseline(of device: String) async throws {
        let path = directory.appendingPathComponent("baseline-\(device).yaml").path
        for step in [
            ["baseline", "draft", device, "-o", path],
            ["baseline", "sign", path, "--key", key, "--by", "A", "--ref", "1/QĐ"],
            ["baseline", "import", path],
        ] {
            let result = try await run(step)
            guard result.status == 0 else { throw FixtureError("\(step[0]) \(step[1]) failed: \(result.stderr)") }
        }
    }

    /// A change order for `device`, signed (unless `sign` is false) and written to a file.
    func order(
        _ device: String, _ settings: [String], sign: Bool = true, validUntil: String? = nil,
        name: String = UUID().uuidString
    ) async throws -> String {
        let path = directory.appendingPathComponent("\(name).yaml").path
        let request = try await run(["change", "request", device] + settings + ["--reason", "test", "-o", path])
        guard request.status == 0 else { throw FixtureError("change request failed: \(request.stderr)") }
        if sign {
            let signed = try await run(
                ["change", "sign", path, "--key", key, "--by", "Nguyễn Văn A", "--ref", "77/QĐ-STTTT"]
                    + (validUntil.map { ["--valid-until", $0] } ?? []))
            guard signed.status == 0 else { throw FixtureError("change sign failed: \(signed.stderr)") }
        }
        return path
    }

    /// The codec's configuration as the simulator holds it.
    func configuration(_ index: Int) -> [CiscoConfigurationDefaults.Setting] {
        codecs[index].store.snapshot.configuration
    }
}

@Suite("The guard on simulated codecs")
struct GuardTests {
    @Test(
        "each refusal: no order, unsigned, unknown key, altered, expired, other device, other key, other value, replay")
    func refusals() async throws {
        let rig = try await FleetRig.start(count: 2)
        defer { rig.stop() }
        let before = rig.configuration(0)
        var result = try await rig.run(["config", "set", "codec-1", "SIP DisplayName", "New"])
        #expect(result.status == 3 && result.stderr.contains("needs a signed change order"))

        let unsigned = try await rig.order("codec-1", ["SIP DisplayName=New"], sign: false)
        result = try await rig.run(["change", "apply", unsigned])
        #expect(result.status == 3 && result.stderr.contains("not signed"))

        let stranger = rig.directory.appendingPathComponent("stranger").path
        #expect(try await rig.run(["authority", "init", "--out", stranger]).status == 0)
        let foreign = try await rig.order("codec-1", ["SIP DisplayName=New"], sign: false)
        #expect(
            try await rig.run([
                "change", "sign", foreign, "--key", stranger + "/approval-key.private", "--by", "X", "--ref", "1",
            ]).status == 0)
        result = try await rig.run(["change", "apply", foreign])
        #expect(result.status == 3 && result.stderr.contains("does not trust"))

        let altered = try await rig.order("codec-1", ["SIP DisplayName=New"])
        let text = try String(contentsOfFile: altered, encoding: .utf8)
        try text.replacingOccurrences(of: "\"New\"", with: "\"Other\"").write(
            toFile: altered, atomically: true, encoding: .utf8)
        result = try await rig.run(["change", "apply", altered])
        #expect(result.status == 3 && result.stderr.contains("altered"))

        let expired = try await rig.order("codec-1", ["SIP DisplayName=New"], validUntil: "2020-01-01T00:00:00Z")
        result = try await rig.run(["change", "apply", expired])
        #expect(result.status == 3 && result.stderr.contains("expired"))

        let forOne = try await rig.order("codec-1", ["SIP DisplayName=New"])
        result = try await rig.run(["config", "set", "codec-2", "SIP DisplayName", "New", "--authorization", forOne])
        #expect(result.status == 3 && result.stderr.contains("does not name device codec-2"))
        let otherKey = try await rig.order("codec-1", ["SIP DisplayName=New"])
        result = try await rig.run(["config", "set", "codec-1", "SystemUnit Name", "New", "--authorization", otherKey])
        #expect(result.status == 3 && result.stderr.contains("does not authorise SystemUnit Name"))
        let otherValue = try await rig.order("codec-1", ["SIP DisplayName=New"])
        result = try await rig.run([
            "config", "set", "codec-1", "SIP DisplayName", "Newer", "--authorization", otherValue,
        ])
        #expect(result.status == 3 && result.stderr.contains("differs from the one signed"))

        #expect(rig.configuration(0) == before, "a refused change touched the device")
        #expect(!rig.codecs[0].store.snapshot.commandLog.contains { $0.hasPrefix("xConfiguration SIP DisplayName:") })

        let good = try await rig.order("codec-1", ["SIP DisplayName=New"])
        #expect(
            try await rig.run(["config", "set", "codec-1", "SIP DisplayName", "New", "--authorization", good]).status
                == 0)
        #expect(rig.codecs[0].store.snapshot.setting("SIP DisplayName") == "New")
        result = try await rig.run(["change", "apply", good])
        #expect(result.status == 3 && result.stderr.contains("already used"))
        #expect(try await rig.run(["audit", "verify"]).status == 0)
    }

    @Test("an applied order changes the device and becomes the next baseline version")
    func applyAndBaseline() async throws {
        let rig = try await FleetRig.start(count: 1)
        defer { rig.stop() }
        try await rig.approveBaseline(of: "codec-1")
        let order = try await rig.order("codec-1", ["SIP DisplayName=Renamed", "Conference AutoAnswer Mode=On"])
        let applied = try await rig.run(["change", "apply", order])
        #expect(applied.status == 0)
        #expect(rig.codecs[0].store.snapshot.setting("SIP DisplayName") == "Renamed")
        #expect(rig.codecs[0].store.snapshot.setting("Conference AutoAnswer Mode") == "On")
        let show = try await rig.json(["baseline", "show", "codec-1"])
        #expect(show.object["version"] as? Int == 2)
        #expect(show.object["reference"] as? String == "77/QĐ-STTTT")
        #expect(try await rig.run(["drift", "codec-1"]).status == 0, "the approved state moved with the change")
        let snapshots = try await rig.json(["snapshot", "list", "codec-1"])
        #expect((snapshots.object["snapshots"] as? [Any])?.count == 1, "the configuration before the change was kept")
    }

    @Test("a failure in the middle of a 5-key change leaves the device exactly as it was")
    func failureMidChange() async throws {
        let rig = try await FleetRig.start(count: 1)
        defer { rig.stop() }
        rig.codecs[0].store.update { $0.refuseWrites = ["Conference DefaultCall Rate"] }
        let before = rig.configuration(0)
        let order = try await rig.order(
            "codec-1",
            [
                "SIP DisplayName=A", "SystemUnit Name=B", "Conference DefaultCall Rate=768",
                "Conference AutoAnswer Mode=On", "Macros Mode=On",
            ])
        let result = try await rig.run(["change", "apply", order])
        #expect(result.status == 4)
        #expect(result.stderr.contains("the change failed at Conference DefaultCall Rate"))
        #expect(result.stderr.contains("the device is as it was"))
        #expect(rig.configuration(0) == before, "byte-for-byte the configuration before the change")
        #expect(
            rig.codecs[0].store.snapshot.commandLog.contains("xConfiguration SIP DisplayName: \"A\""),
            "the first keys were written, then put back")
    }

    @Test("a change that cuts the connection is put back over a new one")
    func connectionCut() async throws {
        let rig = try await FleetRig.start(count: 1)
        defer { rig.stop() }
        rig.codecs[0].store.update { $0.cutOnWrite = ["Network 1 IPv4 Address"] }
        let before = rig.configuration(0)
        let order = try await rig.order("codec-1", ["SIP DisplayName=A", "Network 1 IPv4 Address=10.99.0.1"])
        let result = try await rig.run(["change", "apply", order])
        #expect(result.status == 5)
        #expect(result.stderr.contains("the device is as it was"))
        #expect(rig.configuration(0) == before)
    }

    @Test("unless confirmed in time, a change is undone; confirmed, it stays")
    func confirmWithin() async throws {
        let rig = try await FleetRig.start(count: 1)
        defer { rig.stop() }
        let before = rig.configuration(0)
        let unconfirmed = try await rig.order("codec-1", ["Network 1 IPv4 Gateway=10.10.1.254"])
        let lapsed = try await rig.run(["change", "apply", unconfirmed, "--confirm-within", "1"])
        #expect(lapsed.status == 5)
        #expect(lapsed.stderr.contains("not confirmed within 1 s"))
        #expect(rig.configuration(0) == before)

        let confirmed = try await rig.order("codec-1", ["Network 1 IPv4 Gateway=10.10.1.254"])
        let id = try #require(
            try String(contentsOfFile: confirmed, encoding: .utf8)
                .split(separator: "\n").first { $0.hasPrefix("id: ") }.map { String($0.dropFirst(5).dropLast()) })
        let apply = Task { try await rig.run(["change", "apply", confirmed, "--confirm-within", "20"]) }
        let giveUp = Date().addingTimeInterval(15)
        while rig.codecs[0].store.snapshot.setting("Network 1 IPv4 Gateway") != "10.10.1.254", Date() < giveUp {
            try await Task.sleep(nanoseconds: 20_000_000)   // poll the condition; never spin on the shared pool
        }
        #expect(try await rig.run(["change", "confirm", id]).status == 0)
        #expect(try await apply.value.status == 0)
        #expect(rig.codecs[0].store.snapshot.setting("Network 1 IPv4 Gateway") == "10.10.1.254")
    }

    @Test("exec: reads and operations pass canonicalised, disguised writes are refused before anything is sent")
    func exec() async throws {
        let rig = try await FleetRig.start(count: 1)
        defer { rig.stop() }
        let status = try await rig.run(["exec", "codec-1", "--", "xstat", "standby"])
        #expect(status.status == 0 && status.stdout.contains("*s Standby State: Standby"))
        #expect(try await rig.run(["exec", "codec-1", "--", "xcom", "st", "deact"]).status == 0)
        #expect(rig.codecs[0].store.snapshot.standby == "Off")
        for disguised in [
            ["xconf", "SIP", "DisplayName:", "x"], ["XCONFIGURATION", "sip/displayname:", "x"],
            ["xcom", "systemu", "factoryreset"],
        ] {
            let result = try await rig.run(["exec", "codec-1", "--"] + disguised)
            #expect(result.status == 3, "\(disguised)")
        }
        #expect(rig.codecs[0].store.snapshot.setting("SIP DisplayName") == "Room-1")
        #expect(
            !rig.codecs[0].store.snapshot.commandLog.contains {
                $0.lowercased().contains("factoryreset") || $0.contains(": x")
            })
    }

    @Test("drift --remediate puts drifted keys back under the baseline's authority")
    func remediate() async throws {
        let rig = try await FleetRig.start(count: 1)
        defer { rig.stop() }
        try await rig.approveBaseline(of: "codec-1")
        rig.codecs[0].store.update {
            $0.setSetting("SIP DisplayName", "Tampered")
            $0.setSetting("Conference AutoAnswer Mode", "On")
        }
        #expect(try await rig.run(["drift"]).status == 1)
        let remediated = try await rig.run(["drift", "--remediate"])
        #expect(remediated.status == 0, "\(remediated.stderr)")
        #expect(rig.codecs[0].store.snapshot.setting("SIP DisplayName") == "Room-1")
        #expect(rig.codecs[0].store.snapshot.setting("Conference AutoAnswer Mode") == "Off")
        #expect(try await rig.run(["drift", "codec-1"]).status == 0)
    }
}
