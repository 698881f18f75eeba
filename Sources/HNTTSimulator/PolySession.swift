import Foundation

/// One API session of a simulated Poly codec (Group Series or HDX), as docs/protocols/poly-and-others.md
/// describes it: `Password:` (and `Username:`) prompts without line end, `-- login failed, retry --`,
/// the whoami banner, the `-> ` prompt, `\r\r\n` on the network and `\r\n` on serial, HDX's echo,
/// `error:` and `info:` lines, registrations kept per port as in flash ("already active" the
/// second time), and the `cs:` / `notification:` lines they produce.
public final class PolySession: @unchecked Sendable {
    private let store: PolyCodecStore
    private let link: SimulatorLink
    private let access: SimulatorAccess
    private let endsConnection: Bool

    public init(store: PolyCodecStore, link: SimulatorLink, access: SimulatorAccess, endsConnection: Bool = true) {
        self.store = store
        self.link = link
        self.access = access
        self.endsConnection = endsConnection
    }

    private var port: String {
        switch access {
        case .ssh: return "ssh"
        case .telnet: return "telnet"
        case .serial: return "serial"
        }
    }

    /// Serial lines end `\r\n`; network sessions were seen ending `\r\r\n` (§1.4).
    private var eol: String { access == .serial ? "\r\n" : "\r\r\n" }
    private static let noise = "notification:mutestatus:far:5:Rostov:10.1.0.84:notmuted"

    public func run() {
        defer { if endsConnection { link.close() } }
        guard login() else { return }
        link.write("-> ")
        while let line = link.readLine() {
            let command = line.trimmingCharacters(in: .whitespaces)
            if command.isEmpty {
                link.write("-> ")
                continue
            }
            let faults = store.logCommand(command)
            if faults.silent { continue }
            if command.lowercased() == "exit" { return }
            let (flavor, noisy, lanEcho) = store.read { ($0.flavor, $0.notificationNoise, $0.lanEcho) }
            // Events the codec raised by itself since the last command come first.
            let pending = store.update { data -> [String] in
                defer { data.pendingEvents[port] = nil }
                return data.pendingEvents[port] ?? []
            }
            // HDX echoes every command first; on serial its echo ends <LF><CR> (IRM-HDX). LAN
            // sessions echo the line as typed, ended like every line (§2.3a).
            let echo =
                flavor == .hdx
                ? command + (access == .serial ? "\n\r" : "\r\n")
                : lanEcho && access != .serial ? line + eol : ""
            let wasAsleep = store.read { $0.asleep }
            var lines = handle(command)
            if noisy {
                lines.insert(PolySession.noise, at: lines.count > 2 ? lines.count / 2 : 0)
            }
            let reply = pending.map { $0 + eol }.joined() + echo + lines.map { $0 + eol }.joined() + "-> "
            let delivered = link.deliver(
                reply, faults: faults, noise: "notification:sysstatus:camera:near:1:up" + eol,
                endsConnection: endsConnection
            ) { store.update { $0.faults.dropMidReply = false } }
            if !delivered { return }
            if access != .serial, !wasAsleep, store.read({ $0.asleep && $0.dropsSessionOnSleep }) { return }
        }
    }

    // MARK: - Login

    private func login() -> Bool {
        switch access {
        case .ssh:
            store.update { $0.successfulLogins += 1 }
            link.write(banner())
            return true
        case .telnet:
            return promptLogin(askUsername: store.read { $0.telnetAsksUsername })
        case .serial:
            let mode = store.read { $0.serialLogin }
            guard mode != .none else {
                store.update { $0.successfulLogins += 1 }
                return true
            }
            guard link.readLine() != nil else { return false }   // the console prompts on a line end
            return promptLogin(askUsername: mode == .usernamePassword)
        }
    }

    /// A prompt, in pieces when the device is told to fragment its writes.
    private func prompt(_ text: String) {
        guard store.read({ $0.faults.splitWrites }) else { return link.write(text) }
        for character in text {
            link.write(String(character))
            usleep(500)
        }
    }

