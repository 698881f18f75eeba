import ArgumentParser
import Foundation
import HNTTCore

struct StatusCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "status",
        abstract: "Standby state, microphone mute, calls and software version of a device.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The device id from the inventory.") var device: String

    func execute() async throws {
        let context = global.context()
        var status = try await context.withDevice(device) { try await $0.status() }
        if status.standby == .unknown, let seen = context.lastStandby(device: device) {
            status.standby = seen.state
            status.standbySeenAt = seen.seenAt
        }
        let calls = status.calls.map { call in
            JSONValue.object([("id", .string(call.id)), ("number", .string(call.number)), ("status", .string(call.status))])
        }
        var human = "\(device)\n  standby:     \(StatusCommand.standbyText(status))\n  microphones: \(status.micMuted ? "muted" : "live")\n"
        human += "  calls:       " + (status.calls.isEmpty ? "none" : status.calls.map { "#\($0.id) \($0.status) \($0.number)" }.joined(separator: ", "))
        human += "\n  software:    \(status.software)"
        var fields: [(String, JSONValue)] = [
            ("device", .string(device)), ("standby", .string(status.standby.rawValue)), ("mic_muted", .bool(status.micMuted)),
            ("calls", .array(calls)), ("software", .string(status.software)),
        ]
        if let seen = status.standbySeenAt {
            fields.append(("standby_seen_at", .string(localTimestamp(seen))))
            fields.append(("standby_age_s", .number(max(0, Int(Date().timeIntervalSince(seen))))))
        }
        if let camera = status.camera {
            fields.append(("power", .string(camera.power)))
            fields.append(("preset", camera.presetInUse.map { .number($0) } ?? .null))
            fields.append(("position", camera.position.map(CameraCommand.json) ?? .null))
            human = "\(device)\n  power:       \(camera.power)\n  preset:      \(camera.presetInUse.map(String.init) ?? "unknown")"
            human += "\n  position:    " + (camera.position.map { "pan \($0.pan), tilt \($0.tilt), zoom \($0.zoom)" } ?? "unknown (in standby)")
            human += "\n  software:    \(status.software)"
        }
        global.output.result(.object(fields), human: human)
    }
}

extension StatusCommand {
    /// `on`, or `on (seen 09:14:03, 5 min ago)` for a state seen earlier, or what unknown means.
    static func standbyText(_ status: DeviceStatus) -> String {
        if status.standby == .unknown {
            return "unknown (this codec cannot be asked and hntt has not seen it go to sleep or wake;"
                + " `hntt wake` or `hntt sleep` makes it known)"
        }
        guard let seen = status.standbySeenAt else { return status.standby.rawValue }
        let minutes = max(0, Int(Date().timeIntervalSince(seen) / 60))
        return "\(status.standby.rawValue) (last seen \(LogbookDocument.local(seen, "yyyy-MM-dd HH:mm:ss")), "
            + (minutes == 0 ? "just now" : "\(minutes) min ago") + ")"
    }
}

/// ISO 8601 with the machine's offset, as the contract's JSON times are written.
func localTimestamp(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = .current
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: date)
}

struct WakeCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "wake", abstract: "Leave standby.")
    var audit: AuditRecord? { AuditRecord(device: device, action: "wake", detail: "") }
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The device id.") var device: String

    func execute() async throws {
        try await global.context().withDevice(device) { try await $0.wake() }
        global.output.result(.object([("device", .string(device)), ("standby", .string("off"))]), human: "\(device): awake")
    }
}

struct SleepCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "sleep", abstract: "Enter standby.")
    var audit: AuditRecord? { AuditRecord(device: device, action: "sleep", detail: "") }
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The device id.") var device: String

    func execute() async throws {
        try await global.context().withDevice(device) { try await $0.sleep() }
        global.output.result(.object([("device", .string(device)), ("standby", .string("on"))]), human: "\(device): in standby")
    }
}

extension CallProtocol: ExpressibleByArgument {}

