import Foundation
import HNTTSimulator
import HNTTTestSupport
import HNTTTransport
import Testing

@testable import HNTTCisco
@testable import HNTTCore

/// What a technician sees when the codec, the network or the input is wrong: the contract's exit
/// code, a message that says what to do, within the configured deadline, and never a password.
@Suite("Cisco failures")
struct CiscoFailureTests {
    @Test(
        "a wrong password is refused with exit 5 and no trace of the password",
        arguments: Route.available.filter(\.hasLogin))
    func wrongPassword(route: Route) async throws {
        let rig = try await CiscoRig.start(route)
        defer { rig.stop() }
        let wrong = "Wr0ng-Secret-\(route.rawValue)"
        let driver = try rig.driver(password: wrong)
        let error = await expectHNTTError { _ = try await driver.status() }
        #expect(error?.category == .loginRefused)
        #expect(error?.exitCode == 5)
        #expect(error?.fix?.contains("hntt secret set codec") == true)
        #expect(error.map { !"\($0)".contains(wrong) } == true)
        await driver.close()
    }

    @Test("an SSH host key that is not pinned is refused and shown, so it can be checked", .needsSSHD)
    func unknownHostKey() async throws {
        let rig = try await CiscoRig.start(.sshKeyboardInteractive)
        defer { rig.stop() }
        let driver = try rig.driver(hostKeyPolicy: .refuseUnknown)
        let error = await expectHNTTError { _ = try await driver.status() }
        #expect(error?.category == .hostKey)
        #expect(error?.message.contains(rig.hostKeyFingerprint ?? "?") == true)
        #expect(error?.fix?.contains("hntt trust-host") == true)
        #expect(try rig.state().successfulLogins == 0)
    }

