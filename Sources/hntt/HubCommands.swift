import ArgumentParser
import Foundation
import HNTTCore
import HNTTDocuments
import HNTTGateway
import HNTTGovernance
import HNTTHub
import HNTTService
import HNTTTransport

struct HubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hub", abstract: "The province hub on PostgreSQL, and this gateway's link to it.",
        subcommands: [
            HubServeCommand.self, HubEnrollCommand.self, HubStatusCommand.self, HubPublishCommand.self,
            HubJoinCommand.self, HubUserCommand.self, HubReportCommand.self,
        ])
}

/// `--database`, else `$HNTT_HUB_DATABASE`.
struct HubDatabaseOption: ParsableArguments {
    @Option(help: "postgres://USER@HOST:PORT/DATABASE (default $HNTT_HUB_DATABASE).") var database: String?

    func url() throws -> String {
        if let database, !database.isEmpty { return database }
        if let environment = ProcessInfo.processInfo.environment["HNTT_HUB_DATABASE"], !environment.isEmpty {
            return environment
        }
        throw HNTTError(
            .badInput, "the hub needs its database", fix: "pass --database postgres://… or set $HNTT_HUB_DATABASE")
    }

    /// The ledger on a migrated database, closed after `body`.
    func withLedger<T>(_ body: (HubLedger) async throws -> T) async throws -> T {
        try await withDatabase { try await body(HubLedger(database: $0)) }
    }

    /// The migrated database, closed after `body`.
    func withDatabase<T>(_ body: (HubDatabase) async throws -> T) async throws -> T {
        let database = try HubDatabase(url: try url())
        do {
            try await database.migrate()
            let result = try await body(database)
            await database.stop()
            return result
        } catch {
            await database.stop()
            throw error
        }
    }
}

struct HubServeCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the hub: gateways push their segments to it; SIGTERM ends it.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var database: HubDatabaseOption
    @Option(help: "HOST:PORT to listen on.") var listen = "127.0.0.1:8090"

    func execute() async throws {
        let (host, port) = try listenAddress(listen)
        try await runHub(database: try database.url(), host: host, port: port) { url in
            FileHandle.standardError.write(Data("listening on \(url)\n".utf8))
        }
    }
}

struct HubEnrollCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll", abstract: "Enrol a gateway: writes the file its `hntt hub join` reads (keep it secret).")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var database: HubDatabaseOption
    @Argument(help: "The gateway's id at the hub, e.g. xa-trieu-son.") var gateway: String
    @Option(help: "The hub's URL as the gateway reaches it.") var url: String
    @Option(help: "The enrolment file to write.") var out: String

    func execute() async throws {
        let enrolment = try await database.withLedger { try await $0.enrol(gateway: gateway, hubURL: url) }
        let data = try JSONEncoder().encode(enrolment)
        let path = out
        try await onOwnThread {
            guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600])
            else { throw HNTTError(.badInput, "cannot write \(path)", fix: "pick a writable path") }
        }
        global.output.result(
            .object([("gateway", .string(gateway)), ("file", .string(out))]),
            human: "gateway \(gateway) enrolled; give \(out) to its technician for `hntt hub join` (it works once)")
    }
}

struct HubStatusCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Every gateway at the hub: last sync and the state of its chain.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var database: HubDatabaseOption

    func execute() async throws {
        let gateways = try await database.withLedger { try await $0.gateways() }
        global.output.result(
            .object([("gateways", .array(gateways.map(\.json)))]),
            human: gateways.map(\.line).joined(separator: "\n").ifEmpty("no gateway is enrolled"))
    }
}

struct HubPublishCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract:
            "Publish a signed baseline or change order for a gateway to pull (it verifies the signature itself).")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var database: HubDatabaseOption
    @Argument(help: "The signed baseline or change order file.") var file: String
    @Option(help: "The gateway it is for.") var gateway: String

    func execute() async throws {
        let path = file
        let text = try await onOwnThread { () throws -> String in
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
            else { throw HNTTError(.badInput, "cannot read \(path)", fix: "pass the signed file") }
            return text
        }
        let id = try await database.withLedger { try await $0.publish(text, for: gateway) }
        global.output.result(
            .object([("publication", .number(Int(id))), ("gateway", .string(gateway))]),
            human: "published as \(id) for \(gateway); its next `hntt sync` takes it and verifies it")
    }
}

