import Foundation
import HNTTSimulator
import HNTTTestSupport
import HNTTTransport
import Testing

@testable import HNTTCore
@testable import HNTTVISCA

/// A driver for the camera at `address` behind `transport`, with short deadlines.
func cameraDriver(
    _ transport: TransportKind, host: String? = "127.0.0.1", port: UInt16? = nil, path: String? = nil,
    address: Int = 1, profileID: String = "sony-visca", command: Double = 3
) throws -> VISCACameraDriver {
    var profile = try DeviceProfile.load(path: TestEnvironment.profilesDirectory + "/\(profileID).yaml")
    profile.timeouts = .init(connect: 2, login: 2, command: command)
    let device = InventoryDevice(
        id: "cam-\(address)", roomID: "ubnd", profileID: profileID, transport: transport,
        host: transport == .serial ? nil : host, port: port, path: path,
        baud: transport == .serial ? 9600 : nil, address: address, credential: nil,
        hostKey: nil, sourceLine: 1)
    let plan = try ConnectionPlan.make(
        device: device, profile: profile,
        secrets: SecretStore(data: DataDirectory(path: "/nonexistent")),
        pins: HostKeyPins(data: DataDirectory(path: "/nonexistent")))
    return VISCACameraDriver(plan: plan)
}

@Suite("VISCA cameras on a pty chain, a serial server and UDP")
struct VISCACameraTests {
    @Test("a chain of three cameras on one pty: each is addressed alone, and only it moves")
    func chainOfThree() async throws {
        let chain = VISCASimulator(VISCACameraData(count: 3))
        defer { chain.stop() }
        let path = try chain.startSerial()
        let second = try cameraDriver(.serial, path: path, address: 2)
        try await second.storePreset(4, camera: nil)
        try await second.home()
        #expect(chain.store.snapshot.cameras[1].pan == 0)
        try await second.recallPreset(4, camera: nil)
        #expect(chain.store.snapshot.cameras[1].pan == 1200)
        #expect(chain.store.snapshot.cameras[1].tilt == -300)
        try await second.sleep()
        var state = chain.store.snapshot
        #expect(state.addressSets == 1)
        #expect(state.cameras.map(\.address) == [1, 2, 3])
        #expect(state.cameras.map(\.poweredOn) == [true, false, true])
        #expect(state.cameras[1].presets.keys.sorted() == [4])
        #expect(state.cameras[1].presetInUse == 4)
        #expect(state.cameras[0].presets.isEmpty && state.cameras[2].presets.isEmpty)
        let status = try await second.status()
        #expect(status.standby == .on)
        #expect(status.camera == CameraStatus(power: "standby", presetInUse: 4, position: nil))
        await second.close()

        let third = try cameraDriver(.serial, path: path, address: 3)
        try await third.wake()
        #expect(try await third.position() == CameraPosition(pan: 1200, tilt: -300, zoom: 4096))
        try await third.home()
        #expect(try await third.position() == CameraPosition(pan: 0, tilt: 0, zoom: 4096))
        #expect(try await third.checkLogin() == "Sony model 0511 ROM 0100")
        await third.close()
        state = chain.store.snapshot
        #expect(state.commandLog.filter { $0.hasPrefix("82") }.count >= 5)
    }