    @Test("a changed SSH host key is refused before any login", .needsSSHD)
    func changedHostKey() async throws {
        let rig = try await CiscoRig.start(.sshPassword)
        defer { rig.stop() }
        let driver = try rig.driver(hostKeyPolicy: .pinned("SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
        let error = await expectHNTTError { _ = try await driver.status() }
        #expect(error?.category == .hostKey)
        #expect(error?.exitCode == 5)
        #expect(error?.message.contains("CHANGED") == true)
        #expect(error?.fix?.contains("--replace") == true)
        #expect(try rig.state().successfulLogins == 0)
    }

    @Test(
        "a device that stops answering costs its timeout, then a clear error",
        arguments: Route.only([Route.sshKeyboardInteractive, .telnet, .serial]))
    func silentDevice(route: Route) async throws {
        let rig = try await CiscoRig.start(route)
        defer { rig.stop() }
        let driver = try rig.driver(commandTimeout: 1)
        try await rig.logIn(driver)
        try rig.update { $0.faults.silent = true }
        let started = Date()
        let error = await expectHNTTError { _ = try await driver.microphoneMuted() }
        let elapsed = Date().timeIntervalSince(started)
        #expect(error?.category == .timeout)
        #expect(error?.message.contains("xStatus Audio Microphones Mute") == true)
        #expect(elapsed >= 0.9 && elapsed < hangBound, "took \(elapsed) s with a 1 s timeout")
        await driver.close()
    }

    @Test(
        "a connection dropped in the middle of a reply ends with a clear error, not a hang",
        arguments: Route.only([Route.sshPassword, .telnet, .serialServer]))
    func droppedMidReply(route: Route) async throws {
        let rig = try await CiscoRig.start(route)
        defer { rig.stop() }
        let driver = try rig.driver(commandTimeout: 10)
        _ = try await driver.checkLogin()
        try rig.update { $0.faults.dropMidReply = true }
        let started = Date()
        let error = await expectHNTTError { _ = try await driver.configuration(key: nil) }
        #expect(error?.category == .unreachable)
        #expect(error?.exitCode == 5)
        #expect(Date().timeIntervalSince(started) < hangBound)
        await driver.close()
    }

    @Test("garbage bytes from the device end in an error, never a crash", arguments: [Route.telnet, .serial])
    func garbage(route: Route) async throws {
        let rig = try await CiscoRig.start(route)
        defer { rig.stop() }
        let driver = try rig.driver(commandTimeout: 1)
        try await rig.logIn(driver)
        try rig.update { $0.faults.garbage = true }
        let error = await expectHNTTError { _ = try await driver.status() }
        #expect(error?.category == .timeout || error?.category == .deviceError)
        await driver.close()
    }

    @Test(
        "slow, fragmented replies with unsolicited feedback still give the right answers",
        arguments: Route.only([Route.sshKeyboardInteractive, .telnet, .serial]))
    func slowFragmentedNoisy(route: Route) async throws {
        let rig = try await CiscoRig.start(route)
        defer { rig.stop() }
        try rig.update {
            $0.faults.replyDelay = 0.2
            $0.faults.splitWrites = true
            $0.faults.feedbackNoise = true
        }
        let driver = try rig.driver(commandTimeout: 10)
        try await driver.setMicrophoneMute(false)
        #expect(try await driver.microphoneMuted() == false)
        let id = try await driver.dial("chair@tinh.gov.vn", protocol: .auto, rateKbps: nil)
        #expect(try await driver.status().calls.map(\.id) == [id])
        await driver.close()
    }

    @Test(
        "values that could inject a second command are refused before anything is sent",
        arguments: [
            "84\" Protocol: H323", "84\r\nxCommand SystemUnit FactoryReset", "84 | resultId=\"1\"", "84\u{1B}[A",
            String(repeating: "8", count: 300),
        ])
    func injectionRefused(number: String) async throws {
        let rig = try await CiscoRig.start(.telnet)
        defer { rig.stop() }
        let driver = try rig.driver()
        let error = await expectHNTTError { _ = try await driver.dial(number, protocol: .auto, rateKbps: nil) }
        #expect(error?.category == .badInput)
        #expect(error?.exitCode == 2)
        let state = try rig.state()
        #expect(state.successfulLogins == 0, "the driver connected although the value was refused")
        #expect(state.commandLog.isEmpty)
        #expect(state.calls.isEmpty)
    }

    @Test("after a lost connection the next command reconnects and initialises the session again")
    func reconnectReinitialises() async throws {
        let rig = try await CiscoRig.start(.telnet)
        defer { rig.stop() }
        let driver = try rig.driver(commandTimeout: 2)
        #expect(try await driver.microphoneMuted() == false)
        rig.dropClients()
        // The first command after the cut may fail (the cut is noticed then) or succeed on a new session.
        _ = try? await driver.microphoneMuted()
        try rig.update { $0.micMuted = true }
        #expect(try await driver.microphoneMuted())
        let log = try rig.state().commandLog
        #expect(log.filter { $0 == "echo off" }.count == 2)
        #expect(log.filter { $0 == "xPreferences OutputMode Terminal" }.count == 2)
        await driver.close()
    }

    @Test("a refused connection and an absent serial port are unreachable (exit 5)")
    func unreachable() async throws {
        let port = try TestEnvironment.freePort()
        let profile = try DeviceProfile.load(path: TestEnvironment.profilesDirectory + "/cisco-roomos.yaml")
        let routes: [(TransportKind, @Sendable () -> any ByteTransport)] = [
            (.telnet, { TelnetTransport(host: "127.0.0.1", port: port) }),
            (.serial, { SerialTransport(path: "/dev/hntt-no-such-port", baud: 115200) }),
        ]
        for (transport, make) in routes {
            let device = InventoryDevice(
                id: "gone", roomID: "r", profileID: "cisco-roomos", transport: transport,
                host: "127.0.0.1", port: port, path: nil, baud: nil, address: nil,
                credential: nil, hostKey: nil, sourceLine: 1)
            let driver = CiscoXAPIDriver(
                plan: ConnectionPlan(device: device, profile: profile, credentials: nil, makeTransport: make))
            let error = await expectHNTTError { _ = try await driver.status() }
            #expect(error?.exitCode == 5)
            #expect(error?.device == "gone")
        }
    }
}

@Suite("Cisco serial console")
struct CiscoSerialConsoleTests {
    @Test("a codec that reboots under a command is logged in and initialised again, and the command retried")
    func rebootOnSerial() async throws {
        let rig = try await CiscoRig.start(.serial)
        defer { rig.stop() }
        let driver = try rig.driver(commandTimeout: 3)
        #expect(try await driver.microphoneMuted() == false)
        try rig.update {
            $0.micMuted = true
            $0.faults.rebootBeforeNextCommand = true
        }
        #expect(try await driver.microphoneMuted())
        let state = try rig.state()
        #expect(state.successfulLogins == 2)
        #expect(state.commandLog.filter { $0 == "echo off" }.count == 2)
        await driver.close()
    }

    @Test("a serial console keeps its session between connections, as a real line does")
    func sessionSurvivesReconnect() async throws {
        let rig = try await CiscoRig.start(.serial)
        defer { rig.stop() }
        for _ in 0..<3 {
            let driver = try rig.driver()
            try await driver.wake()
            await driver.close()
        }
        #expect(try rig.state().successfulLogins == 1)
        #expect(try rig.state().standby == "Off")
    }
}