struct DialCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "dial", abstract: "Place a call; prints the call id.")
    var audit: AuditRecord? { AuditRecord(device: device, action: "dial", detail: "number \(number.debugDescription)") }
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The device id.") var device: String
    @Argument(help: "The number or URI to call (the chair site).") var number: String
    @Option(name: .customLong("protocol"), help: "auto, sip or h323.") var callProtocol: CallProtocol = .auto
    @Option(help: "Call rate in kbps (64–6000).") var rate: Int?

    func execute() async throws {
        let id = try await global.context().withCodec(device) {
            try await $0.dial(number, protocol: callProtocol, rateKbps: rate)
        }
        global.output.result(.object([("device", .string(device)), ("call_id", .string(id))]),
                             human: "\(device): calling \(number), call id \(id)")
    }
}

struct HangupCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "hangup", abstract: "End one call, or all calls.")
    var audit: AuditRecord? { AuditRecord(device: device, action: "hangup", detail: callID.map { "call \($0)" } ?? "all calls") }
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The device id.") var device: String
    @Option(name: .customLong("call"), help: "The call id (default: every call).") var callID: String?

    func execute() async throws {
        let ended = try await global.context().withCodec(device) { try await $0.hangup(callID: callID) }
        global.output.result(.object([("device", .string(device)), ("ended", .array(ended.map { .string($0) }))]),
                             human: ended.isEmpty ? "\(device): no call to end" : "\(device): ended call \(ended.joined(separator: ", "))")
    }
}

struct MuteCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "mute",
        abstract: "Set microphone mute (on/off), or print it.")
    enum Setting: String, ExpressibleByArgument { case on, off }
    var audit: AuditRecord? { setting.map { AuditRecord(device: device, action: "mute", detail: $0.rawValue) } }
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The device id.") var device: String
    @Argument(help: "on or off; leave out to print the current state.") var setting: Setting?

    func execute() async throws {
        let muted = try await global.context().withCodec(device) { driver -> Bool in
            if let setting {
                try await driver.setMicrophoneMute(setting == .on)
            }
            return try await driver.microphoneMuted()
        }
        if let setting, muted != (setting == .on) {
            throw HNTTError(.deviceError, "the codec accepted the command but its microphones are still \(muted ? "muted" : "live")",
                            device: device, fix: "check the room's microphones and the codec's audio settings")
        }
        global.output.result(.object([("device", .string(device)), ("mic_muted", .bool(muted))]),
                             human: "\(device): microphones \(muted ? "muted" : "live")")
    }
}

struct PresetCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "preset", abstract: "Recall or store a camera preset.")
    enum Action: String, ExpressibleByArgument { case recall, store }
    var audit: AuditRecord? { AuditRecord(device: device, action: "preset \(action.rawValue)", detail: "preset \(preset)") }
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The device id (a codec or a camera).") var device: String
    @Argument(help: "recall or store.") var action: Action
    @Argument(help: "The preset number.") var preset: Int
    @Option(help: "The camera (through a codec; default 1).") var camera: Int?

    func execute() async throws {
        try await global.context().withDevice(device) { driver in
            switch action {
            case .recall: try await driver.recallPreset(preset, camera: camera)
            case .store: try await driver.storePreset(preset, camera: camera)
            }
        }
        global.output.result(.object([("device", .string(device)), ("action", .string(action.rawValue)), ("preset", .number(preset))]),
                             human: "\(device): preset \(preset) \(action == .recall ? "recalled" : "stored")")
    }
}

struct CameraCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "camera",
        abstract: "A PTZ camera driven directly: `home` pans and tilts it home, `position` prints pan, tilt and zoom.")
    enum Action: String, ExpressibleByArgument { case home, position }
    var audit: AuditRecord? { action == .home ? AuditRecord(device: device, action: "camera home", detail: "") : nil }
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The camera's device id.") var device: String
    @Argument(help: "home or position.") var action: Action

    static func json(_ position: CameraPosition) -> JSONValue {
        .object([("pan", .number(position.pan)), ("tilt", .number(position.tilt)), ("zoom", .number(position.zoom))])
    }

    func execute() async throws {
        switch action {
        case .home:
            try await global.context().withCamera(device) { try await $0.home() }
            global.output.result(.object([("device", .string(device)), ("home", .bool(true))]), human: "\(device): at home position")
        case .position:
            let position = try await global.context().withCamera(device) { try await $0.position() }
            global.output.result(.object([("device", .string(device)), ("position", CameraCommand.json(position))]),
                                 human: "\(device): pan \(position.pan), tilt \(position.tilt), zoom \(position.zoom)")
        }
    }
}
