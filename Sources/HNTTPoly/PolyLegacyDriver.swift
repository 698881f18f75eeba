import Foundation
@_spi(Driver) import HNTTCore
@_spi(Driver) import HNTTTransport

/// Controls a Poly RealPresence Group Series or HDX codec through its legacy text API over
/// telnet (23/24), SSH or RS-232, with the same operations as every other codec.
///
/// One command at a time, paced as the profile says (200 ms, IRM tips); the registrations made
/// at set-up feed call progress and sleep state, which the API has no query for.
public actor PolyLegacyDriver: ConfigurableCodec, RawCommandDevice, MediaStatisticsSource, StandbyObserving {
    public nonisolated let plan: ConnectionPlan
    private let session: DeviceSession<PolySessionInfo>
    /// Sleep state as the session's events and commands showed it (the API has no query, §2.6a).
    private var standby: StandbyState = .unknown
    private var standbySeenAt: Date?
    /// Every call id seen so far, so that a late event of an old call is not taken for a new one.
    private var knownCalls: Set<String> = []
    private var deviceID: String { plan.device.id }

    public init(plan: ConnectionPlan) {
        self.plan = plan
        let setUp = PolySessionSetUp(plan: plan)
        session = DeviceSession(plan: plan) { try await setUp.run($0) }
    }

    /// What the set-up learnt (banner facts, registrations).
    public var sessionInfo: PolySessionInfo? { get async { await session.info } }

    // MARK: - Operations

    public func checkLogin() async throws -> String {
        _ = try await session.open()
        let info = await session.info
        return [info?.model, info?.software].compactMap { $0 }.joined(separator: " ")
    }

    public func status() async throws -> DeviceStatus {
        let calls = try await currentCalls()
        let muted = try await microphoneMuted()
        let version = try await answer("version") { $0.lowercased().hasPrefix("version ") && $0.count > 8 }
        var software = String(version.dropFirst("version ".count))
        if let full = await session.info?.software, full.hasPrefix(software) { software = full }
        // A codec in a call is awake whatever else is known.
        if !calls.isEmpty { observe(.off) }
        return DeviceStatus(
            standby: standby, micMuted: muted, calls: calls, software: software, standbySeenAt: standbySeenAt)
    }

    public var observedStandby: StandbyObservation? {
        guard standby != .unknown, let standbySeenAt else { return nil }
        return StandbyObservation(state: standby, seenAt: standbySeenAt)
    }

    public func wake() async throws {
        _ = try await answer("wake") { $0.lowercased() == "wake" }
        observe(.off)
    }

    public func sleep() async throws {
        _ = try await answer("sleep") { $0.lowercased() == "sleep" }
        observe(.on)
    }

    public func dial(_ number: String, protocol callProtocol: CallProtocol, rateKbps: Int?) async throws -> String {
        let dialString = try attributing(to: deviceID) { try SafeValue.dialString(number) }
        let speed = try attributing(to: deviceID) {
            try SafeValue.number(rateKbps ?? 1920, field: "the call rate", in: 56...6144)
        }
        // dial manual <speed> "<dialstr>" [h323|sip]; without a type the codec chooses (ai4av spec).
        var line = "dial manual \(speed) \"\(dialString)\""
        switch callProtocol {
        case .sip: line += " sip"
        case .h323: line += " h323"
        case .auto: break
        }
        let earlier = knownCalls
        let reply = try await exchange(line, .line { $0.lowercased().hasPrefix("dialing") })
        try check(reply, line: line)
        let progressDecoder = PolyCallProgressDecoder(startingWith: reply.events, ignoring: earlier)
        let progress: PolyCallProgressDecoder.Progress
        if let settled = progressDecoder.settled {
            progress = settled
        } else {
            progress = try await session.receive(progressDecoder, within: min(plan.profile.timeouts.command, 15))
        }
        absorb(progress.events)
        if progress.ended {
            throw HNTTError(
                .deviceError, "the call to \(number) ended at once\(PolyLegacyDriver.describe(cause: progress.cause))",
                device: deviceID, fix: "check the number and that the far end is free, then dial again")
        }
        if let id = progress.callID {
            knownCalls.insert(id)
            return id
        }
        // No registration told the id: the newest call in the list is this one.
        guard let id = try await currentCalls().last?.id else {
            throw HNTTError(
                .deviceError, "the codec accepted the dial but shows no call", device: deviceID,
                fix: "check `hntt status \(deviceID)`; the far end may have refused the call")
        }
        return id
    }

    public func hangup(callID: String?) async throws -> [String] {
        if let callID {
            let id = try attributing(to: deviceID) { try SafeValue.callID(callID) }
            _ = try await answer("hangup video \(id)") { $0.lowercased().hasPrefix("hanging up") }
            return [id]
        }
        let calls = try await currentCalls()
        let reply = try await answer("hangup all") {
            $0.lowercased().hasPrefix("hanging up") || $0.lowercased() == "system is not in a call"
        }
        return reply.lowercased() == "system is not in a call" ? [] : calls.map(\.id)
    }

    public func setMicrophoneMute(_ muted: Bool) async throws {
        let expected = "mute near \(muted ? "on" : "off")"
        _ = try await answer(expected) { $0.lowercased() == expected }
    }

    public func microphoneMuted() async throws -> Bool {
        try await answer("mute near get") { ["mute near on", "mute near off"].contains($0.lowercased()) }.lowercased()
            == "mute near on"
    }

    /// `advnetstats` (receive and transmit loss counts, jitter, rates) and `netstats`
    /// (`%pktloss`) for each call (§2.7a); the index is left out for a single call.
    public func mediaCounters() async throws -> MediaCounters? {
        let calls = try await currentCalls()
        guard !calls.isEmpty else { return nil }
        var perCall: [MediaCounters] = []
        for index in calls.indices {
            let suffix = calls.count == 1 ? "" : " \(index)"
            var statistics = PolyMediaStatistics()
            for (command, last) in [("advnetstats", "ccaps:"), ("netstats", "rcp:")] {
                let reply = try await exchange(
                    command + suffix, .linesThrough { $0.lowercased().contains(last) }, timeout: 5)
                guard case .answer(let lines) = reply.outcome else { continue }   // an older firmware: not measured
                for line in lines { statistics.absorb(line) }
            }
            perCall.append(statistics.counters)
        }
        return PolyMediaStatistics.combined(perCall)
    }

    public func recallPreset(_ preset: Int, camera: Int?) async throws {
        try await presetCommand("go", preset, camera: camera)
    }

    public func storePreset(_ preset: Int, camera: Int?) async throws {
        try await presetCommand("set", preset, camera: camera)
    }

    /// Reads the settings the profile lists, one command each (the legacy API has no export);
    /// or one key: a listed one, or any `systemsetting` name.
    public func configuration(key: String?) async throws -> ConfigurationSettings {
        var wanted = plan.profile.settings
        if let key {
            if let listed = wanted.first(where: { $0.key == key }) {
                wanted = [listed]
            } else {
                guard key.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }), !key.isEmpty,
                    key.count <= 64
                else {
                    throw HNTTError(
                        .badInput, "\"\(key)\" is not a Poly setting name; nothing was sent", device: deviceID,
                        fix:
                            "use a name from device-profiles/\(plan.profile.id).yaml, or a systemsetting name such as sipaccountname"
                    )
                }
                wanted = [ConfigurationSetting(key: key, command: "systemsetting get \(key)")]
            }
        }
        var entries: [Setting] = []
        var unsupported: [String] = []
        for setting in wanted {
            let prefix = PolyLegacyDriver.replyPrefix(of: setting.command)
            // An empty value comes back as the bare prefix (`systemsetting sippassword`).
            let reply = try await exchange(
                setting.command,
                .line { line in
                    let lower = line.lowercased()
                    return lower.hasPrefix(prefix) || lower == prefix.trimmingCharacters(in: .whitespaces)
                })
            switch reply.outcome {
            case .answer(let lines):
                let value =
                    lines.first.map {
                        String($0.dropFirst(min(prefix.count, $0.count))).trimmingCharacters(in: .whitespaces)
                    } ?? ""
                entries.append(Setting(setting.key, value))
            case .error(let text) where key == nil && PolyLegacyDriver.isUnknownSetting(text):
                unsupported.append(setting.key)   // this firmware lacks the setting; the rest still stands
            case .error(let text) where PolyLegacyDriver.isUnknownSetting(text):
                throw HNTTError(
                    .deviceError,
                    "this firmware does not have the setting \(setting.key) (`\(setting.command)`: \(text))",
                    device: deviceID,
                    fix:
                        "the codec's software lacks it; read the whole configuration with `hntt config get \(deviceID)`"
                )
            default:
                try check(reply, line: setting.command)
            }
        }
        return ConfigurationSettings(entries, unsupported: unsupported)
    }

    /// The refusals a firmware gives for a setting it does not have (§2.10; `illegal parameters`
    /// was seen on Group Series emulators and Yealink). A provisioning refusal is not one of them.
    static func isUnknownSetting(_ text: String) -> Bool {
        let lower = text.lowercased()
        return ["not found", "illegal parameter", "not supported", "not available", "needs more parameters", "unknown"]
            .contains { lower.contains($0) }
    }

    /// The setting's own command with the value: `systemsetting get x` → `systemsetting x VALUE`,
    /// `autoanswer get` → `autoanswer VALUE`; the codec acknowledges with the same line.
    public func write(_ change: ApprovedChange) async throws {
        let value = try attributing(to: deviceID) {
            try SafeValue.check(change.value, field: "the value of \(change.key)")
            return change.value
        }
        let getter = plan.profile.settings.first { $0.key == change.key }?.command ?? "systemsetting get \(change.key)"
        let prefix = PolyLegacyDriver.replyPrefix(of: getter)
        let line = prefix + value
        _ = try await answer(line) { $0.lowercased().hasPrefix(prefix.lowercased()) }
    }

    /// Runs a canonical command; the legacy API has no end marker for every reply, so its lines
    /// are read until the codec goes quiet.
    public func execute(_ command: CanonicalCommand) async throws -> [String] {
        let reply = try await exchange(command.text, .untilQuiet, timeout: 1.5)
        var lines: [String] = []
        if case .answer(let answer) = reply.outcome { lines = answer }
        return lines + reply.events.map { "\($0)" }
    }

    public func close() async { await session.close() }

    // MARK: - Helpers

    /// `systemsetting get sipaccountname` is answered `systemsetting sipaccountname <value>`;
    /// `autoanswer get` is answered `autoanswer <value>`.
    static func replyPrefix(of command: String) -> String {
        let words = command.lowercased().split(separator: " ").filter { $0 != "get" }
        return words.joined(separator: " ") + " "
    }

    /// Q.850 causes a technician will meet.
    static func describe(cause: String?) -> String {
        guard let cause, !cause.isEmpty, cause != "0" else { return "" }
        let known = [
            "1": "unallocated number", "16": "normal clearing", "17": "user busy", "18": "no user responding",
            "19": "no answer", "21": "call rejected", "27": "destination out of order", "34": "no circuit available",
            "38": "network out of order", "47": "resource unavailable",
        ]
        return ": " + (known[cause].map { "\($0) (cause \(cause))" } ?? "cause \(cause)")
    }

    private func presetCommand(_ verb: String, _ preset: Int, camera: Int?) async throws {
        let number = try attributing(to: deviceID) { try SafeValue.number(preset, field: "preset", in: 0...99) }
        if let camera {
            let id = try attributing(to: deviceID) { try SafeValue.number(camera, field: "camera", in: 1...4) }
            _ = try await answer("camera near \(id)") { $0.lowercased() == "camera near \(id)" }
        }
        let line = "preset near \(verb) \(number)"
        _ = try await answer(line) { $0.lowercased() == line }
    }

    private func currentCalls() async throws -> [CallInfo] {
        let reply = try await exchange(
            "callinfo all",
            .block(begin: "callinfo begin", end: "callinfo end") {
                $0.lowercased() == "system is not in a call"
            })
        if case .error(let text) = reply.outcome, text.lowercased().contains("not found") {
            return try await callStates()   // firmware without callinfo
        }
        try check(reply, line: "callinfo all")
        guard case .answer(let lines) = reply.outcome else { return [] }
        let calls = lines.compactMap(PolyCallInfo.init(line:)).map {
            CallInfo(id: $0.id, number: $0.number, status: $0.status)
        }
        knownCalls.formUnion(calls.map(\.id))
        return calls
    }

    /// `getcallstate` has no end marker: its lines are read until the codec goes quiet.
    private func callStates() async throws -> [CallInfo] {
        let reply = try await exchange("getcallstate", .untilQuiet, timeout: 1)
        return reply.events.compactMap { event in
            guard case .callState(let id, let state) = event, state != "inactive" else { return nil }
            return CallInfo(id: id, number: "", status: state)
        }
    }

    /// Sends a command and returns the answer line, or throws what the codec said instead.
    private func answer(_ line: String, _ accepts: @escaping @Sendable (String) -> Bool) async throws -> String {
        let reply = try await exchange(line, .line(accepts))
        try check(reply, line: line)
        return reply.firstLine ?? ""
    }

    /// Sends one command and decodes its reply. Lines left over from earlier replies are taken
    /// out first (their events still count), so the reply starts clean; the echo, if this
    /// session echoes (as its set-up showed), is dropped by the decoder.
    private func exchange(
        _ line: String, _ expectation: PolyReplyDecoder.Expectation,
        timeout: Double? = nil
    ) async throws -> PolyReply {
        let leftovers = await session.takeLeftovers()
        absorb(PolyLegacyDriver.events(in: leftovers.lines))
        if leftovers.dropped && standby == .off { standby = .unknown }   // §2.6a: a dropped session may mean sleep
        do {
            _ = try await session.open()
            let echo: PolyEcho = (await session.info?.echoes ?? plan.profile.echoesCommands) ? .expected : .absent
            let reply = try await session.exchange(
                line, PolyReplyDecoder(expectation, sentCommand: line, echo: echo),
                timeout: timeout)
            absorb(reply.events)
            return reply
        } catch let error as HNTTError where error.category == .unreachable && standby == .off {
            // "The API connection may drop when the system goes to sleep" (§2.6a): awake is no longer known.
            standby = .unknown
            throw error
        }
    }

    /// The events among leftover bytes.
    static func events(in bytes: [UInt8]) -> [PolyEvent] {
        guard !bytes.isEmpty else { return [] }
        var buffer = bytes
        let splitter = TextLineSplitter()
        var events: [PolyEvent] = []
        while let raw = try? splitter.takeLine(from: &buffer) {
            if case .event(let event)? = PolyLine.parse(raw) { events.append(event) }
        }
        return events
    }

    private func observe(_ state: StandbyState, at time: Date = Date()) {
        standby = state
        standbySeenAt = time
    }

    /// Keeps what the events say about the room (sleep state).
    private func absorb(_ events: [PolyEvent]) {
        for event in events {
            if case .asleep(let asleep) = event { observe(asleep ? .on : .off) }
            if let id = event.callID { knownCalls.insert(id) }
        }
    }

    private func check(_ reply: PolyReply, line: String) throws {
        switch reply.outcome {
        case .answer:
            return
        case .incomplete:
            let seen =
                reply.strayText.isEmpty
                ? ""
                : "; it sent only: \"\(TextSafety.quoted(reply.strayText.suffix(3).joined(separator: " / "), limit: 200))\""
            throw HNTTError(
                .timeout, "no answer to `\(line)` within \(Int(plan.profile.timeouts.command)) s\(seen)",
                device: deviceID,
                fix:
                    "check that the codec is responsive (asleep codecs answer after waking); the profile's `timeouts: command:` sets the wait"
            )
        case .error(let text) where text.lowercased().contains("provisioning"):
            throw HNTTError(
                .deviceError, "`\(line)`: \(text)", device: deviceID,
                fix:
                    "this setting is managed by a provisioning service (e.g. RealPresence Resource Manager); change it there"
            )
        case .error(let text) where text.lowercased().contains("not found"):
            throw HNTTError(
                .deviceError, "the codec does not know `\(line)` (\(text))", device: deviceID,
                fix: "this model or software version lacks the command; check the profile named in the inventory")
        case .error(let text):
            throw HNTTError(
                .deviceError, "the codec refused `\(line)`: \(text)", device: deviceID,
                fix: "check the value against the codec's answer")
        case .info(let text):
            throw HNTTError(
                .deviceError, "`\(line)` did not happen: \(text)", device: deviceID,
                fix: "check the codec's settings named in its answer")
        }
    }
}
