import Foundation
import HNTTCore
import HNTTGateway
import HNTTGovernance
import HNTTSimulator
import HNTTTestSupport
import HNTTTransport
import Testing

/// A site on disk for the Gateway: a Cisco codec and a Poly codec on telnet, a camera chain on a
/// pty, the repository's profiles with short timeouts, and a temporary data folder.
final class GatewaySite: @unchecked Sendable {
    let directory: URL
    let cisco = CiscoSimulator(CiscoCodecData(flavor: .ce9, users: ["admin": "gw-pass-1"]))
    let poly = PolySimulator(PolyCodecData(flavor: .group, password: "gw-pass-2"))
    let cameras = VISCASimulator(VISCACameraData(count: 1))
    /// With `withFlooder`: a device `xa-flood` that sends noise without end and never a login prompt.
    let flooder: FloodingServer?
    let gateway: Gateway

    /// A site set up off the cooperative pool (simulators start and the secret store is written there).
    static func make(withFlooder: Bool = false) async throws -> GatewaySite {
        try await onOwnThread { try GatewaySite(withFlooder: withFlooder) }
    }

    /// Stops the simulators off the cooperative pool.
    func stop() async { _ = try? await onOwnThread { self.stopNow() } }

    private func stopNow() {
        cisco.stop()
        poly.stop()
        cameras.stop()
        flooder?.stop()
        TestFiles.remove(directory)
    }

    private init(withFlooder: Bool) throws {
        flooder = withFlooder ? try FloodingServer() : nil
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("hntt-gw-\(UUID().uuidString)")
        let profiles = directory.appendingPathComponent("device-profiles")
        try FileManager.default.createDirectory(at: profiles, withIntermediateDirectories: true)
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        for name in ["cisco-roomos", "poly-group", "sony-visca"] {
            let text = try String(
                contentsOf: repository.appendingPathComponent("device-profiles/\(name).yaml"), encoding: .utf8
            )
            .replacingOccurrences(of: "command: 15", with: "command: 3")
            try text.write(to: profiles.appendingPathComponent("\(name).yaml"), atomically: true, encoding: .utf8)
        }
        let procedures = directory.appendingPathComponent("procedures")
        try FileManager.default.createDirectory(at: procedures, withIntermediateDirectories: true)
        for name in ["power-on", "test-call", "dial", "shutdown"] {
            let text = try String(
                contentsOf: repository.appendingPathComponent("procedures/\(name).yaml"), encoding: .utf8
            )
            .replacingOccurrences(of: "seconds: 10", with: "seconds: 1")
            try text.write(to: procedures.appendingPathComponent("\(name).yaml"), atomically: true, encoding: .utf8)
        }
        let inventory = directory.appendingPathComponent("inventory.yaml")
        try """
        site: "UBND xã Thử"
        rooms:
          - id: xa
            name: "Phòng họp xã"
            unit: "Văn phòng HĐND và UBND xã"
            devices:
              - {id: xa-cisco, profile: cisco-roomos, transport: telnet, host: 127.0.0.1, port: \(try cisco.startTelnet()), credential: cisco}
              - {id: xa-poly, profile: poly-group, transport: telnet, host: 127.0.0.1, port: \(try poly.startTelnet()), credential: poly}
              - {id: xa-cam, profile: sony-visca, transport: serial, path: \(try cameras.startSerial()), address: 1}
        \(flooder.map { "      - {id: xa-flood, profile: cisco-roomos, transport: telnet, host: 127.0.0.1, port: \($0.port), credential: cisco}\n" } ?? "")

        """.write(to: inventory, atomically: true, encoding: .utf8)
        gateway = Gateway(
            inventoryPath: inventory.path, data: DataDirectory(path: directory.appendingPathComponent("data").path),
            profiles: ProfileCatalog(directory: profiles.path))
        try gateway.secrets.set(name: "cisco", username: "admin", password: SecretText("gw-pass-1"))
        try gateway.secrets.set(name: "poly", username: "admin", password: SecretText("gw-pass-2"))
    }

    func auditTrail() async throws -> [AuditEntry] {
        let database = try await gateway.openDatabase()
        return try await AuditLog(database: database).list(limit: 100)
    }

    deinit { stopNow() }
}

@Suite("The Gateway's device actions, in-process (no root)")
struct GatewayDeviceTests {
    let technician = Caller(operatorName: "Lê Thị B", osUser: "kythuat")

    @Test("every action changes the device and is audited with who, what and the outcome")
    func actionsAreAudited() async throws {
        let site = try await GatewaySite.make()
        let gateway = site.gateway
        try await gateway.wake("xa-cisco", by: technician)
        #expect(site.cisco.store.snapshot.standby == "Off")
        #expect(try await gateway.setMicrophoneMute("xa-cisco", true, by: technician))
        #expect(site.cisco.store.snapshot.micMuted)
        let call = try await gateway.dial("xa-poly", number: "84123456", by: technician)
        #expect(site.poly.store.snapshot.calls.map(\.number) == ["84123456"])
        #expect(try await gateway.hangup("xa-poly", callID: nil, by: technician) == [call])
        try await gateway.preset("xa-cam", .store, 3, camera: nil, by: technician)

        let trail = try await site.auditTrail()
        // Intent first: "started" before each action, then its outcome.
        #expect(trail.map(\.action) == ["wake", "mute", "dial", "hangup", "preset store"].flatMap { [$0, $0] })
        #expect(trail.map(\.outcome) == Array(repeating: ["started", "done"], count: 5).flatMap { $0 })
        #expect(trail.allSatisfy { $0.operatorName == "Lê Thị B" && $0.osUser == "kythuat" })
        let database = try await gateway.openDatabase()
        #expect(try await AuditLog(database: database).verify() == nil)
        await site.stop()
    }

