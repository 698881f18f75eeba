import ArgumentParser
import Foundation
import HNTTCore
import HNTTDocuments

/// `hntt mcu`: the chair site's conference bridge (CONTRACT.md "MCU").
struct MCUCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcu", abstract: "The conference bridge (MCU): conferences, their sites, mute, drop, dial.",
        subcommands: [
            MCUCallsCommand.self, MCULegsCommand.self, MCUMuteCommand.self, MCUDropCommand.self,
            MCUDialCommand.self, MCUReconnectCommand.self,
        ])
}

struct MCUCallsCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "calls", abstract: "The bridge's active conferences.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The bridge's device id.") var device: String

    func execute() async throws {
        let calls = try await global.gateway.bridgeCalls(device)
        global.output.result(
            BridgeReplies.calls(device, calls),
            human: calls.isEmpty
                ? "\(device): no active conference"
                : calls.map { "\($0.id)  \($0.name)  \($0.legs.map { "\($0) leg\($0 == 1 ? "" : "s")" } ?? "")" }
                    .joined(separator: "\n"))
    }
}

struct MCULegsCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "legs",
        abstract: "Every site of a conference, with loss, jitter and round trip as the bridge sees them.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The bridge's device id.") var device: String
    @Argument(help: "The conference id (from `hntt mcu calls`).") var call: String

    func execute() async throws {
        let legs = try await global.gateway.bridgeLegs(device, call: call)
        global.output.result(
            BridgeReplies.legs(device, call: call, legs),
            human: legs.isEmpty
                ? "\(device): no site in conference \(call)" : legs.map(\.summary).joined(separator: "\n"))
    }
}

struct MCUMuteCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "mute", abstract: "Mute or unmute what the bridge receives from a site.")
    enum Setting: String, ExpressibleByArgument { case on, off }
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The bridge's device id.") var device: String
    @Argument(help: "The leg id (from `hntt mcu legs`).") var leg: String
    @Argument(help: "on or off.") var setting: Setting

    func execute() async throws {
        let now = try await global.gateway.bridgeMute(device, leg: leg, muted: setting == .on, by: global.caller)
        let muted = now.audioMuted ?? (setting == .on)
        global.output.result(
            BridgeReplies.muted(device, leg: leg, muted),
            human: "\(device): \(now.name.isEmpty ? leg : now.name) \(muted ? "muted" : "live") at the bridge")
    }
}

struct MCUDropCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "drop", abstract: "Remove a site from its conference.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The bridge's device id.") var device: String
    @Argument(help: "The leg id (from `hntt mcu legs`).") var leg: String

    func execute() async throws {
        try await global.gateway.bridgeDrop(device, leg: leg, by: global.caller)
        global.output.result(
            BridgeReplies.dropped(device, leg: leg),
            human: "\(device): leg \(leg) dropped")
    }
}

struct MCUDialCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "dial", abstract: "Dial a site into a conference; prints the new leg's id.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The bridge's device id.") var device: String
    @Argument(help: "The conference id (from `hntt mcu calls`).") var call: String
    @Argument(help: "The site's SIP URI, H.323 alias or number.") var uri: String

    func execute() async throws {
        let leg = try await global.gateway.bridgeDial(device, call: call, uri: uri, by: global.caller)
        global.output.result(BridgeReplies.dialled(device, leg: leg), human: leg)
    }
}

struct MCUReconnectCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconnect", abstract: "Bring a dropped site back (a bridge that keeps it defined: the RMX).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The bridge's device id.") var device: String
    @Argument(help: "The leg id (from `hntt mcu legs`).") var leg: String

    func execute() async throws {
        try await global.gateway.bridgeReconnect(device, leg: leg, by: global.caller)
        global.output.result(BridgeReplies.reconnected(device, leg: leg), human: "\(device): leg \(leg) reconnected")
    }
}
