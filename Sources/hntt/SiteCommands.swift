import ArgumentParser
import Foundation
import HNTTCore
import HNTTDocuments
import HNTTGateway
import HNTTTransport

struct DevicesCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List rooms and devices; --check connects and logs in to each.")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Connect and log in to every device, in parallel.") var check = false
    @Option(help: "How many devices to check at once.") var parallel = 32

    func execute() async throws {
        let inventory = try global.gateway.inventory()
        var results: [String: Result<String, HNTTError>] = [:]
        if check {
            let output = global.output
            results = await global.gateway.checkLogins(inventory.devices, parallel: parallel) { done, total in
                if total > 10 { output.note("checked \(done)/\(total)") }
            }
        }
        global.output.result(inventory.json(checks: results), human: inventory.text(checks: results))
        let failures = results.values.compactMap { result -> HNTTError? in
            if case .failure(let error) = result { return error } else { return nil }
        }
        if let first = failures.first { throw ExitCode(first.exitCode) }
    }
}

struct SecretCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secret", abstract: "The encrypted credential store.",
        subcommands: [SecretSetCommand.self, SecretListCommand.self])
}

struct SecretListCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "The stored credentials: names, login names and the devices using them.")
    @OptionGroup var global: GlobalOptions

    func execute() async throws {
        let credentials = try await global.gateway.credentials()
        global.output.result(
            .object([("credentials", .array(credentials.map(\.json)))]),
            human: credentials.isEmpty ? "no credentials stored" : credentials.map(\.line).joined(separator: "\n"))
    }
}

struct SecretSetCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Store a credential (encrypted); the password is read from standard input.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The credential name the inventory's `credential:` uses.") var name: String
    @Option(help: "The login name.") var username: String
    @Flag(help: "Read the password from standard input (its first line).") var passwordStdin = false

    func execute() async throws {
        let password = try await passwordFromStandardInput(
            passwordStdin, usage: "hntt secret set \(name) --username \(username) --password-stdin")
        try await global.gateway.storeCredential(
            name: name, username: username, password: password, by: global.caller)
        global.output.result(
            .object([("name", .string(name)), ("username", .string(username)), ("stored", .bool(true))]),
            human: "credential \(name) stored for user \(username)")
    }
}

struct TrustHostCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "trust-host",
        abstract: "Connect, show the SSH host key fingerprint, and pin it.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The device id.") var device: String
    @Option(help: "Pin only if the device presents exactly this fingerprint (SHA256:…).") var fingerprint: String?
    @Flag(help: "Replace a different fingerprint pinned before (after the device was replaced or reset).") var replace =
        false

    func execute() async throws {
        let pinned = try await global.gateway.trustHost(
            device, expected: fingerprint, replace: replace, by: global.caller)
        let what = (try? global.gateway.device(device).transport) == .https ? "a certificate" : "host key"
        global.output.note("\(device) (\(pinned.host):\(pinned.port)) presents \(what) \(pinned.fingerprint)")
        if let inventoryPin = pinned.inventoryPin {
            global.output.note(
                "warning: the inventory pins \(inventoryPin) for \(device); the inventory's pin takes precedence")
        }
        global.output.result(
            .object([("device", .string(device)), ("host_key", .string(pinned.fingerprint)), ("pinned", .bool(true))]),
            human: "\(device): pinned \(pinned.fingerprint)")
    }
}
