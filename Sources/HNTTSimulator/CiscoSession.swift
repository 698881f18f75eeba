import Foundation

/// How a client reached the simulated codec; decides the login dialogue.
public enum SimulatorAccess: Sendable {
    /// Behind sshd: authentication is done, the TSH banner comes at once.
    case ssh
    /// Telnet: IAC negotiation, then `login:` / `Password:`.
    case telnet
    /// RS-232 (pty) or a serial server's raw TCP port: login only if `SerialPort LoginRequired`.
    case serial
}

/// One TSH session of a simulated Cisco codec, speaking terminal mode the way the protocol notes
/// say each generation does: banners, `echo`, `OK` before (TC) or after (CE/RoomOS) the `*r`
/// block, prefixed (CE/RoomOS) or continuation (TC) result lines, `Command not recognized.`,
/// error blocks, feedback, and the faults of ``SimulatorFaults``.
public final class CiscoSession: @unchecked Sendable {
    private let store: CiscoCodecStore
    private let link: SimulatorLink
    private let access: SimulatorAccess
    private var echo = true
    private var registrations: [[String]] = []
    /// What this session's feedback last showed: configuration and status leaves, the next event.
    private var seenConfiguration: [String: String] = [:]
    private var seenStatus: [String: String] = [:]
    private var seenEvent = 0
    /// False on a serial console: the line stays up when a session ends (a new one starts).
    private let endsConnection: Bool

    public init(store: CiscoCodecStore, link: SimulatorLink, access: SimulatorAccess, endsConnection: Bool = true) {
        self.store = store
        self.link = link
        self.access = access
        self.endsConnection = endsConnection
    }

