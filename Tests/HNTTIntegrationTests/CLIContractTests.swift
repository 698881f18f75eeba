import Foundation
import HNTTSimulator
import HNTTTestSupport
import Testing

/// The command line as docs/CONTRACT.md fixes it: JSON shapes, exit codes, messages, secrecy.
@Suite("hntt command line contract")
struct CLIContractTests {
    @Test("status --json has the contract's fields")
    func statusJSON() async throws {
        let rig = try await CLIRig.start()
        defer { rig.stop() }
        rig.simulator.store.update {
            $0.standby = "Halfwake"
            $0.micMuted = true
        }
        let (status, object, _) = try await rig.json(["status", "ubnd-codec"])
        #expect(status == 0)
        #expect(object["device"] as? String == "ubnd-codec")
        #expect(object["standby"] as? String == "halfwake")
        #expect(object["mic_muted"] as? Bool == true)
        #expect((object["calls"] as? [Any])?.isEmpty == true)
        #expect((object["software"] as? String)?.hasPrefix("ce9") == true)
    }

    @Test("wake, mute, dial, hangup, preset and sleep act on the codec and report in JSON")
    func operations() async throws {
        let rig = try await CLIRig.start()
        defer { rig.stop() }
        #expect(try await rig.run(["wake", "ubnd-codec"]).status == 0)
        #expect(rig.simulator.store.snapshot.standby == "Off")

        let muted = try await rig.json(["mute", "ubnd-codec", "on"])
        #expect(muted.status == 0)
        #expect(muted.object["mic_muted"] as? Bool == true)
        #expect(rig.simulator.store.snapshot.micMuted)
        let query = try await rig.run(["mute", "ubnd-codec"])
        #expect(query.stdout.contains("muted"))

        let dialed = try await rig.json(["dial", "ubnd-codec", "84123456", "--protocol", "h323", "--rate", "768"])
        #expect(dialed.status == 0)
        let callID = try #require(dialed.object["call_id"] as? String)
        #expect(rig.simulator.store.snapshot.calls.map { String($0.id) } == [callID])

        let status = try await rig.json(["status", "ubnd-codec"])
        let calls = try #require(status.object["calls"] as? [[String: Any]])
        #expect(calls.first?["id"] as? String == callID)
        #expect(calls.first?["number"] as? String == "84123456")
        #expect(calls.first?["status"] as? String == "Connected")

        #expect(try await rig.run(["hangup", "ubnd-codec", "--call", callID]).status == 0)
        #expect(rig.simulator.store.snapshot.calls.isEmpty)
        #expect(try await rig.run(["preset", "ubnd-codec", "store", "2"]).status == 0)
        #expect(try await rig.run(["preset", "ubnd-codec", "recall", "2"]).status == 0)
        #expect(rig.simulator.store.snapshot.activePreset == 2)
        #expect(try await rig.run(["sleep", "ubnd-codec"]).status == 0)
        #expect(rig.simulator.store.snapshot.standby == "Standby")
    }

    @Test("config get prints the configuration with secret values masked")
    func configGet() async throws {
        let rig = try await CLIRig.start()
        defer { rig.stop() }
        rig.simulator.store.update { $0.setSetting("SIP Authentication Password", "sip-secret-4471") }
        let all = try await rig.json(["config", "get", "ubnd-codec"])
        #expect(all.status == 0)
        let settings = try #require(all.object["settings"] as? [String: String])
        #expect(settings.count >= 150)
        #expect(settings["SIP Authentication Password"] == "********")
        #expect(settings["Conference AutoAnswer Mode"] == "Off")
        let text = try await rig.run(["config", "get", "ubnd-codec"])
        #expect(!text.stdout.contains("sip-secret-4471"))
        let one = try await rig.json(["config", "get", "ubnd-codec", "SIP DisplayName"])
        #expect(one.object["settings"] as? [String: String] == ["SIP DisplayName": "UBND-Room"])
    }

