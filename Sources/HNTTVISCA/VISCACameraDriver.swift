@_spi(Driver) import HNTTCore
@_spi(Driver) import HNTTTransport

/// Controls a Sony VISCA (or compatible) PTZ camera directly: on an RS-232 chain, through a
/// serial server, on a clone's raw TCP/UDP port, or over Sony's VISCA over IP.
///
/// Each exchange waits for the ACK and then the Completion (inquiries: for their answer) within
/// the profile's deadlines; errors come back as the camera's own reason.
public actor VISCACameraDriver: CameraDriver {
    public nonisolated let plan: ConnectionPlan
    private var lease: (key: String, link: any VISCALink)?
    private var deviceID: String { plan.device.id }
    /// The camera's VISCA address: the inventory's (1–7 on a chain), always 1 over IP.
    private var address: Int { plan.device.transport == .udp ? 1 : plan.device.address ?? 1 }
    private var options: VISCAOptions { plan.profile.visca }

    public init(plan: ConnectionPlan) { self.plan = plan }

    // MARK: - Operations

    public func checkLogin() async throws -> String {
        try await version()
    }

    public func status() async throws -> DeviceStatus {
        let power = try await inquire(VISCACommand.powerInquiry(address), "the power state")
        let isOn: Bool
        switch power.first {
        case 0x02: isOn = true
        case 0x03: isOn = false
        case 0x04:
            throw HNTTError(
                .deviceError, "the camera reports an internal power circuit error", device: deviceID,
                fix: "switch the camera off and on at its power supply; if it stays, it needs service")
        default:
            throw HNTTError(
                .deviceError, "the camera gave an unknown power state \(power.map { String($0, radix: 16) })",
                device: deviceID, fix: "check that the inventory names the right profile for this camera")
        }
        let preset = try? await inquire(VISCACommand.presetInquiry(address), "the preset in use").first.map(Int.init)
        // A camera in standby does not answer position inquiries (or answers "not executable").
        let position = isOn ? try await position() : nil
        let software = try await version()
        let camera = CameraStatus(power: isOn ? "on" : "standby", presetInUse: preset ?? nil, position: position)
        return DeviceStatus(standby: isOn ? .off : .on, micMuted: false, calls: [], software: software, camera: camera)
    }

    public func wake() async throws { try await command(VISCACommand.powerOn(address), "power on") }

    public func sleep() async throws { try await command(VISCACommand.powerOff(address), "standby") }

    public func home() async throws { try await command(VISCACommand.home(address), "home") }

    public func recallPreset(_ preset: Int, camera: Int?) async throws {
        let number = try presetNumber(preset)
        try await command(
            VISCACommand.preset(address, store: false, number: number, fullByte: options.presetFullByte),
            "recall preset \(preset)")
    }

    public func storePreset(_ preset: Int, camera: Int?) async throws {
        let number = try presetNumber(preset)
        try await command(
            VISCACommand.preset(address, store: true, number: number, fullByte: options.presetFullByte),
            "store preset \(preset)")
    }

    public func position() async throws -> CameraPosition {
        let panTilt = try await inquire(VISCACommand.panTiltInquiry(address), "the pan/tilt position")
        let zoom = try await inquire(VISCACommand.zoomInquiry(address), "the zoom position")
        // 8 nibbles (pan, tilt); Sony BRC-300 sends 9 (a 5-nibble pan): read both ends.
        guard panTilt.count == 8 || panTilt.count == 9,
            let pan = VISCACommand.nibbles(panTilt[(panTilt.count - 8)..<(panTilt.count - 4)], signed: true),
            let tilt = VISCACommand.nibbles(panTilt[(panTilt.count - 4)...], signed: true),
            let zoomValue = VISCACommand.nibbles(zoom[...], signed: false)
        else {
            throw HNTTError(
                .deviceError, "the camera's position answer is not VISCA (\(panTilt.count) and \(zoom.count) bytes)",
                device: deviceID, fix: "check that the inventory names the right profile for this camera")
        }
        return CameraPosition(pan: pan, tilt: tilt, zoom: zoomValue)
    }

    public func close() async {
        if let lease { await VISCALinks.shared.release(lease.key) }
        lease = nil
    }

    // MARK: - Exchanges

    private func presetNumber(_ preset: Int) throws -> Int {
        let top = options.presetFullByte ? min(options.presetCount, 255) - 1 : min(options.presetCount, 16) - 1
        return Int(try attributing(to: deviceID) { try SafeValue.number(preset, field: "preset", in: 0...top) })!
    }

    private func version() async throws -> String {
        let data = try await inquire(VISCACommand.versionInquiry(address), "its version")
        guard data.count >= 6 else { return "VISCA camera" }
        let hex = { (bytes: ArraySlice<UInt8>) in bytes.map { String(format2hex: $0) }.joined() }
        let vendor = hex(data[0..<2])
        let model = hex(data[2..<4])
        let rom = hex(data[4..<6])
        let name = vendor == "0001" || vendor == "0020" ? "Sony" : "vendor \(vendor)"
        return "\(name) model \(model) ROM \(rom)"
    }

    private func command(_ packet: [UInt8], _ what: String) async throws {
        _ = try await exchange(packet, .command, what)
    }

    private func inquire(_ packet: [UInt8], _ what: String) async throws -> [UInt8] {
        try await exchange(packet, .inquiry, what)
    }

    private func exchange(_ packet: [UInt8], _ kind: VISCAExchange, _ what: String) async throws -> [UInt8] {
        let link = try acquireLink()
        let timeouts = VISCATimeouts(
            ack: min(options.ackSeconds, plan.profile.timeouts.command),
            completion: plan.profile.timeouts.command)
        do {
            return try await attributing(to: deviceID) {
                try await link.execute(packet, address: address, exchange: kind, timeouts: timeouts)
            }
        } catch let refusal as VISCARefusal {
            throw HNTTError(
                .deviceError, "the camera refused to \(what): \(refusal.description)", device: deviceID,
                fix: refusal.code == 0x41
                    ? "power the camera on first (`hntt wake \(deviceID)`), or wait until it stops moving"
                    : "check the camera's model against the profile \(plan.profile.id)")
        } catch let error as HNTTError where error.category == .timeout {
            let place = plan.device.transport == .udp ? "" : " at address \(address)"
            throw HNTTError(
                .timeout, "the camera\(place) did not answer when asked to \(what) (\(error.message))",
                device: deviceID,
                fix:
                    "check the camera's power and cable, its VISCA address in the inventory, and that the whole chain uses one baud rate"
            )
        }
    }

    private func acquireLink() throws -> any VISCALink {
        if let lease { return lease.link }
        let acquired = try VISCALinks.shared.acquire(for: plan)
        lease = acquired
        return acquired.link
    }
}

extension String {
    /// Two hex digits.
    init(format2hex byte: UInt8) {
        let digits = Array("0123456789ABCDEF")
        self = String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }
}
