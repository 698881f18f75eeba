import Foundation
import HNTTSimulator
import HNTTTestSupport
import Testing

@testable import HNTTCore
@testable import HNTTPoly

/// The contract's operations on a simulated Poly codec (Group Series and HDX) behind each real
/// transport, checked on the simulator's state; and the Poly ways of failing.
@Suite("Poly operations over every transport")
struct PolyOperationsTests {
    @Test(
        "status, wake, sleep, mute, dial, hangup, presets and config get change the codec", arguments: Route.available)
    func everyOperation(route: Route) async throws {
        let rig = try await PolyRig.start(route)
        defer { rig.stop() }
        let driver = try rig.driver()

        try await driver.wake()
        #expect(try rig.state().asleep == false)
        var status = try await driver.status()
        #expect(status.standby == .off)
        #expect(status.calls.isEmpty)
        #expect(status.software == (route.polyFlavor == .group ? "6.2.2.1-600008" : "3.1.14-539011"))

        try await driver.setMicrophoneMute(true)
        #expect(try rig.state().nearMuted)
        #expect(try await driver.microphoneMuted())
        try await driver.setMicrophoneMute(false)
        #expect(try rig.state().nearMuted == false)

        let callID = try await driver.dial("84123456", protocol: .sip, rateKbps: 1024)
        let call = try #require(try rig.state().calls.first)
        #expect(String(call.id) == callID)
        #expect(call.speed == 1024)
        status = try await driver.status()
        #expect(status.calls == [CallInfo(id: callID, number: "84123456", status: "connected")])

        try await driver.storePreset(7, camera: 2)
        #expect(try rig.state().presets == [7])
        #expect(try rig.state().camera == 2)
        try await driver.recallPreset(7, camera: nil)
        #expect(try rig.state().activePreset == 7)

        let all = try await driver.configuration(key: nil)
        #expect(all.entries.count == 23)
        #expect(all["sipaccountname"] == "ubnd-poly")
        #expect(all["autoanswer"] == "no")
        #expect(all["sippassword"] == "")
        let one = try await driver.configuration(key: "gatekeeperip")
        #expect(one.entries.map(\.key) == ["gatekeeperip"])
        #expect(one["gatekeeperip"] == "10.10.0.5")

        #expect(try await driver.hangup(callID: nil) == [callID])
        #expect(try rig.state().calls.isEmpty)
        #expect(try await driver.hangup(callID: nil) == [])

        try await driver.sleep()
        #expect(try rig.state().asleep)
        #expect(try await driver.status().standby == .on)
        await driver.close()
    }

    @Test("registrations are sent on every connection; the second time \"already active\" counts as done")
    func registrationsOnEveryConnect() async throws {
        let rig = try await PolyRig.start(.telnet)
        defer { rig.stop() }
        for _ in 0..<2 {
            let driver = try rig.driver()
            _ = try await driver.checkLogin()
            #expect(await (driver as? PolyLegacyDriver)?.sessionInfo?.registrations.count == 6)
            await driver.close()
        }
        let state = try rig.state()
        #expect(state.registrations["telnet"]?.sorted() == ["callstate", "callstatus", "mute", "mutestatus", "sleep"])
        #expect(state.commandLog.filter { $0 == "notify callstatus" }.count == 2)
    }

    @Test("the whoami banner gives the model and software", .needsSSHD)
    func banner() async throws {
        let rig = try await PolyRig.start(.sshKeyboardInteractive)
        defer { rig.stop() }
        let driver = try rig.driver()
        #expect(try await driver.checkLogin() == "RealPresence Group 500 6.2.2.1-600008")
        await driver.close()
    }

    @Test("a dial to a busy number fails with the cause, and leaves no call", arguments: [Route.telnet, .serial])
    func busyNumber(route: Route) async throws {
        let rig = try await PolyRig.start(route)
        defer { rig.stop() }
        let driver = try rig.driver()
        let error = await expectHNTTError { _ = try await driver.dial("84999999", protocol: .auto, rateKbps: nil) }
        #expect(error?.category == .deviceError)
        #expect(error?.exitCode == 4)
        #expect(error?.message.contains("user busy (cause 17)") == true)
        #expect(try rig.state().calls.isEmpty)
        await driver.close()
    }

