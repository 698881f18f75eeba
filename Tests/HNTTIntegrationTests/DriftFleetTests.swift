import Foundation
import HNTTSimulator
import HNTTTestSupport
import Testing

@testable import HNTTCore
@testable import HNTTGovernance

/// A simulated fleet for the governance commands: `count` Cisco codecs on telnet, a codec that
/// does not answer, and a camera, with the department's approval key made and trusted.
final class FleetRig: @unchecked Sendable {
    let directory: URL
    let codecs: [CiscoSimulator]
    var inventoryPath: String { directory.appendingPathComponent("inventory.yaml").path }
    var dataPath: String { directory.appendingPathComponent("data").path }
    var authorityPath: String { directory.appendingPathComponent("authority").path }

    static func start(count: Int) async throws -> FleetRig {
        try await TestEnvironment.offPool { try FleetRig(count: count) }
    }

    private init(count: Int) throws {
        directory = try TestEnvironment.temporaryDirectory("fleet")
        codecs = (1...count).map { index in
            CiscoSimulator(
                CiscoCodecData(
                    flavor: index % 2 == 0 ? .roomos11 : .ce9, systemName: "Room-\(index)",
                    users: ["admin": "fleet-pass"]))
        }
        var devices = ""
        for (index, codec) in codecs.enumerated() {
            devices +=
                "      - {id: codec-\(index + 1), profile: cisco-roomos, transport: telnet, host: 127.0.0.1, port: \(try codec.startTelnet()), credential: codec}\n"
        }
        let deadPort = try TestEnvironment.freePort()
        devices +=
            "      - {id: codec-dead, profile: cisco-roomos, transport: telnet, host: 127.0.0.1, port: \(deadPort), credential: codec}\n"
        devices += "      - {id: cam-1, profile: sony-visca, transport: serial, path: /dev/null, address: 1}\n"
        try """
        site: "Fleet"
        rooms:
          - id: fleet
            name: "Fleet"
            unit: "VP"
            devices:
        \(devices)
        """.write(toFile: inventoryPath, atomically: true, encoding: .utf8)
        guard
            try hntt(["secret", "set", "codec", "--username", "admin", "--password-stdin"], input: "fleet-pass\n")
                .status == 0,
            try hntt(["authority", "init", "--out", authorityPath]).status == 0,
            try hntt(["trust", "add", authorityPath + "/approval-key.public", "--name", "Sở TT&TT"]).status == 0
        else {
            throw FixtureError("fleet set-up failed")
        }
    }

    func hntt(_ arguments: [String], input: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        var environment = ProcessInfo.processInfo.environment
        environment["HNTT_PROFILES"] = TestEnvironment.profilesDirectory
        environment.removeValue(forKey: "HNTT_MASTER_KEY")
        // Options go before a `--` (what follows it is passed through as it is).
        let options = ["--inventory", inventoryPath, "--data", dataPath]
        let split = arguments.firstIndex(of: "--") ?? arguments.endIndex
        return try TestEnvironment.run(
            TestEnvironment.hnttBinary, Array(arguments[..<split]) + options + Array(arguments[split...]),
            input: input, environment: environment)
    }

    func run(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await TestEnvironment.offPool { try self.hntt(arguments) }
    }

    func json(_ arguments: [String]) async throws -> (status: Int32, object: [String: Any], stderr: String) {
        let result = try await run(arguments + ["--json"])
        guard let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw FixtureError("not JSON: \(result.stdout) \(result.stderr)")
        }
        return (result.status, object, result.stderr)
    }

    func stop() {
        for codec in codecs { codec.stop() }
        TestFiles.remove(directory)
    }

    deinit { stop() }
}