    @Test("a wrong password: exit 5, a message saying how to fix it, the password nowhere")
    func wrongPassword() async throws {
        let rig = try await CLIRig.start()
        defer { rig.stop() }
        let wrong = "Not-The-Password-9182"
        #expect(
            try await rig.run(["secret", "set", "codec", "--username", "admin", "--password-stdin"], input: wrong)
                .status == 0)
        let result = try await rig.run(["status", "ubnd-codec", "--json"])
        #expect(result.status == 5)
        #expect(result.stderr.contains("login refused"))
        #expect(result.stderr.contains("hntt secret set codec"))
        #expect(result.stdout.contains("\"login-refused\""))
        #expect(!(result.stdout + result.stderr).contains(wrong))
        #expect(!(result.stdout + result.stderr).contains(CLIRig.password))
    }

    @Test("eight `secret set` processes at once on a fresh data folder: all eight stored and audited, chain intact")
    func eightProcessesAtOnce() async throws {
        let rig = try await CLIRig.start()
        defer { rig.stop() }
        let fresh = rig.directory.appendingPathComponent("fresh-data").path
        var variables = ProcessInfo.processInfo.environment
        variables.removeValue(forKey: "HNTT_MASTER_KEY")
        let environment = variables
        let inventory = rig.inventoryPath
        let results = try await withThrowingTaskGroup(of: Int32.self) { group in
            for index in 0..<8 {
                group.addTask {
                    try await TestEnvironment.runAsync(
                        TestEnvironment.hnttBinary,
                        [
                            "secret", "set", "codec-\(index)", "--username", "admin", "--password-stdin",
                            "--inventory", inventory, "--data", fresh,
                        ], input: "pw-\(index)\n", environment: environment
                    ).status
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results == Array(repeating: 0, count: 8))
        let check = ["--inventory", rig.inventoryPath, "--data", fresh, "--json"]
        let list = try TestEnvironment.run(TestEnvironment.hnttBinary, ["secret", "list"] + check)
        for index in 0..<8 { #expect(list.stdout.contains("\"codec-\(index)\""), "\(list.stdout)") }
        let audit = try TestEnvironment.run(TestEnvironment.hnttBinary, ["audit", "list"] + check)
        #expect(audit.stdout.components(separatedBy: "\"started\"").count - 1 == 8, "\(audit.stdout)")
        #expect(audit.stdout.components(separatedBy: "\"done\"").count - 1 == 8, "\(audit.stdout)")
        let verify = try TestEnvironment.run(TestEnvironment.hnttBinary, ["audit", "verify"] + check)
        #expect(verify.status == 0 && verify.stdout.contains("\"intact\": true"), "\(verify.stdout)")
    }

    @Test("the secret store keeps no password in clear, and its files are private")
    func secretStoreAtRest() async throws {
        let rig = try await CLIRig.start()
        defer { rig.stop() }
        let store = try Data(contentsOf: URL(fileURLWithPath: rig.dataPath + "/secrets.enc"))
        #expect(store.range(of: Data(CLIRig.password.utf8)) == nil)
        #expect(store.range(of: Data("admin".utf8)) == nil)
        let keyMode =
            try FileManager.default.attributesOfItem(atPath: rig.dataPath + "/master.key")[.posixPermissions] as? Int
        #expect(keyMode == 0o600)
        let dirMode = try FileManager.default.attributesOfItem(atPath: rig.dataPath)[.posixPermissions] as? Int
        #expect(dirMode == 0o700)
    }

    @Test("SSH host keys: unknown is refused, trust-host pins it, a changed key is refused", .needsSSHD)
    func hostKeyLifecycle() async throws {
        let rig = try await CLIRig.start(withSSH: true)
        defer { rig.stop() }
        let fingerprint = try #require(rig.sshd?.hostKeyFingerprint)

        let unknown = try await rig.run(["status", "ubnd-codec-ssh"])
        #expect(unknown.status == 5)
        #expect(unknown.stderr.contains(fingerprint))
        #expect(unknown.stderr.contains("hntt trust-host ubnd-codec-ssh"))

        let wrongExpectation = try await rig.run([
            "trust-host", "ubnd-codec-ssh", "--fingerprint", "SHA256:bm90LXRoZS1rZXk",
        ])
        #expect(wrongExpectation.status == 5)

        let trusted = try await rig.json(["trust-host", "ubnd-codec-ssh"])
        #expect(trusted.status == 0)
        #expect(trusted.object["host_key"] as? String == fingerprint)

        let status = try await rig.json(["status", "ubnd-codec-ssh"])
        #expect(status.status == 0, "\(status.stderr)")
        #expect((status.object["software"] as? String)?.contains("RoomOS") == true)

        let pins = rig.dataPath + "/known_hosts"
        let original = try String(contentsOfFile: pins, encoding: .utf8)
        try original.replacingOccurrences(of: fingerprint, with: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
            .write(toFile: pins, atomically: true, encoding: .utf8)
        let changed = try await rig.run(["status", "ubnd-codec-ssh", "--json"])
        #expect(changed.status == 5)
        #expect(changed.stderr.contains("CHANGED"))
        #expect(changed.stdout.contains("\"host-key\""))
        let refusedRepin = try await rig.run(["trust-host", "ubnd-codec-ssh"])
        #expect(refusedRepin.status == 5)
        #expect(try await rig.run(["trust-host", "ubnd-codec-ssh", "--replace"]).status == 0)
        #expect(try await rig.run(["status", "ubnd-codec-ssh"]).status == 0)
    }

    @Test("an injected value is refused with exit 2 and nothing reaches the codec")
    func injection() async throws {
        let rig = try await CLIRig.start()
        defer { rig.stop() }
        let result = try await rig.run(["dial", "ubnd-codec", "84\"\nxCommand SystemUnit FactoryReset"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("inject"))
        #expect(rig.simulator.store.snapshot.commandLog.isEmpty)
    }

    @Test("a silent codec: exit 5 after the profile's timeout; a codec error: exit 4")
    func timeoutAndDeviceError() async throws {
        let rig = try await CLIRig.start(commandTimeout: 1)
        defer { rig.stop() }
        let missing = try await rig.run(["preset", "ubnd-codec", "recall", "7"])
        #expect(missing.status == 4)
        #expect(missing.stderr.contains("Preset 7 not found"))
        rig.simulator.store.update { $0.faults.silent = true }
        let started = Date()
        let silent = try await rig.run(["status", "ubnd-codec"])
        #expect(silent.status == 5)
        #expect(silent.stderr.contains("timed out") || silent.stderr.contains("no complete answer"))
        #expect(Date().timeIntervalSince(started) < hangBound)
    }

    @Test(
        "bad inventories are refused with exit 2, naming the file, the line and the fix",
        arguments: [
            (
                "      - id: extra\n        profile: cisco-roomos\n        transprot: ssh\n        host: 1.2.3.4\n",
                "did you mean \"transport\""
            ),
            (
                "      - id: ubnd-codec\n        profile: cisco-roomos\n        transport: ssh\n        host: 1.2.3.4\n",
                "used twice"
            ),
            (
                "      - id: extra\n        profile: polycom-x\n        transport: ssh\n        host: 1.2.3.4\n",
                "no profile \"polycom-x\""
            ),
            (
                "      - id: extra\n        profile: cisco-roomos\n        transport: udp\n        host: 1.2.3.4\n",
                "does not support transport"
            ),
            ("      - id: extra\n        profile: cisco-roomos\n        transport: serial\n", "no absolute `path:`"),
            (
                "      - id: Extra_1\n        profile: cisco-roomos\n        transport: ssh\n        host: 1.2.3.4\n",
                "invalid id"
            ),
            (
                "      - id: extra\n        profile: cisco-roomos\n        transport: ssh\n        host: 1.2.3.4\n        port: 99999\n",
                "port"
            ),
        ])
    func badInventory(extra: String, expected: String) async throws {
        let rig = try await CLIRig.start()
        defer { rig.stop() }
        try rig.writeInventory(extraDevices: extra)
        let result = try await rig.run(["devices"])
        #expect(result.status == 2)
        #expect(result.stderr.contains(expected), "\(result.stderr)")
        #expect(result.stderr.contains("inventory.yaml:"))
        #expect(result.stderr.contains("fix:"))
    }

    @Test("usage errors and unknown devices exit 2")
    func usage() async throws {
        let rig = try await CLIRig.start()
        defer { rig.stop() }
        #expect(try await rig.run(["dial", "ubnd-codec"]).status == 2)
        let usageJSON = try await rig.run(["dial", "ubnd-codec", "--json"])
        #expect(usageJSON.status == 2)
        #expect(usageJSON.stdout.contains("\"bad-input\""))
        #expect(try await rig.run(["mute", "ubnd-codec", "maybe"]).status == 2)
        let unknown = try await rig.run(["status", "no-such-device"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("ubnd-codec"))
        #expect(try await rig.run(["--help"]).status == 0)
    }

    @Test("devices --check logs in to every device and reports the unreachable one")
    func devicesCheck() async throws {
        let rig = try await CLIRig.start()
        defer { rig.stop() }
        let deadPort = try TestEnvironment.freePort()
        try rig.writeInventory(
            extraDevices:
                "      - id: dead-codec\n        profile: cisco-roomos\n        transport: telnet\n        host: 127.0.0.1\n        port: \(deadPort)\n        credential: codec\n"
        )
        let ok = try await rig.json(["devices"])
        #expect(ok.status == 0)
        let checked = try await rig.json(["devices", "--check"])
        #expect(checked.status == 5)
        let room = try #require((checked.object["rooms"] as? [[String: Any]])?.first)
        let devices = try #require(room["devices"] as? [[String: Any]])
        let checks = Dictionary(
            uniqueKeysWithValues: devices.map { ($0["id"] as? String ?? "", $0["check"] as? [String: Any] ?? [:]) })
        #expect(checks["ubnd-codec"]?["ok"] as? Bool == true)
        #expect(checks["dead-codec"]?["ok"] as? Bool == false)
    }

    @Test("the same commands work unchanged on a Poly codec, with the same JSON")
    func sameCommandsOnPoly() async throws {
        let rig = try await CLIRig.start()
        defer { rig.stop() }
        #expect(try await rig.run(["wake", "ubnd-poly"]).status == 0)
        #expect(rig.poly.store.snapshot.asleep == false)
        let muted = try await rig.json(["mute", "ubnd-poly", "on"])
        #expect(muted.object["mic_muted"] as? Bool == true)
        #expect(rig.poly.store.snapshot.nearMuted)
        let dialed = try await rig.json(["dial", "ubnd-poly", "84123456", "--protocol", "sip"])
        #expect(dialed.status == 0)
        let callID = try #require(dialed.object["call_id"] as? String)
        let status = try await rig.json(["status", "ubnd-poly"])
        #expect(status.status == 0)
        #expect(Set(status.object.keys).isSuperset(of: ["device", "standby", "mic_muted", "calls", "software"]))
        #expect(status.object["standby"] as? String == "off")
        #expect((status.object["calls"] as? [[String: Any]])?.first?["id"] as? String == callID)
        let busy = try await rig.run(["dial", "ubnd-poly", "84999999"])
        #expect(busy.status == 4)
        #expect(busy.stderr.contains("user busy"))
        #expect(try await rig.run(["hangup", "ubnd-poly"]).status == 0)
        #expect(rig.poly.store.snapshot.calls.isEmpty)
        #expect(try await rig.run(["preset", "ubnd-poly", "store", "5"]).status == 0)
        let config = try await rig.json(["config", "get", "ubnd-poly"])
        #expect((config.object["settings"] as? [String: String])?["sipaccountname"] == "ubnd-poly")
        let missing = try await rig.run(["config", "get", "ubnd-poly", "nosuchsetting"])
        #expect(missing.status == 4)
        #expect(missing.stderr.contains("error: command not found"))
        let check = try await rig.json(["devices", "--check"])
        #expect(check.status == 0)
    }

    @Test("cameras on a chain and on UDP answer the same preset, wake, sleep and status commands")
    func cameras() async throws {
        let rig = try await CLIRig.start()
        defer { rig.stop() }
        #expect(try await rig.run(["preset", "cam-right", "store", "3"]).status == 0)
        #expect(try await rig.run(["camera", "cam-right", "home"]).status == 0)
        #expect(try await rig.run(["preset", "cam-right", "recall", "3"]).status == 0)
        #expect(rig.cameraChain.store.snapshot.cameras[1].presetInUse == 3)
        #expect(rig.cameraChain.store.snapshot.cameras[0].presets.isEmpty)

        let status = try await rig.json(["status", "cam-right"])
        #expect(status.status == 0)
        #expect(status.object["standby"] as? String == "off")
        #expect(status.object["power"] as? String == "on")
        #expect(status.object["preset"] as? Int == 3)
        #expect((status.object["calls"] as? [Any])?.isEmpty == true)
        let position = try await rig.json(["camera", "cam-ip", "position"])
        #expect((position.object["position"] as? [String: Int]) == ["pan": 1200, "tilt": -300, "zoom": 4096])

        #expect(try await rig.run(["sleep", "cam-ip"]).status == 0)
        #expect(rig.ipCameraStore.snapshot.cameras[0].poweredOn == false)
        let refused = try await rig.run(["preset", "cam-ip", "recall", "1", "--json"])
        #expect(refused.status == 4)
        #expect(refused.stdout.contains("\"device-error\""))
        #expect(refused.stderr.contains("not executable"))
        #expect(try await rig.run(["wake", "cam-ip"]).status == 0)

        let mute = try await rig.run(["mute", "cam-left", "on"])
        #expect(mute.status == 2)
        #expect(mute.stderr.contains("is a camera"))
        #expect(try await rig.run(["camera", "ubnd-codec", "home"]).status == 2)
        #expect(try await rig.run(["preset", "cam-left", "store", "16"]).status == 2)
    }
}
