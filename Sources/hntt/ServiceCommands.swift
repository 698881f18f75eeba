import ArgumentParser
import Foundation
import HNTTCore
import HNTTDocuments
import HNTTGateway
import HNTTService
import HNTTTransport

struct ServeCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "The service: HTTP API and web page for the rooms; SIGTERM or SIGINT ends it cleanly.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "HOST:PORT to listen on.") var listen = "127.0.0.1:8080"
    @Option(help: "TLS certificate chain (PEM).") var tlsCert: String?
    @Option(help: "TLS private key (PEM).") var tlsKey: String?
    @Flag(help: "Plain HTTP on a non-loopback address (passwords cross the network in clear; the page warns).")
    var insecureHTTP = false
    @Option(help: "Seconds between two status reads of each device.") var refresh: Double = 10

    func options() throws -> ServiceOptions {
        var options = ServiceOptions()
        (options.host, options.port) = try listenAddress(listen)
        options.tlsCertificate = tlsCert
        options.tlsKey = tlsKey
        options.insecureHTTP = insecureHTTP
        options.refreshEvery = max(1, refresh)
        try options.validate()
        return options
    }

    func execute() async throws {
        let options = try options()
        let gateway = Gateway(inventory: global.inventory, data: global.data, keepingConnections: true)
        _ = try gateway.inventory()
        try await runService(gateway: gateway, options: options) { url in
            FileHandle.standardError.write(Data("listening on \(url)\n".utf8))
        }
    }
}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Accounts of the service (hntt serve).",
        subcommands: [UserAddCommand.self, UserListCommand.self, UserRemoveCommand.self, UserPasswdCommand.self])
}

/// The first line of standard input, read off the cooperative pool.
func passwordFromStandardInput(_ given: Bool, usage: String) async throws -> SecretText {
    guard given else {
        throw HNTTError(
            .badInput, "the password must come from standard input", fix: "pipe it: `printf '%s' \"$PW\" | \(usage)`")
    }
    var line = try await onOwnThread { readLine(strippingNewline: true) ?? "" }
    if line.hasSuffix("\r") { line.removeLast() }
    return SecretText(line)
}

struct UserAddCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add an account.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The login name.") var name: String
    @Option(help: "technician, approver, viewer or admin.") var role: String
    @Option(help: "The unit whose rooms a technician operates (as the inventory names it).") var unit: String?
    @Flag(help: "Read the password from standard input (its first line).") var passwordStdin = false

    func validate() throws {
        guard Role(rawValue: role) != nil else {
            throw ValidationError("--role must be one of: " + Role.allCases.map(\.rawValue).joined(separator: ", "))
        }
    }

    func execute() async throws {
        let password = try await passwordFromStandardInput(
            passwordStdin, usage: "hntt user add \(name) --role \(role) --password-stdin")
        let account = try await global.gateway.addUser(
            name, role: Role(rawValue: role) ?? .viewer, unit: unit, password: password, by: global.caller)
        global.output.result(account.json, human: "user \(account.name) added (\(account.role.rawValue))")
    }
}

struct UserListCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "The accounts (never passwords).")
    @OptionGroup var global: GlobalOptions

    func execute() async throws {
        let users = try await global.gateway.users()
        global.output.result(
            .object([("users", .array(users.map(\.json)))]),
            human: users.isEmpty ? "no accounts" : users.map(\.line).joined(separator: "\n"))
    }
}

struct UserRemoveCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove an account.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The login name.") var name: String

    func execute() async throws {
        try await global.gateway.removeUser(name, by: global.caller)
        global.output.result(.object([("removed", .string(name))]), human: "user \(name) removed")
    }
}

struct UserPasswdCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "passwd", abstract: "Set an account's password (from standard input).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The login name.") var name: String
    @Flag(help: "Read the password from standard input (its first line).") var passwordStdin = false

    func execute() async throws {
        let password = try await passwordFromStandardInput(
            passwordStdin, usage: "hntt user passwd \(name) --password-stdin")
        try await global.gateway.setPassword(name, password: password, by: global.caller)
        global.output.result(
            .object([("name", .string(name)), ("changed", .bool(true))]), human: "password of \(name) changed")
    }
}