@Suite("Baselines and drift on a simulated fleet")
struct DriftFleetTests {
    @Test(
        "drift reports exactly the devices and keys changed behind its back, the dead one, and those without baseline")
    func fleetDrift() async throws {
        let rig = try await FleetRig.start(count: 5)
        defer { rig.stop() }
        let baseline = rig.directory.appendingPathComponent("baseline.yaml").path
        let governed = (1...4).map { "codec-\($0)" }
        #expect(try await rig.run(["baseline", "draft"] + governed + ["-o", baseline]).status == 0)
        #expect(try await rig.run(["baseline", "import", baseline]).status == 3, "an unsigned draft is refused")
        #expect(
            try await rig.run([
                "baseline", "sign", baseline, "--key", rig.authorityPath + "/approval-key.private",
                "--by", "Nguyễn Văn A", "--ref", "45/QĐ-STTTT",
            ]).status == 0)
        let imported = try await rig.json(["baseline", "import", baseline])
        #expect(imported.status == 0)
        #expect((imported.object["imported"] as? [[String: Any]])?.count == 4)

        // Behind hntt's back: a display name, a SIP password, an ungoverned volume.
        rig.codecs[1].store.update { $0.setSetting("SIP DisplayName", "Tampered") }
        rig.codecs[2].store.update { $0.setSetting("SIP Authentication Password", "new-secret-991") }
        rig.codecs[3].store.update { $0.setSetting("Audio DefaultVolume", "80") }

