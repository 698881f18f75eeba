@_spi(Driver) import HNTTCore
@_spi(Driver) import HNTTTransport

/// Controls a Cisco codec (TC7, CE9, RoomOS 11) through the xAPI in TSH terminal mode, over any
/// transport: SSH, telnet, serial, or raw TCP through a serial server.
///
/// Owns one connection, opened on first use and re-opened (with the whole initialisation:
/// login, `echo off`, output mode) after it is lost or the codec shows `login:` again. One
/// request at a time: terminal mode has no correlation ids.
public actor CiscoXAPIDriver: ConfigurableCodec, RawCommandDevice, MediaStatisticsSource, WatchableCodec,
    RegistrationReporting
{
    public nonisolated let plan: ConnectionPlan
    private let session: DeviceSession<CiscoSessionInfo>
    /// Feedback that arrived between replies (most recent last, bounded).
    public private(set) var feedback: [XAPIRecord] = []

    private var deviceID: String { plan.device.id }

    public init(plan: ConnectionPlan) {
        self.plan = plan
        let setUp = CiscoSessionSetUp(plan: plan)
        session = DeviceSession(plan: plan) { try await setUp.run($0) }
    }

    /// TC, CE or RoomOS, from the login banner or the software version.
    public var generation: CiscoGeneration? { get async { await session.info?.generation } }
    /// The `Cisco Codec Release …` text, or the software version.
    public var release: String? { get async { await session.info?.release } }

    // MARK: - Operations

    public func checkLogin() async throws -> String {
        _ = try await session.open()
        let release = await self.release
        return release ?? "logged in"
    }

    public func status() async throws -> DeviceStatus {
        let standby = try await query(status: "Standby")
        let mute = try await query(status: "Audio Microphones Mute")
        let calls = try await currentCalls()
        let reported = try await query(status: "SystemUnit Software Version").first?.value
        let software: String
        if let reported { software = reported } else { software = await release ?? "unknown" }
        return DeviceStatus(
            standby: CiscoXAPIDriver.standbyState(from: standby),
            micMuted: CiscoXAPIDriver.isOn(mute.first?.value),
            calls: calls, software: software)
    }

    public func wake() async throws { try await command("xCommand Standby Deactivate") }

    public func sleep() async throws { try await command("xCommand Standby Activate") }

    public func dial(_ number: String, protocol callProtocol: CallProtocol, rateKbps: Int?) async throws -> String {
        var line = "xCommand Dial Number: \(try attributing(to: deviceID) { try XAPICommands.dialNumber(number) })"
        switch callProtocol {
        case .sip: line += " Protocol: Sip"
        case .h323: line += " Protocol: H323"
        case .auto: break
        }
        if let rateKbps {
            line +=
                " CallRate: "
                + (try attributing(to: deviceID) {
                    try SafeValue.number(rateKbps, field: "the call rate", in: 64...6000)
                })
        }
        let result = try await command(line)
        guard let id = result?.field("CallId") else {
            throw HNTTError(
                .deviceError, "the codec accepted the dial but returned no call id", device: deviceID,
                fix: "check `hntt status \(deviceID)` for the call")
        }
        return id
    }

    public func hangup(callID: String?) async throws -> [String] {
        if let callID {
            let id = try attributing(to: deviceID) { try SafeValue.callID(callID) }
            try await command("xCommand Call Disconnect CallId: \(id)")
            return [id]
        }
        let calls = try await currentCalls()
        if calls.isEmpty { return [] }
        if await generation == .tc {
            try await command("xCommand Call DisconnectAll")
        } else {
            // CE8 and later removed DisconnectAll: end each call.
            for call in calls { try await command("xCommand Call Disconnect CallId: \(call.id)") }
        }
        return calls.map(\.id)
    }

    public func setMicrophoneMute(_ muted: Bool) async throws {
        try await command(muted ? "xCommand Audio Microphones Mute" : "xCommand Audio Microphones Unmute")
    }

    public func microphoneMuted() async throws -> Bool {
        CiscoXAPIDriver.isOn(try await query(status: "Audio Microphones Mute").first?.value)
    }

    public func recallPreset(_ preset: Int, camera: Int?) async throws {
        let id = try attributing(to: deviceID) { try SafeValue.number(preset, field: "preset", in: 1...35) }
        try await command("xCommand Camera Preset Activate PresetId: \(id)")
    }

    public func storePreset(_ preset: Int, camera: Int?) async throws {
        let id = try attributing(to: deviceID) { try SafeValue.number(preset, field: "preset", in: 1...35) }
        let cameraID = try attributing(to: deviceID) { try SafeValue.number(camera ?? 1, field: "camera", in: 1...7) }
        try await command("xCommand Camera Preset Store CameraId: \(cameraID) PresetId: \(id)")
    }

    public func configuration(key: String?) async throws -> ConfigurationSettings {
        let path =
            try key.map { key in try attributing(to: deviceID) { try XAPICommands.configurationPath(key) } } ?? []
        let reply = try await run((["xConfiguration"] + path).joined(separator: " "), .configuration(prefix: path))
        var entries: [Setting] = []
        for case .configuration(let path, let value) in reply.records {
            entries.append(Setting(path.joined(separator: " "), value))
        }
        if entries.isEmpty, let key {
            throw HNTTError(
                .deviceError, "the codec has no configuration key \"\(key)\"", device: deviceID,
                fix: "list the keys with `hntt config get \(deviceID)`")
        }
        return ConfigurationSettings(entries)
    }

    /// `xConfiguration <path>: "<value>"`; the reply has no value, so the guard reads it back.
    public func write(_ change: ApprovedChange) async throws {
        let path = try attributing(to: deviceID) { try XAPICommands.configurationPath(change.key) }
        let value = try attributing(to: deviceID) {
            try XAPICommands.quoted(change.value, field: "the value of \(change.key)")
        }
        _ = try await run("xConfiguration \(path.joined(separator: " ")): \(value)", .configuration(prefix: path))
    }

    /// `xStatus MediaChannels`: incoming channels' `Netstat Packets/Loss/Jitter/ChannelRate`
    /// summed over channels (leaf names per docs/protocols/cisco-xapi.md §2.7, UNVERIFIED on CE/RoomOS).
    public func mediaCounters() async throws -> MediaCounters? {
        let records: [(path: [String], value: String?)]
        do {
            records = try await query(status: "MediaChannels")
        } catch let error as HNTTError where error.category == .deviceError {
            return nil   // no call: no MediaChannels node
        }
        var channels: [String: [String: String]] = [:]
        // MediaChannels Call <c> Channel <n> <leaf words…>
        for (path, value) in records where path.count >= 6 && path[0] == "MediaChannels" {
            channels[path[2] + "/" + path[4], default: [:]][path[5...].joined(separator: " ")] = value ?? ""
        }
        let incoming = channels.values.filter { $0["Direction"]?.lowercased() == "incoming" }
        guard !incoming.isEmpty else { return nil }
        func number(_ fields: [String: String], _ key: String) -> Double { Double(fields["Netstat " + key] ?? "") ?? 0 }
        return MediaCounters(
            packets: Int(incoming.map { number($0, "Packets") }.reduce(0, +)),
            lost: Int(incoming.map { number($0, "Loss") }.reduce(0, +)),
            jitterMs: incoming.map { number($0, "Jitter") }.max() ?? 0,
            rateKbps: Int(incoming.map { number($0, "ChannelRate") }.reduce(0, +) / 1000))
    }

    /// Runs a canonical command and returns its reply's lines (`hntt exec`).
    public func execute(_ command: CanonicalCommand) async throws -> [String] {
        let verb = command.text.split(separator: " ").first?.lowercased() ?? ""
        let request: XAPIReplyDecoder.Request =
            command.isCommand
            ? .command
            : verb == "xstatus" ? .status(prefix: []) : verb == "xconfiguration" ? .configuration(prefix: []) : .plain
        return try await run(command.text, request).lines.filter { $0 != command.text }
    }

    public func close() async { await session.close() }

    /// `SIP Registration n Status` and `H323 Gatekeeper Status`; a path the software lacks counts as none.
    public func registrations() async throws -> [CallRegistration] {
        var found: [CallRegistration] = []
        for (path, name) in [("SIP Registration", "SIP"), ("H323 Gatekeeper", "H.323")] {
            let records: [(path: [String], value: String?)]
            do {
                records = try await query(status: path)
            } catch let error as HNTTError where error.category == .deviceError {
                continue   // "No match on address expression": this software has no such status
            }
            for (recordPath, value) in records where recordPath.last?.lowercased() == "status" {
                found.append(CallRegistration(signalling: name, status: value ?? ""))
            }
        }
        return found
    }

    // MARK: - Watch (xFeedback)

    /// The paths the watch registers: every configuration change ("safe", per Cisco), the call,
    /// standby and microphone status, and the disconnect event with its cause. Never all of `/Status`.
    public static let watchPaths = [
        "/Configuration", "/Status/Call", "/Status/Standby", "/Status/Audio/Microphones/Mute", "/Event/CallDisconnect",
    ]

    public func registerWatch() async throws {
        for path in CiscoXAPIDriver.watchPaths { try await run("xFeedback register \(path)", .plain) }
    }

    public func watchIntact() async throws -> Bool {
        let listed = Set(
            try await run("xFeedback list", .plain).lines.map { $0.trimmingWhitespace().lowercased() }
                .filter { $0.hasPrefix("/") })
        return CiscoXAPIDriver.watchPaths.allSatisfy { listed.contains($0.lowercased()) }
    }

    public func watchEvents(within seconds: Double) async throws -> [WatchEvent] {
        // Feedback that came in with the last reply first, then what arrives now.
        let records = feedback + (try await session.receive(XAPIFeedbackDecoder(), within: seconds))
        feedback.removeAll()
        return records.compactMap(CiscoXAPIDriver.watchEvent)
    }

    static func watchEvent(_ record: XAPIRecord) -> WatchEvent? {
        switch record {
        case .configuration(let path, let value):
            return .configuration(Setting(path.joined(separator: " "), value))
        case .status(let path, let value, let ghost):
            let words = path.map { $0.lowercased() }
            if words.first == "call", path.count >= 2 {
                if ghost { return .callEnded(id: path[1], cause: nil, remote: false) }
                if words.count == 3, words[2] == "status" { return .call(id: path[1], status: value ?? "") }
                return nil
            }
            if words == ["standby", "state"] || words == ["standby", "active"] {
                return .standby(standbyState(from: [(path, value)]))
            }
            if words == ["audio", "microphones", "mute"] { return .microphonesMuted(isOn(value)) }
            return nil
        case .event(let text):
            // `CallDisconnect CallId: 3 CauseValue: 38 CauseString: "…" CauseType: RemoteDisconnect …`
            guard text.lowercased().hasPrefix("calldisconnect") else { return nil }
            let fields = XAPIFeedbackDecoder.eventFields(text)
            let type = fields["CauseType"] ?? ""
            return .callEnded(
                id: fields["CallId"] ?? "", cause: fields["CauseString"].flatMap { $0.isEmpty ? nil : $0 } ?? type,
                remote: type.lowercased() != "localdisconnect")
        default:
            return nil
        }
    }

    // MARK: - Reading status

    private func query(status path: String) async throws -> [(path: [String], value: String?)] {
        let words = path.split(separator: " ").map(String.init)
        let reply = try await run("xStatus \(path)", .status(prefix: words))
        var found: [(path: [String], value: String?)] = []
        for case .status(let recordPath, let value, let ghost) in reply.records where !ghost {
            found.append((recordPath, value))
        }
        return found
    }

    private func currentCalls() async throws -> [CallInfo] {
        var calls: [String: [String: String]] = [:]
        var order: [String] = []
        let records: [(path: [String], value: String?)]
        do {
            records = try await query(status: "Call")
        } catch let error as HNTTError where error.category == .deviceError && error.message.contains("No match") {
            records = []   // some software answers an empty call list with "No match on address expression."
        }
        for (path, value) in records where path.count >= 3 {
            let id = path[1]
            if calls[id] == nil { order.append(id) }
            calls[id, default: [:]][path[2...].joined(separator: " ")] = value ?? ""
        }
        return order.compactMap { id in
            guard let fields = calls[id] else { return nil }
            let status = fields["Status"] ?? "Unknown"
            if status.lowercased() == "idle" { return nil }
            let number = fields["RemoteNumber"] ?? fields["CallbackNumber"] ?? ""
            return CallInfo(id: id, number: number, status: status)
        }
    }

    /// `Standby State: Off|Standby|EnteringStandby|Halfwake` (CE/RoomOS) or `Standby Active: On|Off` (TC).
    static func standbyState(from records: [(path: [String], value: String?)]) -> StandbyState {
        for (path, value) in records {
            let leaf = path.last?.lowercased() ?? ""
            let value = (value ?? "").lowercased()
            if leaf == "state" {
                if value == "off" { return .off }
                if value == "halfwake" { return .halfwake }
                return .on
            }
            if leaf == "active" { return value == "on" ? .on : .off }
        }
        return .off
    }

    static func isOn(_ value: String?) -> Bool {
        guard let value = value?.lowercased() else { return false }
        return value == "on" || value == "true"
    }

    // MARK: - Request/reply

    /// Runs an xCommand and checks its result block; returns it.
    @discardableResult
    private func command(_ line: String) async throws -> XAPIResult? {
        try await run(line, .command).result
    }

    /// Sends one request and waits for its whole reply. Re-logs in once if the codec shows
    /// `login:` (a reboot on serial); a trailing `*r` block after `ERROR` is read briefly.
    private func run(_ line: String, _ request: XAPIReplyDecoder.Request) async throws -> XAPIReply {
        for attempt in 0..<2 {
            var reply = try await session.exchange(line, XAPIReplyDecoder(request: request, sentCommand: line))
            if reply.terminal == .loginPrompt && attempt == 0 {
                await session.close()
                continue
            }
            if reply.resultMayFollow,
                let trailing = try? await session.receive(XAPIReplyDecoder(request: .trailingResult), within: 0.3),
                let result = trailing.result
            {
                reply.result = result
            }
            remember(reply.feedback)
            do {
                try CiscoReplyCheck.check(reply, line: line, timeout: plan.profile.timeouts.command)
            } catch let error as HNTTError {
                throw error.on(device: deviceID)
            }
            return reply
        }
        throw HNTTError(
            .unreachable, "the codec asks for a new login after every command", device: deviceID,
            fix: "check that the codec is not rebooting in a loop")
    }

    private func remember(_ records: [XAPIRecord]) {
        feedback.append(contentsOf: records)
        if feedback.count > 500 { feedback.removeFirst(feedback.count - 500) }
    }
}