    @Test("several cameras of one chain used at once take turns on the shared port")
    func concurrentOnOneChain() async throws {
        let chain = VISCASimulator(VISCACameraData(count: 3))
        defer { chain.stop() }
        let path = try chain.startSerial()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for address in 1...3 {
                group.addTask {
                    let driver = try cameraDriver(.serial, path: path, address: address)
                    for preset in 0..<3 { try await driver.storePreset(preset + address, camera: nil) }
                    _ = try await driver.status()
                    await driver.close()
                }
            }
            try await group.waitForAll()
        }
        let presets = chain.store.snapshot.cameras.map { $0.presets.keys.sorted() }
        #expect(presets == [[1, 2, 3], [2, 3, 4], [3, 4, 5]])
    }

    @Test("a preset recall in standby is the camera's error: not executable, exit 4, with the fix")
    func notExecutable() async throws {
        let chain = VISCASimulator(VISCACameraData(count: 1))
        defer { chain.stop() }
        let driver = try cameraDriver(.serial, path: try chain.startSerial())
        try await driver.sleep()
        let error = await expectHNTTError { try await driver.recallPreset(1, camera: nil) }
        #expect(error?.category == .deviceError)
        #expect(error?.exitCode == 4)
        #expect(error?.message.contains("not executable") == true)
        #expect(error?.fix?.contains("hntt wake cam-1") == true)
        chain.store.update { $0.errorNext = 0x02 }
        let syntax = await expectHNTTError { try await driver.wake() }
        #expect(syntax?.message.contains("syntax error") == true)
        await driver.close()
    }

    @Test("a camera that does not answer costs its deadline, then says where to look")
    func silentCamera() async throws {
        let chain = VISCASimulator(VISCACameraData(count: 1, fixedAddresses: true))
        defer { chain.stop() }
        let driver = try cameraDriver(.serial, path: try chain.startSerial(), address: 5)
        let started = Date()
        let error = await expectHNTTError { try await driver.wake() }
        #expect(error?.category == .timeout)
        #expect(error?.exitCode == 5)
        #expect(error?.message.contains("address 5") == true)
        #expect(Date().timeIntervalSince(started) < hangBound)
        await driver.close()
    }

    @Test("a network change is skipped and the chain is numbered again before the next command")
    func networkChange() async throws {
        let chain = VISCASimulator(VISCACameraData(count: 2))
        defer { chain.stop() }
        let driver = try cameraDriver(.serial, path: try chain.startSerial(), address: 2)
        try await driver.wake()
        chain.store.update { $0.networkChangeNext = true }
        try await driver.home()
        try await driver.storePreset(1, camera: nil)
        #expect(chain.store.snapshot.addressSets == 2)
        await driver.close()
    }

    @Test("replies split byte by byte after realistic delays still complete")
    func slowFragmented() async throws {
        var data = VISCACameraData(count: 1)
        data.faults.splitWrites = true
        data.completionDelay = 0.3
        let chain = VISCASimulator(data)
        defer { chain.stop() }
        let driver = try cameraDriver(.serial, path: try chain.startSerial())
        try await driver.storePreset(2, camera: nil)
        #expect(try await driver.status().camera?.presetInUse == 2)
        await driver.close()
    }

    @Test("a chain behind a serial server's raw TCP port works the same")
    func serialServer() async throws {
        let chain = VISCASimulator(VISCACameraData(count: 2))
        defer { chain.stop() }
        let port = try chain.startSerialServer()
        let driver = try cameraDriver(.tcp, port: port, address: 2)
        try await driver.sleep()
        #expect(chain.store.snapshot.cameras.map(\.poweredOn) == [true, false])
        await driver.close()
    }

    @Test("VISCA over IP: operations, and a lost request or a lost reply retried with the same sequence number")
    func viscaOverIP() async throws {
        let store = VISCACameraStore(VISCACameraData(count: 1))
        let camera = try VISCAUDPCamera(store: store, sonyHeader: true)
        defer { camera.stop() }
        let driver = try cameraDriver(.udp, port: camera.port, command: 2)
        try await driver.storePreset(3, camera: nil)
        #expect(store.snapshot.cameras[0].presets.keys.sorted() == [3])

        store.update { $0.dropRequests = 1 }   // the command datagram is lost: sent again, executed once
        try await driver.sleep()
        #expect(store.snapshot.cameras[0].poweredOn == false)

        store.update { $0.dropReplies = 2 }   // ACK and Completion lost: the retransmission is told "already done"
        try await driver.wake()
        #expect(store.snapshot.cameras[0].poweredOn)
        #expect(store.snapshot.commandLog.filter { $0 == "81 01 04 00 02 FF" }.count == 1)

        store.update { $0.dropReplies = 1 }   // an inquiry's answer is lost: asked again under a new number
        #expect(try await driver.status().camera?.power == "on")
        await driver.close()
    }

    @Test("an IP camera that never answers costs its retries, then a clear timeout")
    func silentIPCamera() async throws {
        var data = VISCACameraData(count: 1)
        data.faults.silent = true
        let store = VISCACameraStore(data)
        let camera = try VISCAUDPCamera(store: store, sonyHeader: true)
        defer { camera.stop() }
        let driver = try cameraDriver(.udp, port: camera.port, command: 1)
        let started = Date()
        let error = await expectHNTTError { try await driver.wake() }
        #expect(error?.category == .timeout)
        #expect(Date().timeIntervalSince(started) < hangBound)
        await driver.close()
    }

    @Test("a PTZOptics-style camera on raw UDP stores presets as a full byte")
    func rawUDPClone() async throws {
        let store = VISCACameraStore(VISCACameraData(count: 1))
        let camera = try VISCAUDPCamera(store: store, sonyHeader: false)
        defer { camera.stop() }
        let driver = try cameraDriver(.udp, port: camera.port, profileID: "ptzoptics-visca")
        try await driver.storePreset(0x50, camera: nil)
        #expect(store.snapshot.cameras[0].presets.keys.sorted() == [0x50])
        let error = await expectHNTTError { try await driver.storePreset(200, camera: nil) }
        #expect(error?.category == .badInput)
        await driver.close()
    }

    @Test("a clone's own raw TCP port gets no AddressSet broadcast and answers at its address")
    func rawTCPClone() async throws {
        let camera = VISCASimulator(VISCACameraData(count: 1, fixedAddresses: true))
        defer { camera.stop() }
        let driver = try cameraDriver(.tcp, port: try camera.startSerialServer(), profileID: "ptzoptics-visca")
        try await driver.storePreset(0x42, camera: nil)
        #expect(camera.store.snapshot.addressSets == 0)
        #expect(camera.store.snapshot.cameras[0].presets.keys.sorted() == [0x42])
        await driver.close()
    }
}