    private func promptLogin(askUsername: Bool) -> Bool {
        for _ in 0..<3 {
            var username: String?
            if askUsername {
                prompt("Username: ")
                guard let name = link.readLine() else { return false }
                username = name
            }
            prompt("Password: ")
            guard let password = link.readLine() else { return false }
            let accepted = store.read { data in
                data.password == password && !password.isEmpty && (username == nil || username == data.username)
            }
            if accepted {
                store.update { $0.successfulLogins += 1 }
                link.write(eol + banner())
                return true
            }
            store.update { $0.failedLogins += 1 }
            link.write(eol + "-- login failed, retry --" + eol)
        }
        return false
    }

    /// The whoami banner (AVISPL's parser keys), first line `Hi, my name is : …`, last `SNMP Enabled: …`.
    private func banner() -> String {
        let data = store.snapshot
        let model = data.flavor == .group ? "RealPresence Group 500" : "HDX 8000 HD"
        return [
            "Hi, my name is : \(data.systemName)", "Here is what I know about myself:", "Model: \(model)",
            "Serial Number: 8211234ABCDE", "Software Version: Release \(data.softwareVersion)",
            "Build Information: root on bldvm-sim", "Contact Number: ", "Time In Last Call: 0:12:31",
            "Total Time In Calls: 112:34:00", "Total Calls: 412", "SNTP Time Service: auto insync 10.10.0.3",
            "Local Time is: Sun, 29 Nov 2026 08:00:00", "Network Interface: NONE", "IP Video Number: 10.10.1.30",
            "MP Enabled: False", "H323 Enabled: True", "FTP Enabled: False", "HTTP Enabled: True", "SNMP Enabled: True",
        ].map { $0 + eol }.joined()
    }

    // MARK: - Commands

    /// The reply lines to one command, with the asynchronous lines it triggers after them.
    func handle(_ command: String) -> [String] {
        let words = PolySession.tokenize(command)
        let lower = words.map { $0.lowercased() }
        guard let verb = lower.first else { return [] }
        switch verb {
        case "whoami":
            return banner().components(separatedBy: eol).filter { !$0.isEmpty }
        case "version":
            let version = store.read { $0.softwareVersion }.split(separator: "-").first.map(String.init) ?? ""
            return ["version \(version)"]
        case "mute": return mute(Array(lower.dropFirst()))
        case "sleep": return sleep(Array(lower.dropFirst()))
        case "wake":
            return ["wake"] + setAsleep(false)
        case "sleeptime" where lower.count == 2 && lower[1] == "get":
            return ["sleeptime \(store.read { $0.legacySettings["sleeptime"] ?? "30" })"]
        case "notify": return notify(Array(lower.dropFirst()))
        case "callstate":
            if lower.count > 1, lower[1] == "register" { return register("callstate", ack: "callstate registered") }
            return [
                store.read { $0.registrations[port, default: []].contains("callstate") }
                    ? "callstate registered" : "callstate unregistered"
            ]
        case "dial": return dial(Array(words.dropFirst()))
        case "hangup": return hangup(Array(lower.dropFirst()))
        case "callinfo": return callInfo()
        case "advnetstats", "netstats": return statistics(verb, Array(lower.dropFirst()))
        case "listen":
            guard lower.count == 2, ["sleep", "video"].contains(lower[1]) else {
                return ["error: command needs more parameters to execute successfully"]
            }
            return lower[1] == "sleep" && registered("sleep")
                ? ["info: event/notification already active:sleep"]
                : lower[1] == "sleep" ? register("sleep", ack: "listen sleep registered") : ["listen video registered"]
        case "getcallstate": return callStates()
        case "preset": return preset(Array(lower.dropFirst()))
        case "camera":
            guard lower.count == 3, lower[1] == "near", let n = Int(lower[2]), (1...4).contains(n) else {
                return ["error: command needs more parameters to execute successfully"]
            }
            store.update { $0.camera = n }
            return ["camera near \(n)"]
        case "systemsetting": return systemSetting(Array(words.dropFirst()))
        default:
            if store.read({ $0.legacySettings[verb] }) != nil { return legacySetting(verb, Array(words.dropFirst())) }
            return ["error: command not found"]
        }
    }