    @Test(
        "a notification in the middle of a reply is an event, not part of the answer",
        arguments: [PolyFlavor.group, .hdx])
    func notificationInsideReply(flavor: PolyFlavor) async throws {
        let rig = try await PolyRig.start(.telnet, flavor: flavor)
        defer { rig.stop() }
        try rig.update { $0.notificationNoise = true }
        let driver = try rig.driver()
        let first = try await driver.dial("84111111", protocol: .auto, rateKbps: nil)
        let second = try await driver.dial("84222222", protocol: .h323, rateKbps: 768)
        let status = try await driver.status()
        #expect(status.calls.map(\.id) == [first, second])
        #expect(status.calls.map(\.number) == ["84111111", "84222222"])
        #expect(status.micMuted == false)
        await driver.close()
    }

    @Test("`error: command not found` is the codec's error (exit 4), naming the command")
    func commandNotFound() async throws {
        let rig = try await PolyRig.start(.serialWithoutLogin)
        defer { rig.stop() }
        let driver = try rig.driver()
        let error = await expectHNTTError { _ = try await driver.configuration(key: "nosuchsetting") }
        #expect(error?.category == .deviceError)
        #expect(error?.message.contains("systemsetting get nosuchsetting") == true)
        #expect(error?.message.contains("error: command not found") == true)
        await driver.close()
    }

    @Test(
        "a wrong password is refused with exit 5 and no trace of the password",
        arguments: Route.available.filter(\.hasLogin))
    func wrongPassword(route: Route) async throws {
        let rig = try await PolyRig.start(route)
        defer { rig.stop() }
        let wrong = "Poly-Wrong-\(route.rawValue)"
        let driver = try rig.driver(password: wrong)
        let error = await expectHNTTError { _ = try await driver.status() }
        #expect(error?.category == .loginRefused)
        #expect(error.map { !"\($0)".contains(wrong) } == true)
        await driver.close()
    }

    @Test("Username/Password login mode, with prompts and replies split across reads")
    func usernameAndPassword() async throws {
        let rig = try await PolyRig.start(.telnet)
        defer { rig.stop() }
        try rig.update {
            $0.telnetAsksUsername = true
            $0.faults.splitWrites = true
        }
        let driver = try rig.driver()
        #expect(try await driver.microphoneMuted() == false)
        #expect(try rig.state().successfulLogins == 1)
        await driver.close()
    }

    @Test("a silent codec costs its timeout; a dropped one and a garbage one end in clear errors")
    func faults() async throws {
        let rig = try await PolyRig.start(.telnet)
        defer { rig.stop() }
        let driver = try rig.driver(commandTimeout: 1)
        try await rig.logIn(driver)
        try rig.update { $0.faults.silent = true }
        let started = Date()
        let silent = await expectHNTTError { _ = try await driver.microphoneMuted() }
        #expect(silent?.category == .timeout)
        #expect(Date().timeIntervalSince(started) < hangBound)
        try rig.update {
            $0.faults = SimulatorFaults()
            $0.faults.dropMidReply = true
        }
        let dropped = await expectHNTTError { _ = try await driver.status() }
        #expect(dropped?.exitCode == 5)
        try rig.update {
            $0.faults = SimulatorFaults()
            $0.faults.garbage = true
        }
        let garbage = await expectHNTTError { _ = try await driver.status() }
        #expect(garbage?.category == .timeout || garbage?.category == .deviceError)
        await driver.close()
    }

    @Test(
        "values that could inject a second command are refused before anything is sent",
        arguments: ["84\" sip\rhangup all", "84\r\nreboot now", String(repeating: "8", count: 300)])
    func injection(number: String) async throws {
        let rig = try await PolyRig.start(.telnet)
        defer { rig.stop() }
        let driver = try rig.driver()
        let error = await expectHNTTError { _ = try await driver.dial(number, protocol: .auto, rateKbps: nil) }
        #expect(error?.category == .badInput)
        #expect(try rig.state().commandLog.isEmpty)
        #expect(try rig.state().successfulLogins == 0)
    }
}