struct HubJoinCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "join", abstract: "Join the hub named in an enrolment file: registers this gateway's own key.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The enrolment file from `hntt hub enroll`.") var file: String

    func execute() async throws {
        let path = file
        let enrolment = try await onOwnThread { () throws -> Enrolment in
            guard let data = FileManager.default.contents(atPath: path),
                let enrolment = try? JSONDecoder().decode(Enrolment.self, from: data)
            else {
                throw HNTTError(
                    .badFile, "\(path) is not an enrolment file", fix: "use the file `hntt hub enroll` wrote")
            }
            return enrolment
        }
        let link = try await global.gateway.joinHub(enrolment, by: global.caller)
        global.output.result(
            .object([("gateway", .string(link.gateway)), ("hub", .string(link.url))]),
            human: "joined the hub at \(link.url) as \(link.gateway); `hntt sync` pushes the records")
    }
}

struct SyncCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Push what the hub has not yet received (exit 5: hub unreachable, nothing lost)."
    )
    @OptionGroup var global: GlobalOptions

    func execute() async throws {
        let outcome = try await global.gateway.syncHub()
        for pulled in outcome.pulled {
            if let refused = pulled.refused {
                global.output.note("publication \(pulled.publication) from the hub refused: \(refused)")
            } else {
                global.output.note(
                    "publication \(pulled.publication) from the hub: \(pulled.applied.joined(separator: ", "))")
            }
        }
        global.output.result(
            outcome.json,
            human: "\(outcome.sent) sent, the hub holds \(outcome.delivered) of \(outcome.written) entries")
    }
}

struct HubUserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "The hub's accounts (viewer, approver, admin).",
        subcommands: [HubUserAddCommand.self, HubUserListCommand.self])
}

struct HubUserAddCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add an account of the hub, or replace its role and password.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var database: HubDatabaseOption
    @Argument(help: "The login name.") var name: String
    @Option(help: "viewer, approver or admin.") var role: String
    @Flag(help: "Read the password from standard input (its first line).") var passwordStdin = false

    func validate() throws {
        guard let role = Role(rawValue: role), HubAccounts.roles.contains(role) else {
            throw ValidationError(
                "--role must be one of: " + HubAccounts.roles.map(\.rawValue).joined(separator: ", "))
        }
    }

    func execute() async throws {
        let password = try await passwordFromStandardInput(
            passwordStdin, usage: "hntt hub user add \(name) --role \(role) --password-stdin")
        let role = Role(rawValue: role) ?? .viewer
        try await database.withDatabase {
            try await HubAccounts(database: $0).add(name, role: role, password: password)
        }
        global.output.result(
            .object([("name", .string(name)), ("role", .string(role.rawValue))]),
            human: "hub account \(name) added (\(role.rawValue))")
    }
}

struct HubUserListCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "The hub's accounts.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var database: HubDatabaseOption

    func execute() async throws {
        let users = try await database.withDatabase { try await HubAccounts(database: $0).users() }
        global.output.result(
            .object([("users", .array(users.map(\.json)))]),
            human: users.isEmpty ? "no accounts" : users.map(\.line).joined(separator: "\n"))
    }
}

struct HubReportCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "The province's yearly report: each gateway's figures as its own report gives them, and the total.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var database: HubDatabaseOption
    @Option(help: "The year.") var year = Calendar.current.component(.year, from: Date())

    func execute() async throws {
        let year = self.year
        let report = try await database.withDatabase { try await ProvinceViews(database: $0).report(year: year) }
        let lines = (report.units + [("total", report.total)]).map { unit, figures in
            TextSafety.line(
                "\(unit)  \(figures.totalSessions) sessions (\(figures.assessment.officialSessions) official)"
                    + "  \(figures.incidents) incidents, \(figures.incidentsFixed) fixed")
        }
        global.output.result(report.json, human: lines.joined(separator: "\n"))
    }
}

/// `HOST:PORT` (IPv6 in brackets).
func listenAddress(_ listen: String) throws -> (String, Int) {
    guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
        (0...65535).contains(port)
    else {
        throw HNTTError(.badInput, "--listen \(listen) is not HOST:PORT", fix: "for example --listen 127.0.0.1:8080")
    }
    return (String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port)
}
