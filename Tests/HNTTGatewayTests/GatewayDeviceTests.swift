import Foundation
import HNTTCore
import HNTTGateway
import HNTTGovernance
import HNTTSimulator
import HNTTTestSupport
import HNTTTransport
import Testing

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
        let results = await site.gateway.checkLogins(devices, parallel: 4)
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
        // The budget ends it long before the profile's 15 s login deadline would: timed alone, since the
        // fleet's other logins share a loaded machine with the whole suite.
        let flooder = devices.filter { $0.id == "xa-flood" }
        let started = ContinuousClock.now
        _ = await site.gateway.checkLogins(flooder, parallel: 1)
        let elapsed = ContinuousClock.now - started
        #expect(elapsed < .seconds(10), "\(elapsed)")
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
