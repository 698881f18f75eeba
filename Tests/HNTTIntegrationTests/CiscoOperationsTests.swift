import Foundation
import HNTTSimulator
import Testing

@testable import HNTTCisco
@testable import HNTTCore

/// Each operation of the contract against a simulated codec behind each real transport, checked
/// on the simulator's own state.
@Suite("Cisco operations over every transport")
struct CiscoOperationsTests {
    @Test(
        "status, wake, sleep, mute, dial, hangup, presets and config get change the codec", arguments: Route.available)
    func everyOperation(route: Route) async throws {
        let rig = try await CiscoRig.start(route)
        defer { rig.stop() }
        let driver = try rig.driver()

        try await driver.wake()
        #expect(try rig.state().standby == "Off")
        var status = try await driver.status()
        #expect(status.standby == .off)
        #expect(status.calls.isEmpty)
        #expect(!status.software.isEmpty)

        try await driver.setMicrophoneMute(true)
        #expect(try rig.state().micMuted)
        #expect(try await driver.microphoneMuted())
        try await driver.setMicrophoneMute(false)
        #expect(try rig.state().micMuted == false)

        let callID = try await driver.dial("84123456", protocol: .sip, rateKbps: 1920)
        let call = try #require(try rig.state().calls.first)
        #expect(String(call.id) == callID)
        #expect(call.number == "84123456")
        #expect(call.rate == 1920)
        status = try await driver.status()
        #expect(status.calls == [CallInfo(id: callID, number: "84123456", status: "Connected")])

        try await driver.storePreset(4, camera: 1)
        #expect(try rig.state().presets.map(\.id) == [4])
        try await driver.recallPreset(4, camera: nil)
        #expect(try rig.state().activePreset == 4)

        let all = try await driver.configuration(key: nil)
        #expect(all.entries.count >= 150)
        #expect(all["SIP DisplayName"] == "UBND-Room")
        let one = try await driver.configuration(key: "Network 1 IPv4 Address")
        #expect(one.entries.map(\.key) == ["Network 1 IPv4 Address"])

        #expect(try await driver.hangup(callID: nil) == [callID])
        #expect(try rig.state().calls.isEmpty)

        try await driver.sleep()
        #expect(try rig.state().standby == "Standby")
        #expect(try await driver.status().standby == .on)
        await driver.close()
    }

    @Test("the generation is detected from the banner or the version", arguments: Route.available)
    func generationDetected(route: Route) async throws {
        let rig = try await CiscoRig.start(route)
        defer { rig.stop() }
        let driver = try rig.driver()
        _ = try await driver.checkLogin()
        let expected: CiscoGeneration =
            switch route.ciscoFlavor {
            case .tc7: .tc
            case .ce9: .ce
            case .roomos11: .roomos
            }
        #expect(await (driver as? CiscoXAPIDriver)?.generation == expected)
        await driver.close()
    }

    @Test("hanging up one call by id leaves the others")
    func hangupOne() async throws {
        let rig = try await CiscoRig.start(.telnet)
        defer { rig.stop() }
        let driver = try rig.driver()
        let first = try await driver.dial("111", protocol: .auto, rateKbps: nil)
        let second = try await driver.dial("222", protocol: .h323, rateKbps: nil)
        #expect(try await driver.hangup(callID: first) == [first])
        #expect(try rig.state().calls.map { String($0.id) } == [second])
        #expect(try rig.state().calls.first?.callProtocol == "H323")
        await driver.close()
    }

    @Test("a missing preset is the codec's error, with its reason", arguments: [Route.telnet, .serial])
    func missingPreset(route: Route) async throws {
        let rig = try await CiscoRig.start(route)
        defer { rig.stop() }
        let driver = try rig.driver()
        let error = await expectHNTTError { try await driver.recallPreset(9, camera: nil) }
        #expect(error?.category == .deviceError)
        #expect(error?.exitCode == 4)
        #expect(error?.message.contains("Preset 9 not found") == true)
        await driver.close()
    }

    @Test("an unknown configuration key is the codec's error")
    func unknownKey() async throws {
        let rig = try await CiscoRig.start(.serialWithoutLogin)
        defer { rig.stop() }
        let driver = try rig.driver()
        let error = await expectHNTTError { _ = try await driver.configuration(key: "SIP NoSuchThing") }
        #expect(error?.category == .deviceError)
        await driver.close()
    }
}