    @Test("a refused raw command is audited as refused and never reaches the codec")
    func execRefused() async throws {
        let site = try await GatewaySite.make()
        let refused = await #expect(throws: HNTTError.self) {
            _ = try await site.gateway.exec(
                "xa-cisco", command: "xConfiguration SIP DisplayName: \"X\"", by: technician)
        }
        #expect(refused?.exitCode == 3)
        #expect(try await site.auditTrail().last.map { "\($0.action) \($0.outcome)" } == "exec refused")
        #expect(!site.cisco.store.snapshot.commandLog.contains { $0.contains("DisplayName") })
        let read = try await site.gateway.exec("xa-cisco", command: "xstatus standby", by: technician)
        #expect(read.command.hasPrefix("xStatus ") && !read.lines.isEmpty)
        await site.stop()
    }

    @Test(
        "a refused raw write that carries a password puts it in no error and no audit entry",
        // SECRET stands for the password, so that the test's own arguments (which the runner prints) carry none.
        arguments: [
            ("xa-cisco", "xConfiguration SIP Authentication Password: \"SECRET\""),
            ("xa-poly", "systemsetting sippassword SECRET"),
        ])
    func execKeepsSecrets(device: String, template: String) async throws {
        let command = template.replacingOccurrences(of: "SECRET", with: "Raw-Secret-41")
        let site = try await GatewaySite.make()
        let refused = await #expect(throws: HNTTError.self) {
            _ = try await site.gateway.exec(device, command: command, by: technician)
        }
        #expect(refused?.exitCode == 3)
        #expect(refused.map { !"\($0)".contains("Raw-Secret-41") } == true, "\(String(describing: refused))")
        let entry = try #require(try await site.auditTrail().last)
        #expect(entry.action == "exec" && entry.outcome == "refused")
        #expect(!entry.detail.contains("Raw-Secret-41"), "\(entry.detail)")
        await site.stop()
    }

    @Test("a camera is refused for codec actions with a message that says why, and the refusal is audited")
    func cameraIsNotACodec() async throws {
        let site = try await GatewaySite.make()
        let error = await #expect(throws: HNTTError.self) {
            _ = try await site.gateway.dial("xa-cam", number: "1", by: technician)
        }
        #expect(error?.exitCode == 2 && error?.message.contains("is a camera") == true)
        #expect(try await site.auditTrail().last?.outcome == "failed")
        #expect(try site.gateway.isCamera(site.gateway.device("xa-cam")))
        await site.stop()
    }

    @Test("a device flooding before its login prompt fails on its byte budget; the others of the fleet answer")
    func floodingDeviceInAFleet() async throws {
        let site = try await GatewaySite.make(withFlooder: true)
        let devices = try site.gateway.inventory().rooms.flatMap(\.devices)
        let started = ContinuousClock.now
        let results = await site.gateway.checkLogins(devices, parallel: 4)
        let elapsed = ContinuousClock.now - started
        guard case .failure(let error)? = results["xa-flood"] else {
            Issue.record("the flooding device did not fail: \(String(describing: results["xa-flood"]))")
            await site.stop()
            return
        }
        #expect(error.exitCode == 5)
        #expect(error.message.contains("sent over 64 KiB without the answer expected"), "\(error.message)")
        for healthy in ["xa-cisco", "xa-poly", "xa-cam"] {
            guard case .success? = results[healthy] else {
                Issue.record("\(healthy): \(String(describing: results[healthy]))")
                continue
            }
        }
        // The budget ends it long before the profile's 15 s login deadline would.
        #expect(elapsed < .seconds(14), "\(elapsed)")
        await site.stop()
    }

    @Test("the Poly standby state seen by one Gateway is what the next one reports, with its time")
    func standbyRemembered() async throws {
        let site = try await GatewaySite.make()
        #expect(try await site.gateway.status("xa-poly").standby == .unknown)
        try await site.gateway.sleep("xa-poly", by: technician)
        let later = Gateway(
            inventoryPath: site.gateway.inventoryPath, data: site.gateway.data, profiles: site.gateway.profiles)
        let status = try await later.status("xa-poly")
        #expect(status.standby == .on)
        #expect(status.standbySeenAt.map { abs($0.timeIntervalSinceNow) < 60 } == true)
        await site.stop()
    }

    @Test("configuration reads mask secrets and name what the firmware lacks")
    func configuration() async throws {
        let site = try await GatewaySite.make()
        site.poly.store.update {
            $0.systemSettings["sippassword"] = "very-secret-9"
            $0.unsupportedSettings = ["maxtimeincall"]
        }
        let shown = try await site.gateway.configuration("xa-poly", key: nil)
        #expect(shown.settings.first { $0.key == "sippassword" }?.value == "********")
        #expect(shown.unsupported == ["maxtimeincall"])
        #expect(!shown.settings.contains { $0.value.contains("very-secret-9") })
        await site.stop()
    }
}