        let drift = try await rig.json(["drift", "--parallel", "3"])
        #expect(drift.status == 1)
        let reports = try #require(drift.object["devices"] as? [[String: Any]])
        let status = Dictionary(
            uniqueKeysWithValues: reports.map { ($0["device"] as? String ?? "", $0["status"] as? String ?? "") })
        #expect(
            status == [
                "codec-1": "clean", "codec-2": "drift", "codec-3": "drift", "codec-4": "clean",
                "codec-5": "no-baseline", "codec-dead": "no-baseline", "cam-1": "no-baseline",
            ])
        let changes = Dictionary(
            uniqueKeysWithValues: reports.map {
                ($0["device"] as? String ?? "", ($0["changes"] as? [[String: Any]]) ?? [])
            })
        #expect(changes["codec-2"]?.map { $0["key"] as? String } == ["SIP DisplayName"])
        #expect(changes["codec-2"]?.first?["approved"] as? String == "Room-2")
        #expect(changes["codec-2"]?.first?["live"] as? String == "Tampered")
        #expect(changes["codec-3"]?.map { $0["key"] as? String } == ["SIP Authentication Password"])
        #expect(changes["codec-3"]?.first?["live"] as? String == "********")
        let all = try await rig.run(["drift"])
        #expect(!(all.stdout + all.stderr).contains("new-secret-991"))
        #expect(all.stdout.contains("codec-2: drift\n  SIP DisplayName: Room-2 → Tampered"))

        #expect(try await rig.run(["drift", "codec-1", "codec-4"]).status == 0)
    }

    @Test("a device that does not answer is unreachable (exit 5) after its own timeout only")
    func unreachable() async throws {
        let rig = try await FleetRig.start(count: 1)
        defer { rig.stop() }
        let baseline = rig.directory.appendingPathComponent("b.yaml").path
        #expect(try await rig.run(["baseline", "draft", "codec-1", "-o", baseline]).status == 0)
        // A baseline for the dead device too, made from codec-1's values.
        let text = try String(contentsOfFile: baseline, encoding: .utf8)
        let entry = text.components(separatedBy: "devices:\n")[1]
        try (text + entry.replacingOccurrences(of: "device: \"codec-1\"", with: "device: \"codec-dead\""))
            .write(toFile: baseline, atomically: true, encoding: .utf8)
        #expect(
            try await rig.run([
                "baseline", "sign", baseline, "--key", rig.authorityPath + "/approval-key.private",
                "--by", "A", "--ref", "1",
            ]).status == 0)
        #expect(try await rig.run(["baseline", "import", baseline]).status == 0)
        let drift = try await rig.json(["drift", "codec-1", "codec-dead"])
        #expect(drift.status == 5)
        let reports = try #require(drift.object["devices"] as? [[String: Any]])
        #expect(reports.map { $0["status"] as? String } == ["clean", "unreachable"])
        #expect(reports.last?["error"] as? String != nil)
    }

    @Test("snapshots: stored once per change, listed, shown with secrets masked, diffed by feature")
    func snapshots() async throws {
        let rig = try await FleetRig.start(count: 1)
        defer { rig.stop() }
        rig.codecs[0].store.update { $0.setSetting("SIP Authentication Password", "pw-7781") }
        let first = try await rig.json(["snapshot", "codec-1"])
        #expect(first.status == 0)
        let id = try #require(first.object["snapshot_id"] as? Int)
        #expect((first.object["settings"] as? [String: String])?["SIP Authentication Password"] == "********")
        #expect(try await rig.json(["snapshot", "codec-1"]).object["snapshot_id"] as? Int == id)
        rig.codecs[0].store.update {
            $0.setSetting("SIP DisplayName", "Changed")
            $0.setSetting("NetworkServices Telnet Mode", "On")
        }
        let second = try await rig.json(["snapshot", "codec-1"])
        let secondID = try #require(second.object["snapshot_id"] as? Int)
        #expect(secondID != id)
        let diff = try await rig.run(["snapshot", "diff", String(secondID)])
        #expect(diff.status == 0)
        #expect(diff.stdout.contains("[SIP]\n  SIP DisplayName: \"Room-1\" → \"Changed\""))
        #expect(diff.stdout.contains("[NetworkServices]\n  NetworkServices Telnet Mode: \"Off\" → \"On\""))
        let list = try await rig.json(["snapshot", "list", "codec-1"])
        #expect((list.object["snapshots"] as? [Any])?.count == 2)
        let database = try Data(contentsOf: URL(fileURLWithPath: rig.dataPath + "/hntt.sqlite"))
        let wal = (try? Data(contentsOf: URL(fileURLWithPath: rig.dataPath + "/hntt.sqlite-wal"))) ?? Data()
        #expect(database.range(of: Data("pw-7781".utf8)) == nil && wal.range(of: Data("pw-7781".utf8)) == nil)
    }

    @Test("every device action and approval is audited with who did it, and tampering is named")
    func audit() async throws {
        let rig = try await FleetRig.start(count: 1)
        defer { rig.stop() }
        #expect(try await rig.run(["wake", "codec-1", "--operator", "Lê Thị B"]).status == 0)
        #expect(try await rig.run(["dial", "codec-1", "84123456", "--operator", "Lê Thị B"]).status == 0)
        #expect(try await rig.run(["preset", "codec-1", "recall", "9"]).status == 4)
        let unsigned = rig.directory.appendingPathComponent("u.yaml").path
        #expect(try await rig.run(["baseline", "draft", "codec-1", "-o", unsigned]).status == 0)
        #expect(try await rig.run(["baseline", "import", unsigned]).status == 3)
        let list = try await rig.json(["audit", "list"])
        let entries = try #require(list.object["entries"] as? [[String: Any]])
        let summary = entries.map { "\($0["action"] as? String ?? "") \($0["outcome"] as? String ?? "")" }
        // Intent first: each action is written down as started before it runs, then its outcome.
        #expect(
            summary == [
                "secret set started", "secret set done", "trust add started", "trust add done", "wake started",
                "wake done", "dial started", "dial done", "preset recall started", "preset recall failed",
                "baseline import started", "baseline import refused",
            ])
        #expect(entries[4]["operator"] as? String == "Lê Thị B" && entries[5]["operator"] as? String == "Lê Thị B")
        #expect(entries[5]["os_user"] as? String == AuditLog.currentUser)
        #expect((entries[9]["detail"] as? String)?.contains("Preset 9 not found") == true)
        #expect((entries[11]["detail"] as? String)?.contains("not signed") == true)
        #expect(try await rig.run(["audit", "verify"]).status == 0)

        let database = try GovernanceDatabase(data: DataDirectory(path: rig.dataPath))
        try await database.writer.write {
            try $0.execute(sql: "UPDATE audit SET detail = 'number \"999\"' WHERE id = 4")
        }
        let verify = try await rig.json(["audit", "verify"])
        #expect(verify.status == 1)
        #expect(verify.object["problem"] as? String == "entry 4 was edited after it was written")
    }
}
