import ArgumentParser
import HNTTCore
import HNTTDocuments

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Device configuration.",
        subcommands: [ConfigGetCommand.self, ConfigSetCommand.self])
}

struct ConfigGetCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Read the configuration live, whole or one key (secret values are masked).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The device id.") var device: String
    @Argument(help: "A key, e.g. \"SIP DisplayName\" (default: all).") var key: String?

    func execute() async throws {
        let shown = try await global.gateway.configuration(device, key: key)
        warnUnsupported(shown.unsupported, device: device, output: global.output)
        global.output.result(
            .object([
                ("device", .string(device)),
                ("settings", .object(shown.settings.map { ($0.key, JSONValue.string($0.value)) })),
                ("unsupported", .array(shown.unsupported.map(JSONValue.string))),
            ]), human: shown.settings.map { "\($0.key): \($0.value)" }.joined(separator: "\n"))
    }
}
