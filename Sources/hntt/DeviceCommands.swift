import ArgumentParser
import Foundation
import HNTTCore
import HNTTDocuments
import HNTTGateway

struct StatusCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Standby state, microphone mute, calls and software version of a device.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The device id from the inventory.") var device: String

    func execute() async throws {
        let status = try await global.gateway.status(device)
        global.output.result(status.json(device: device), human: status.text(device: device))
    }
}

struct WakeCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "wake", abstract: "Leave standby.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The device id.") var device: String

    func execute() async throws {
        try await global.gateway.wake(device, by: global.caller)
        global.output.result(
            .object([("device", .string(device)), ("standby", .string("off"))]), human: "\(device): awake")
    }
}

struct SleepCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "sleep", abstract: "Enter standby.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The device id.") var device: String

    func execute() async throws {
        try await global.gateway.sleep(device, by: global.caller)
        global.output.result(
            .object([("device", .string(device)), ("standby", .string("on"))]), human: "\(device): in standby")
    }
}

extension CallProtocol: ExpressibleByArgument {}

struct DialCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "dial", abstract: "Place a call; prints the call id.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The device id.") var device: String
    @Argument(help: "The number or URI to call (the chair site).") var number: String
    @Option(name: .customLong("protocol"), help: "auto, sip or h323.") var callProtocol: CallProtocol = .auto
    @Option(help: "Call rate in kbps (64–6000).") var rate: Int?

    func execute() async throws {
        let id = try await global.gateway.dial(
            device, number: number, protocol: callProtocol, rateKbps: rate, by: global.caller)
        global.output.result(
            .object([("device", .string(device)), ("call_id", .string(id))]),
            human: "\(device): calling \(number), call id \(id)")
    }
}

struct HangupCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "hangup", abstract: "End one call, or all calls.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The device id.") var device: String
    @Option(name: .customLong("call"), help: "The call id (default: every call).") var callID: String?

    func execute() async throws {
        let ended = try await global.gateway.hangup(device, callID: callID, by: global.caller)
        global.output.result(
            .object([("device", .string(device)), ("ended", .array(ended.map { .string($0) }))]),
            human: ended.isEmpty
                ? "\(device): no call to end" : "\(device): ended call \(ended.joined(separator: ", "))")
    }
}

struct MuteCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "mute",
        abstract: "Set microphone mute (on/off), or print it.")
    enum Setting: String, ExpressibleByArgument { case on, off }
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The device id.") var device: String
    @Argument(help: "on or off; leave out to print the current state.") var setting: Setting?

    func execute() async throws {
        let muted: Bool
        if let setting {
            muted = try await global.gateway.setMicrophoneMute(device, setting == .on, by: global.caller)
        } else {
            muted = try await global.gateway.microphoneMuted(device)
        }
        global.output.result(
            .object([("device", .string(device)), ("mic_muted", .bool(muted))]),
            human: "\(device): microphones \(muted ? "muted" : "live")")
    }
}

extension PresetAction: ExpressibleByArgument {}

struct PresetCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "preset", abstract: "Recall or store a camera preset.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The device id (a codec or a camera).") var device: String
    @Argument(help: "recall or store.") var action: PresetAction
    @Argument(help: "The preset number.") var preset: Int
    @Option(help: "The camera (through a codec; default 1).") var camera: Int?

    func execute() async throws {
        try await global.gateway.preset(device, action, preset, camera: camera, by: global.caller)
        global.output.result(
            .object([("device", .string(device)), ("action", .string(action.rawValue)), ("preset", .number(preset))]),
            human: "\(device): preset \(preset) \(action == .recall ? "recalled" : "stored")")
    }
}

struct CameraCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "camera",
        abstract: "A PTZ camera driven directly: `home` pans and tilts it home, `position` prints pan, tilt and zoom.")
    enum Action: String, ExpressibleByArgument { case home, position }
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The camera's device id.") var device: String
    @Argument(help: "home or position.") var action: Action

    func execute() async throws {
        switch action {
        case .home:
            try await global.gateway.home(device, by: global.caller)
            global.output.result(
                .object([("device", .string(device)), ("home", .bool(true))]), human: "\(device): at home position")
        case .position:
            let position = try await global.gateway.position(device)
            global.output.result(
                .object([("device", .string(device)), ("position", position.json)]),
                human: "\(device): pan \(position.pan), tilt \(position.tilt), zoom \(position.zoom)")
        }
    }
}
