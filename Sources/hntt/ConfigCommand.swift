import ArgumentParser
import HNTTCore

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "config", abstract: "Device configuration.",
                                                    subcommands: [ConfigGetCommand.self, ConfigSetCommand.self])
}

struct ConfigGetCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "get",
        abstract: "Read the configuration live, whole or one key (secret values are masked).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The device id.") var device: String
    @Argument(help: "A key, e.g. \"SIP DisplayName\" (default: all).") var key: String?

    func execute() async throws {
        let context = global.context()
        let profile = try context.profiles.load(try context.inventory().device(device).profileID)
        let settings = try await context.withCodec(device) { try await $0.configuration(key: key) }
        let shown = settings.entries.map { entry in
            (entry.key, profile.isSecret(entry.key) && !entry.value.isEmpty ? "********" : entry.value)
        }
        warnUnsupported(settings.unsupported, device: device, output: global.output)
        global.output.result(.object([
            ("device", .string(device)),
            ("settings", .object(shown.map { ($0.0, JSONValue.string($0.1)) })),
            ("unsupported", .array(settings.unsupported.map(JSONValue.string))),
        ]), human: shown.map { "\($0.0): \($0.1)" }.joined(separator: "\n"))
    }
}