    /// Serves the session until the client leaves or says `bye`.
    public func run() {
        defer { if endsConnection { link.close() } }
        guard login() else { return }
        while let line = link.readLine(whenIdle: { self.pushFeedback() }) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if echo && !trimmed.isEmpty { link.write(line + "\r\n") }
            if trimmed.isEmpty { continue }
            let faults = store.logCommand(trimmed)
            if faults.silent { continue }
            if faults.rebootBeforeNextCommand {
                guard reboot() else { return }
                continue
            }
            if trimmed.lowercased() == "bye" { return }
            let reply = handle(trimmed)
            if !deliver(reply, faults: faults) { return }
            // This session's own changes came back in its replies; feedback pushes everyone else's.
            if !registrations.isEmpty { rememberState() }
        }
    }

    // MARK: - Feedback pushed between commands

    private func rememberState() {
        let data = store.snapshot
        seenConfiguration = Dictionary(
            data.configuration.map { ($0.key, CiscoSession.printed($0)) }, uniquingKeysWith: { a, _ in a })
        seenStatus = Dictionary(
            statusLeaves(data).map { ($0.0.joined(separator: " "), $0.1) }, uniquingKeysWith: { a, _ in a })
        seenEvent = data.nextEventNumber
    }

    private static func printed(_ setting: CiscoConfigurationDefaults.Setting) -> String {
        setting.quoted ? "\"\(setting.value)\"" : setting.value
    }

    private func registered(_ path: [String]) -> Bool {
        registrations.contains { CiscoSession.matches(path, prefix: $0) }
    }

    /// What changed since this session last looked, for the paths it registered: `*c` for
    /// configuration (a touch panel, another session), `*s` for status (a ghost line for a call
    /// that ended), `*e` for events; each record ends with `** end`.
    private func pushFeedback() {
        guard !registrations.isEmpty else { return }
        if store.read({ $0.faults.dropFeedbackRegistrations }) {
            store.update { $0.faults.dropFeedbackRegistrations = false }
            registrations.removeAll()
            return
        }
        let data = store.snapshot
        var text = ""
        for setting in data.configuration where seenConfiguration[setting.key] != CiscoSession.printed(setting) {
            if registered(["Configuration"] + setting.key.split(separator: " ").map(String.init)) {
                text += "*c xConfiguration \(setting.key): \(CiscoSession.printed(setting))\r\n** end\r\n"
            }
        }
        let leaves = statusLeaves(data)
        let now = Dictionary(leaves.map { ($0.0.joined(separator: " "), $0.1) }, uniquingKeysWith: { a, _ in a })
        for (path, value) in leaves where !path.starts(with: ["MediaChannels"]) {
            if seenStatus[path.joined(separator: " ")] != value, registered(["Status"] + path) {
                text += "*s \(path.joined(separator: " ")): \(value)\r\n** end\r\n"
            }
        }
        let endedCalls = Set(
            seenStatus.keys.filter { $0.hasPrefix("Call ") && now[$0] == nil }.compactMap {
                $0.split(separator: " ").dropFirst().first.map(String.init)
            })
        for call in endedCalls.sorted() where registered(["Status", "Call"]) {
            text += "*s Call \(call) (ghost=True):\r\n** end\r\n"
        }
        for event in data.events where event.number >= seenEvent && registered(["Event"] + event.path) {
            text += event.text + "\r\n** end\r\n"
        }
        seenConfiguration = Dictionary(
            data.configuration.map { ($0.key, CiscoSession.printed($0)) }, uniquingKeysWith: { a, _ in a })
        seenStatus = now
        seenEvent = data.nextEventNumber
        if !text.isEmpty { link.write(text) }
    }

    // MARK: - Login

    private var flavor: CiscoFlavor { store.read { $0.flavor } }

    private func login() -> Bool {
        switch access {
        case .ssh:
            store.update { $0.successfulLogins += 1 }
            link.write(banner())
            return true
        case .telnet:
            // What a TC7 codec sends first on port 23 (docs/protocols/cisco-xapi.md §1.2).
            link.write([0xFF, 0xFD, 0x18, 0xFF, 0xFD, 0x20, 0xFF, 0xFD, 0x23, 0xFF, 0xFD, 0x27])
            link.write("\r\nLinux 3.4.86-100 (localhost) (1)\r\n\r\nlogin: ")
            return promptLogin()
        case .serial:
            guard store.read({ $0.serialLoginRequired }) else {
                store.update { $0.successfulLogins += 1 }
                return true
            }
            // A serial console shows its prompt when the terminal sends a line end.
            guard link.readLine() != nil else { return false }
            link.write("\r\nlogin: ")
            return promptLogin()
        }
    }

    /// A reboot seen from the console: calls dropped, boot text, a fresh session.
    private func reboot() -> Bool {
        let loginRequired = store.update { data -> Bool in
            data.faults.rebootBeforeNextCommand = false
            data.calls.removeAll()
            return access != .serial || data.serialLoginRequired
        }
        echo = true
        registrations.removeAll()
        link.write("\r\nU-Boot 2013.01 (Cisco)\r\nStarting kernel ...\r\n\r\nLinux 3.4.86-100 (localhost) (1)\r\n\r\n")
        guard loginRequired else { return true }
        link.write("login: ")
        return promptLogin()
    }

    private func promptLogin() -> Bool {
        var attempts = 0
        while attempts < 3 {
            guard let username = link.readLine() else { return false }
            if username.trimmingCharacters(in: .whitespaces).isEmpty {
                link.write("login: ")   // like login(1): an empty name just asks again
                continue
            }
            attempts += 1
            link.write("Password: ")
            guard let password = link.readLine() else { return false }
            let accepted = store.read { $0.users[username] == password && !password.isEmpty }
            if accepted {
                store.update { $0.successfulLogins += 1 }
                link.write("\r\n" + banner())
                return true
            }
            store.update { $0.failedLogins += 1 }
            link.write("\r\nLogin incorrect\r\n\r\nlogin: ")
        }
        return false
    }

    private func banner() -> String {
        let (name, showLastLogon) = store.read { ($0.systemName, $0.setting("Security Session ShowLastLogon") == "On") }
        let lastLogon = showLastLogon ? "\r\nLast login from 10.10.1.5 at 2026-11-28 08:14:47\r\n" : ""
        switch flavor {
        case .tc7:
            return
                "Welcome to \(name)\r\nCisco Codec Release TC7.3.3.c84180a\r\nSW Release Date: 2015-06-12\r\n*r Login successful\r\n\r\nOK\r\n"
        case .ce9:
            return
                "Welcome to \(name)\r\nCisco Codec Release ce 9.15.3 3a892a1 2021-06-21\r\nSW Release Date: 2021-06-21\r\n*r Login successful\r\n\r\nOK\r\n"
                + lastLogon
        case .roomos11:
            return
                "Welcome to \(name)\r\nCisco Codec Release RoomOS 11.23.1.8 3963b07b5c5\r\nSW Release Date: 2024-12-12\r\n*r Login successful\r\nOK\r\n"
                + lastLogon
        }
    }

    // MARK: - Delivery and faults

    private func deliver(_ reply: String, faults: SimulatorFaults) -> Bool {
        link.deliver(
            reply, faults: faults,
            noise: "*e Audio MicrophonesMuteStatus Mute: \"On\"\r\n** end\r\n*s Audio Volume: 50\r\n** end\r\n",
            endsConnection: endsConnection
        ) { store.update { $0.faults.dropMidReply = false } }
    }

    // MARK: - Commands

    static let verbs = [
        "xcommand", "xconfiguration", "xstatus", "xfeedback", "xpreferences", "xevent",
        "xgetxml", "xdocument", "xtransaction", "echo", "bye", "help", "log", "systemtools",
    ]

    /// The reply to one command line.
    func handle(_ line: String) -> String {
        let tokens = CiscoSession.tokenize(line)
        guard let first = tokens.first?.lowercased() else { return "" }
        let matches = CiscoSession.verbs.filter { $0.hasPrefix(first) }
        guard matches.count == 1 || CiscoSession.verbs.contains(first),
            let verb = matches.first(where: { $0 == first }) ?? matches.first
        else {
            return "Command not recognized.\r\n"
        }
        let rest = Array(tokens.dropFirst())
        switch verb {
        case "echo":
            let on = rest.first?.lowercased() != "off"
            echo = on
            return flavor == .ce9 ? "\u{1B}[?1034h\r\nOK\r\n" : "\r\nOK\r\n"
        case "xpreferences":
            let words = rest.map { $0.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ":")) }
            if words.first == "outputmode" {
                if words.count > 1 && words[1] == "terminal" { return "\r\nOK\r\n" }
                return "\r\nERROR\r\n"   // this simulator speaks terminal mode only
            }
            return "xpreferences usage:\r\n  xpreferences outputmode <terminal/xml/json>\r\nOK\r\n"
        case "xstatus": return status(CiscoSession.normalisePath(rest))
        case "xconfiguration": return configuration(rest)
        case "xfeedback": return feedback(rest)
        case "xcommand": return command(rest)
        default: return "\r\nERROR\r\n"
        }
    }

    /// Words and quoted strings; `Key:value` and `Key: value` both become `Key:` then `value`.
    static func tokenize(_ line: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        var quoted = false
        var wasQuoted = false
        for character in line {
            if quoted {
                if character == "\"" { quoted = false } else { current.append(character) }
                continue
            }
            switch character {
            case "\"":
                quoted = true
                wasQuoted = true
            case " ", "\t":
                if !current.isEmpty || wasQuoted { tokens.append(current) }
                current = ""
                wasQuoted = false
            case ":":
                current.append(":")
                tokens.append(current)
                current = ""
                wasQuoted = false
            default: current.append(character)
            }
        }
        if !current.isEmpty || wasQuoted { tokens.append(current) }
        return tokens
    }

    /// `Network[1]/DNS Server[1]/Address` and `Network 1 DNS Server 1 Address` mean the same.
    static func normalisePath(_ tokens: [String]) -> [String] {
        tokens.joined(separator: " ")
            .replacingOccurrences(of: "/", with: " ")
            .replacingOccurrences(of: "[", with: " ")
            .replacingOccurrences(of: "]", with: " ")
            .split(separator: " ").map(String.init)
    }

    static func matches(_ path: [String], prefix: [String]) -> Bool {
        prefix.count <= path.count && zip(path, prefix).allSatisfy { $0.lowercased() == $1.lowercased() }
    }

    /// The status tree as `(path, printed value)`.
    func statusLeaves(_ data: CiscoCodecData) -> [([String], String)] {
        var leaves: [([String], String)] = []
        func add(_ path: String, _ value: String) {
            leaves.append((path.split(separator: " ").map(String.init), value))
        }
        add("Audio Microphones Mute", data.micMuted ? "On" : "Off")
        add("Audio Volume", "50")
        for call in data.calls {
            add("Call \(call.id) CallType", "Video")
            add("Call \(call.id) CallbackNumber", "\"\(call.callProtocol.lowercased()):\(call.number)\"")
            add("Call \(call.id) Direction", "Outgoing")
            add("Call \(call.id) Duration", "42")
            add("Call \(call.id) Protocol", "\"\(call.callProtocol)\"")
            add("Call \(call.id) ReceiveCallRate", "\(call.rate)")
            add("Call \(call.id) RemoteNumber", "\"\(call.number)\"")
            add("Call \(call.id) Status", call.status)
            add("Call \(call.id) TransmitCallRate", "\(call.rate)")
        }
        for call in data.calls {
            // Received audio (channel 1) and video (channel 2): 50 and 200 packets a second.
            let seconds = max(0, Date().timeIntervalSince1970 - call.startedAt)
            for (channel, perSecond, rate) in [(1, 50.0, 64_000), (2, 200.0, max(0, call.rate * 1000 - 64_000))] {
                let packets = Int(seconds * perSecond) + 1
                add("MediaChannels Call \(call.id) Channel \(channel) Direction", "Incoming")
                add("MediaChannels Call \(call.id) Channel \(channel) Netstat ChannelRate", "\(rate)")
                add("MediaChannels Call \(call.id) Channel \(channel) Netstat Jitter", "\(channel == 1 ? 3 : 7)")
                add(
                    "MediaChannels Call \(call.id) Channel \(channel) Netstat Loss",
                    "\(Int(Double(packets) * data.packetLoss))")
                add("MediaChannels Call \(call.id) Channel \(channel) Netstat Packets", "\(packets)")
            }
        }
        add("Cameras Camera 1 Position Pan", "\(data.cameraPan)")
        add("Cameras Camera 1 Position Tilt", "\(data.cameraTilt)")
        add("Cameras Camera 1 Position Zoom", "\(data.cameraZoom)")
        add("Network 1 IPv4 Address", "\"\(data.setting("Network 1 IPv4 Address") ?? "")\"")
        add("SIP Registration 1 Status", data.sipRegistration)
        add("SIP Registration 1 URI", "\"\(data.setting("SIP URI") ?? "")\"")
        add("H323 Gatekeeper Status", data.gatekeeper)
        if data.flavor == .tc7 {
            add("Standby Active", data.standby == "Off" ? "Off" : "On")
        } else {
            add("Standby State", data.standby)
        }
        add("SystemUnit ProductId", data.flavor == .tc7 ? "\"Cisco TelePresence SX20\"" : "\"Cisco Webex Room Kit\"")
        add(
            "SystemUnit Software Version",
            {
                switch data.flavor {
                case .tc7: return "\"TC7.3.3.c84180a\""
                case .ce9: return "\"ce9.15.3.17.3a892a1\""
                case .roomos11: return "\"RoomOS 11.23.1.8 3963b07b5c5\""
                }
            }())
        add("SystemUnit State NumberOfActiveCalls", "\(data.calls.count)")
        add("SystemUnit Uptime", "29038")
        return leaves
    }

    private func status(_ path: [String]) -> String {
        let leaves = store.read { statusLeaves($0) }.filter { CiscoSession.matches($0.0, prefix: path) }
        // An empty list (no calls) is an empty reply, not an error.
        if leaves.isEmpty, path.count == 1, ["call", "mediachannels"].contains(path[0].lowercased()) {
            return "** end\r\n\r\nOK\r\n"
        }
        if leaves.isEmpty {
            return errorBlock(
                "Status", reason: "No match on address expression.", xpath: "Status/" + path.joined(separator: "/"))
        }
        return leaves.map { "*s \($0.0.joined(separator: " ")): \($0.1)\r\n" }.joined() + "** end\r\n\r\nOK\r\n"
    }

    private func configuration(_ tokens: [String]) -> String {
        if let keyIndex = tokens.firstIndex(where: { $0.hasSuffix(":") }) {
            var path = CiscoSession.normalisePath(Array(tokens[..<keyIndex]))
            path.append(String(tokens[keyIndex].dropLast()))
            let value = tokens.dropFirst(keyIndex + 1).joined(separator: " ")
            let key = path.joined(separator: " ")
            let outcome = store.update { data -> String in
                guard data.setting(key) != nil else { return "unknown" }
                if data.refuseWrites.contains(key) { return "refused" }
                data.setSetting(key, value)
                return data.cutOnWrite.contains(key) ? "cut" : "ok"
            }
            let delay = store.snapshot.writeDelay
            if delay > 0 { usleep(UInt32(delay * 1_000_000)) }
            switch outcome {
            case "unknown":
                return errorBlock(
                    "Configuration", reason: "No match on address expression.",
                    xpath: "Configuration/" + path.joined(separator: "/"))
            case "refused":
                return errorBlock(
                    "Configuration", reason: "Illegal value", xpath: "Configuration/" + path.joined(separator: "/"))
            case "cut":
                link.close()   // the new network setting takes the session away
                return ""
            default:
                return "** end\r\n\r\nOK\r\n"
            }
        }
        let path = CiscoSession.normalisePath(tokens)
        let settings = store.read { $0.configuration }.filter {
            CiscoSession.matches($0.key.split(separator: " ").map(String.init), prefix: path)
        }
        if settings.isEmpty {
            return errorBlock(
                "Configuration", reason: "No match on address expression.",
                xpath: "Configuration/" + path.joined(separator: "/"))
        }
        return settings.map { "*c xConfiguration \($0.key): \($0.quoted ? "\"\($0.value)\"" : $0.value)\r\n" }.joined()
            + "** end\r\n\r\nOK\r\n"
    }

    private func feedback(_ tokens: [String]) -> String {
        let words = tokens.map { $0.lowercased() }
        switch words.first {
        case "register":
            if registrations.isEmpty { rememberState() }
            // RoomOS counts unique expressions (50); CE and TC 38 (docs/protocols/cisco-xapi.md §2.7).
            let path = CiscoSession.normalisePath(Array(tokens.dropFirst()))
            if tokens.count > 1 && !registrations.contains(path) {
                guard registrations.count < (flavor == .roomos11 ? 50 : 38) else {
                    return errorBlock("Feedback", reason: "Maximum number of feedback expressions reached", xpath: "")
                }
                registrations.append(path)
            }
            return "** end\r\n\r\nOK\r\n"
        case "deregisterall":
            registrations.removeAll()
            return "** end\r\n\r\nOK\r\n"
        case "list":
            return registrations.map { "/" + $0.joined(separator: "/") + "\r\n" }.joined() + "** end\r\n\r\nOK\r\n"
        default:
            return "** end\r\n\r\nOK\r\n"
        }
    }

    /// Feedback for registered status paths that `change` altered.
    private func changing(_ change: (inout CiscoCodecData) -> CommandOutcome) -> (CommandOutcome, String) {
        let (outcome, before, after) = store.update {
            data -> (CommandOutcome, [([String], String)], [([String], String)]) in
            let before = statusLeaves(data)
            let outcome = change(&data)
            return (outcome, before, statusLeaves(data))
        }
        guard !registrations.isEmpty else { return (outcome, "") }
        let old = Dictionary(before.map { ($0.0.joined(separator: " "), $0.1) }, uniquingKeysWith: { a, _ in a })
        var text = ""
        for (path, value) in after where old[path.joined(separator: " ")] != value {
            let statusPath = ["Status"] + path
            if registrations.contains(where: { CiscoSession.matches(statusPath, prefix: $0) }) {
                text += "*s \(path.joined(separator: " ")): \(value)\r\n** end\r\n"
            }
        }
        return (outcome, text)
    }

    enum CommandOutcome {
        case ok(name: String, fields: [(String, String)])
        case failed(name: String, reason: String)
        case unknown
    }

    private func command(_ tokens: [String]) -> String {
        var path: [String] = []
        var arguments: [String: String] = [:]
        var index = 0
        while index < tokens.count, !tokens[index].hasSuffix(":") {
            path.append(tokens[index])
            index += 1
        }
        while index < tokens.count {
            let key = String(tokens[index].dropLast()).lowercased()
            let value = index + 1 < tokens.count && !tokens[index + 1].hasSuffix(":") ? tokens[index + 1] : ""
            arguments[key] = value
            index += value.isEmpty ? 1 : 2
        }
        let flavor = self.flavor
        let (outcome, feedback) = changing { data in
            CiscoSession.execute(path.map { $0.lowercased() }.joined(separator: " "), arguments, &data)
        }
        switch outcome {
        case .unknown:
            return errorBlock("Result", reason: "Unknown command", xpath: "/" + path.joined(separator: "/"))
        case .ok(let name, let fields):
            return resultBlock(
                name: flavor == .tc7 ? CiscoSession.tcName(name) : name, status: "OK", fields: fields,
                feedback: feedback)
        case .failed(let name, let reason):
            return resultBlock(name: name, status: "Error", fields: [("Reason", "\"\(reason)\"")], feedback: feedback)
        }
    }

    /// TC7 names some results differently (docs/protocols/cisco-xapi.md §2.3).
    static func tcName(_ name: String) -> String {
        switch name {
        case "CallDisconnectResult": return "DisconnectCallResult"
        case "PresetActivateResult": return "CameraPresetActivateResult"
        case "PresetStoreResult": return "CameraPresetStoreResult"
        default: return name
        }
    }

    static func execute(_ command: String, _ arguments: [String: String], _ data: inout CiscoCodecData)
        -> CommandOutcome
    {
        switch command {
        case "standby activate":
            data.standby = "Standby"
            return .ok(name: "StandbyActivateResult", fields: [])
        case "standby deactivate":
            data.standby = "Off"
            return .ok(name: "StandbyDeactivateResult", fields: [])
        case "standby halfwake" where data.flavor != .tc7:
            data.standby = "Halfwake"
            return .ok(name: "StandbyHalfwakeResult", fields: [])
        case "audio microphones mute":
            data.micMuted = true
            return .ok(name: "MicrophonesMuteResult", fields: [])
        case "audio microphones unmute":
            data.micMuted = false
            return .ok(name: "MicrophonesUnmuteResult", fields: [])
        case "audio microphones togglemute":
            data.micMuted.toggle()
            return .ok(name: "MicrophonesToggleMuteResult", fields: [])
        case "dial":
            guard let number = arguments["number"], !number.isEmpty else {
                return .failed(name: "DialResult", reason: "Missing parameter: Number")
            }
            if data.standby != "Off" { data.standby = "Off" }
            let id = data.nextCallID
            data.nextCallID += 1
            let callProtocol = (arguments["protocol"] ?? data.setting("Conference DefaultCall Protocol") ?? "Sip")
            let rate =
                Int(arguments["callrate"] ?? "") ?? Int(data.setting("Conference DefaultCall Rate") ?? "") ?? 6000
            data.calls.append(
                SimulatedCall(
                    id: id, number: number, status: "Connected",
                    callProtocol: callProtocol.lowercased() == "h323" ? "H323" : "Sip", rate: rate))
            return .ok(name: "DialResult", fields: [("CallId", "\(id)"), ("ConferenceId", "\(id - 1)")])
        case "call disconnect":
            if let text = arguments["callid"] {
                guard let id = Int(text), data.calls.contains(where: { $0.id == id }) else {
                    return .failed(name: "CallDisconnectResult", reason: "No active call(s) with the given CallId")
                }
                data.calls.removeAll { $0.id == id }
            } else {
                guard !data.calls.isEmpty else {
                    return .failed(name: "CallDisconnectResult", reason: "No active call(s)")
                }
                data.calls.removeAll()
            }
            return .ok(name: "CallDisconnectResult", fields: [])
        case "call disconnectall" where data.flavor == .tc7:
            data.calls.removeAll()
            return .ok(name: "DisconnectAllResult", fields: [])
        case "camera preset activate":
            guard let id = Int(arguments["presetid"] ?? ""), (1...35).contains(id) else {
                return .failed(name: "PresetActivateResult", reason: "Invalid or missing PresetId")
            }
            guard let preset = data.presets.first(where: { $0.id == id }) else {
                return .failed(name: "PresetActivateResult", reason: "Preset \(id) not found")
            }
            data.activePreset = id
            (data.cameraPan, data.cameraTilt, data.cameraZoom) = (preset.pan, preset.tilt, preset.zoom)
            return .ok(name: "PresetActivateResult", fields: [])
        case "camera preset store":
            let camera = Int(arguments["cameraid"] ?? "1") ?? 1
            let id = Int(arguments["presetid"] ?? "") ?? ((data.presets.map(\.id).max() ?? 0) + 1)
            guard (1...35).contains(id) else { return .failed(name: "PresetStoreResult", reason: "Invalid PresetId") }
            data.presets.removeAll { $0.id == id }
            data.presets.append(
                SimulatedPreset(
                    id: id, camera: camera, pan: data.cameraPan, tilt: data.cameraTilt, zoom: data.cameraZoom))
            data.presets.sort { $0.id < $1.id }
            return .ok(name: "PresetStoreResult", fields: [("PresetId", "\(id)")])
        case "camera positionset":
            if let pan = Int(arguments["pan"] ?? "") { data.cameraPan = pan }
            if let tilt = Int(arguments["tilt"] ?? "") { data.cameraTilt = tilt }
            if let zoom = Int(arguments["zoom"] ?? "") { data.cameraZoom = zoom }
            data.activePreset = nil
            return .ok(name: "CameraPositionSetResult", fields: [])
        case "systemunit boot":
            return .ok(name: "BootResult", fields: [])
        default:
            return .unknown
        }
    }

    /// A result in the flavor's layout: TC prints `OK` first and continuation lines; CE and
    /// RoomOS prefix every line and print `OK` last. Errors end in `ERROR` (TC: first).
    private func resultBlock(name: String, status: String, fields: [(String, String)], feedback: String) -> String {
        let failed = status != "OK"
        if flavor == .tc7 {
            let body =
                "*r \(name) (status=\(status)):\r\n" + fields.map { "\($0.0): \($0.1)\r\n" }.joined() + "** end\r\n"
            return (failed ? "ERROR\r\n" : "OK\r\n") + feedback + body
        }
        let header = "*r \(name) (status=\(status)):" + (fields.isEmpty ? " " : "") + "\r\n"
        let body = header + fields.map { "*r \(name) \($0.0): \($0.1)\r\n" }.joined() + "** end\r\n"
        return body + feedback + (failed ? "\r\nERROR\r\n" : "\r\nOK\r\n")
    }

    private func errorBlock(_ name: String, reason: String, xpath: String) -> String {
        resultBlock(
            name: name, status: "Error", fields: [("Reason", "\"\(reason)\""), ("XPath", "\"\(xpath)\"")], feedback: "")
    }
}