    /// Words, with a double-quoted string as one word.
    static func tokenize(_ line: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quoted = false
        for character in line {
            if character == "\"" {
                quoted.toggle()
                continue
            }
            if character == " " && !quoted {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    private func registered(_ what: String) -> Bool {
        store.read { $0.registrations[port, default: []].contains(what) }
    }

    /// Registers once per port; a second time answers "already active" (the codec keeps them in flash).
    private func register(_ what: String, ack: String) -> [String] {
        let fresh = store.update { data -> Bool in
            if data.registrations[port, default: []].contains(what) { return false }
            data.registrations[port, default: []].append(what)
            return true
        }
        return [fresh ? ack : "info: event/notification already active:\(what)"]
    }

    private func mute(_ args: [String]) -> [String] {
        guard let side = args.first else { return ["error: command needs more parameters to execute successfully"] }
        if side == "register" { return register("mute", ack: "mute registered") }
        if side == "far" {
            return [store.read { $0.calls.isEmpty } ? "mute far no call connected" : "mute far off"]
        }
        guard side == "near", args.count == 2 else {
            return ["error: command needs more parameters to execute successfully"]
        }
        let muted: Bool
        switch args[1] {
        case "get": return [store.read { $0.nearMuted } ? "mute near on" : "mute near off"]
        case "on": muted = true
        case "off": muted = false
        case "toggle": muted = !store.read { $0.nearMuted }
        default: return ["error: command has illegal parameters"]
        }
        let changed = store.update { data -> Bool in
            defer { data.nearMuted = muted }
            return data.nearMuted != muted
        }
        var lines = ["mute near \(muted ? "on" : "off")"]
        if changed && registered("mute") { lines.append("mute near \(muted ? "on" : "off")") }
        if changed && registered("mutestatus") {
            lines.append("notification:mutestatus:near:near:near:near:\(muted ? "muted" : "notmuted")")
        }
        return lines
    }

    private func sleep(_ args: [String]) -> [String] {
        switch args.first {
        case nil: return ["sleep"] + setAsleep(true)
        case "register": return register("sleep", ack: "sleep registered")
        case "mute": return ["sleep mute off"]
        default: return ["error: command has illegal parameters"]
        }
    }

    /// Changes the sleep state; this port's event (if registered) comes with the reply, the
    /// other registered ports get theirs before their next reply.
    private func setAsleep(_ asleep: Bool) -> [String] {
        store.update { data -> [String] in
            guard data.asleep != asleep else { return [] }
            data.fall(asleep: asleep)
            guard let own = data.pendingEvents[port]?.popLast() else { return [] }
            return [own]
        }
    }

    private func notify(_ args: [String]) -> [String] {
        guard let type = args.first else {
            let list = store.read { $0.registrations[port, default: []] }.filter {
                !["mute", "sleep", "callstate"].contains($0)
            }
            return ["registered for \(list.count) notifications" + list.map { ":" + $0 }.joined()]
        }
        let known = [
            "callstatus", "linestatus", "mutestatus", "screenchanges", "sysstatus", "sysalerts",
            "vidsourcechanges", "calendarmeetings", "captions",
        ]
        guard known.contains(type) else { return ["error: command has illegal parameters"] }
        return register(type, ack: "notify \(type) success")
    }

    private func dial(_ args: [String]) -> [String] {
        // dial manual <speed> "<dialstr>" [h323|ip|sip|gateway]
        guard args.count >= 3, args[0].lowercased() == "manual", Int(args[1]) != nil || args[1].lowercased() == "auto"
        else {
            return ["error: command needs more parameters to execute successfully"]
        }
        let number = args[2]
        let type = args.count > 3 ? args[3].lowercased() : "auto"
        let speed = Int(args[1]) ?? 1920
        if type == "sip" && store.read({ $0.systemSettings["sipenable"] }) == "False" {
            return ["info: IP line (SIP) not enabled."]
        }
        let wakeLines = setAsleep(false)
        let (id, busy) = store.update { data -> (Int, Bool) in
            let id = data.nextCallID
            data.nextCallID += 1
            let busy = data.busyNumbers.contains(number)
            if !busy {
                data.calls.append(
                    PolySimulatedCall(
                        id: id, name: "Chair \(number)", number: number, speed: speed,
                        status: "connected", callType: "videocall",
                        signalling: type == "sip" ? "sip" : "h323"))
            }
            return (id, busy)
        }
        var lines = ["dialing manual"] + wakeLines
        let states = registered("callstate")
        let notes = registered("callstatus")
        if states { lines.append("cs: call[\(id)] chan[0] dialstr[\(number)] state[ALLOCATED]") }
        if notes { lines.append("notification:callstatus:outgoing:\(id):null 1::opened::0:videocall") }
        if states { lines.append("cs: call[\(id)] chan[0] dialstr[\(number)] state[RINGING]") }
        if notes {
            lines.append(
                "notification:callstatus:outgoing:\(id):Chair \(number):\(number):connecting:\(speed):0:videocall")
        }
        if busy {
            if notes {
                lines.append(
                    "notification:callstatus:outgoing:\(id):Chair \(number):\(number):disconnected:\(speed):17:videocall"
                )
            }
            if states {
                lines += [
                    "cleared: call[\(id)]", "dialstring[IP:\(number) NAME:Chair \(number)]", "ended: call[\(id)]",
                ]
            }
        } else {
            if states {
                lines += [
                    "cs: call[\(id)] chan[0] dialstr[\(number)] state[COMPLETE]", "active: call[\(id)] speed[\(speed)]",
                ]
            }
            if notes {
                lines.append(
                    "notification:callstatus:outgoing:\(id):Chair \(number):\(number):connected:\(speed):0:videocall")
            }
        }
        return lines
    }

    private func hangup(_ args: [String]) -> [String] {
        let all = args.first == "all"
        guard all || args.first == "video" else {
            return ["error: command needs more parameters to execute successfully"]
        }
        let target = args.count > 1 ? Int(args[1]) : nil
        if args.count > 1 && target == nil { return ["error: command has illegal parameters"] }
        let ended = store.update { data -> [PolySimulatedCall]? in
            if let target {
                guard let call = data.calls.first(where: { $0.id == target }) else { return nil }
                data.calls.removeAll { $0.id == target }
                return [call]
            }
            defer { data.calls.removeAll() }
            return data.calls
        }
        guard let ended else { return ["error: connection \(target ?? 0) is not active"] }
        if ended.isEmpty { return ["system is not in a call"] }
        var lines = [all ? "hanging up all" : "hanging up video"]
        for call in ended {
            if registered("callstate") {
                lines += [
                    "cleared: call[\(call.id)]", "dialstring[IP:\(call.number) NAME:\(call.name)]",
                    "ended: call[\(call.id)]",
                ]
            }
            if registered("callstatus") {
                lines.append(
                    "notification:callstatus:outgoing:\(call.id):\(call.name):\(call.number):disconnected:\(call.speed):16:videocall"
                )
            }
        }
        return lines
    }

    private func callInfo() -> [String] {
        let (calls, muted) = store.read { ($0.calls, $0.nearMuted) }
        guard !calls.isEmpty else { return ["system is not in a call"] }
        return ["callinfo begin"]
            + calls.map {
                "callinfo:\($0.id):\($0.name):\($0.number):\($0.speed):\($0.status):\(muted ? "muted" : "notmuted"):outgoing:\($0.callType)"
            }
            + ["callinfo end"]
    }

    private func callStates() -> [String] {
        let calls = store.read { $0.calls }
        var lines = calls.map { "cs: call[\($0.id)] speed[\($0.speed)] dialstr[\($0.number)] state[connected]" }
        for slot in calls.count..<3 { lines.append("cs: call[\(slot)] inactive") }
        return lines
    }

    private func preset(_ args: [String]) -> [String] {
        guard args.count == 3, args[0] == "near", let n = Int(args[2]), (0...99).contains(n) else {
            if args.first == "register" { return register("preset", ack: "preset registered") }
            return ["error: command needs more parameters to execute successfully"]
        }
        switch args[1] {
        case "go":
            store.update { $0.activePreset = n }
            return ["preset near go \(n)"]
        case "set":
            store.update { data in
                if !data.presets.contains(n) {
                    data.presets.append(n)
                    data.presets.sort()
                }
            }
            return ["preset near set \(n)"]
        default:
            return ["error: command has illegal parameters"]
        }
    }

    /// `advnetstats [n]` / `netstats [n]` as captured (§2.7a): counters that grow with the
    /// call's age, H.323-only fields `---` on SIP calls, `%pktloss` in the configured spelling.
    private func statistics(_ verb: String, _ args: [String]) -> [String] {
        let data = store.snapshot
        guard !data.calls.isEmpty else { return ["system is not in a call"] }
        let index = args.first.flatMap(Int.init) ?? 0
        guard args.count <= 1, index < data.calls.count else { return ["error: command has illegal parameters"] }
        let call = data.calls[index]
        let age = max(0, Date().timeIntervalSince1970 - call.connectedAt)
        let h323 = call.signalling == "h323"
        func h323Only(_ value: String) -> String { h323 ? value : "---" }
        let lost = Int(age * data.lossPerSecond)
        let audio = 64
        let video = max(64, call.speed - audio)
        if verb == "netstats" {
            let percent = String(format: "%.1f", data.transmitLossPercent) + (data.lossSpelling == .spaced ? " %" : "%")
            let protocolName = h323 ? "H.323" : "SIP"
            return [
                "call:\(index) txrate:\(call.speed) K rxrate:\(call.speed) K pktloss:\(lost) %pktloss:\(percent)",
                "tvp:H.264 rvp:H.264 tvf:1280x720p rvf:1280x720p tap:G.722.1 rap:G.722.1 tcp:\(protocolName) rcp:\(protocolName)",
            ]
        }
        return [
            "call:\(index) tar:\(audio) K rar:\(audio) K tvr:\(video) K rvr:\(video) K",
            "tvru:\(video - 6) K rvru:\(video - 5) K tvfr:29 rvfr:29 vfe:0",
            "tapl:\(h323Only("0")) rapl:\(h323Only(String(lost / 3))) taj:\(h323Only("3 ms")) raj:\(h323Only("\(data.jitterMs) ms"))"
                + " tvpl:\(h323Only("0")) rvpl:\(h323Only(String(lost - lost / 3)))",
            "tvj:\(h323Only("4 ms")) rvj:\(h323Only("\(data.jitterMs) ms")) dc:Disabled rsid:\(call.number) ccaps:---",
        ]
    }

    private func systemSetting(_ args: [String]) -> [String] {
        if args.count == 2, args[0].lowercased() == "get" {
            let name = args[1].lowercased()
            if store.read({ $0.unsupportedSettings.contains(name) }) {
                return ["error: command has illegal parameters"]
            }
            guard let value = store.read({ $0.systemSettings[name] }) else { return ["error: command not found"] }
            return ["systemsetting \(name) \(value)"]
        }
        guard args.count >= 2 else { return ["error: command needs more parameters to execute successfully"] }
        let name = args[0].lowercased()
        let value = args.dropFirst().joined(separator: " ")
        let known = store.update { data -> Bool in
            guard data.systemSettings[name] != nil else { return false }
            data.systemSettings[name] = value
            return true
        }
        return [known ? "systemsetting \(name) \(value)" : "error: command not found"]
    }

    private func legacySetting(_ verb: String, _ args: [String]) -> [String] {
        guard let first = args.first else { return ["error: command needs more parameters to execute successfully"] }
        if first.lowercased() == "get" {
            if store.read({ $0.unsupportedSettings.contains(verb) }) {
                return ["error: command has illegal parameters"]
            }
            return ["\(verb) \(store.read { $0.legacySettings[verb] ?? "" })"]
        }
        let value = args.joined(separator: " ")
        store.update { $0.legacySettings[verb] = value }
        return ["\(verb) \(value)"]
    }
}

/// A simulated Poly codec.
public typealias PolySimulator = SimulatedCodec<PolyCodecData>

extension SimulatedCodec where State == PolyCodecData {
    public convenience init(store: PolyCodecStore) {
        self.init(store: store) { store, link, access, endsConnection in
            PolySession(store: store, link: link, access: access, endsConnection: endsConnection).run()
        }
    }

    public convenience init(_ data: PolyCodecData) { self.init(store: PolyCodecStore(data)) }
}
