import ArgumentParser
import Foundation
import HNTTCore
import HNTTDocuments
import HNTTGateway
import HNTTGovernance
import HNTTTransport

struct LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log", abstract: "The rooms' logbook (sổ ghi biên bản, Điều 4).",
        subcommands: [
            LogListCommand.self, LogShowCommand.self, LogAddIncidentCommand.self, LogFixCommand.self,
            LogSignCommand.self,
            LogCorrectCommand.self, LogVerifyCommand.self, LogExportCommand.self,
        ])
}

struct LogListCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Logbook entries.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this room.") var room: String?
    @Option(help: "From this date (YYYY-MM-DD).") var from: String?
    @Option(help: "To this date (YYYY-MM-DD).") var to: String?

    func execute() async throws {
        let entries = try await global.gateway.logEntries(room: room, from: from, to: to)
        global.output.result(
            .object([("entries", .array(entries.map(\.json)))]),
            human: entries.isEmpty ? "the logbook is empty" : entries.map(\.line).joined(separator: "\n"))
    }
}

struct LogShowCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "One logbook entry, with what refers to it.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The entry id.") var entry: Int64

    func execute() async throws {
        let (shown, related) = try await global.gateway.logEntry(entry)
        global.output.result(
            .object([("entry", shown.json), ("related", .array(related.map(\.json)))]),
            human: ([shown.line]
                + shown.payload.keys.sorted().map { "  \($0): \(TextSafety.line(shown.payload[$0] ?? ""))" }
                + related.map { "  " + $0.line }).joined(separator: "\n"))
    }
}

struct LogAddIncidentCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-incident", abstract: "Write a fault and how it was fixed.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The room id.") var room: String
    @Option(help: "What happened.") var what: String
    @Option(help: "How it was fixed (leave out while it is open; write it later with `hntt log fix`).") var fix = ""
    @Option(help: "network, audio, video, device, procedure or other.") var kind = "other"
    @Option(help: "When the fault began (YYYY-MM-DD HH:MM local time, HH:MM today, or ISO 8601; default now).")
    var began: String?
    @Option(help: "When it was fixed (same forms; default now when --fix is given).") var fixed: String?
    @Option(help: "The session entry it belongs to.") var session: Int64?

    func execute() async throws {
        guard let incidentKind = IncidentKind(rawValue: kind) else {
            throw HNTTError(
                .badInput, "incident kind \(kind) is not known",
                fix: "pass --kind " + IncidentKind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let report = IncidentReport(
            room: room, what: what, fix: fix, kind: incidentKind,
            began: try began.map { try parseOperatorTime($0, option: "--began") },
            fixed: try fixed.map { try parseOperatorTime($0, option: "--fixed") }, session: session)
        let entry = try await global.gateway.addIncident(report, by: global.caller)
        global.output.result(
            entry.json,
            human: "logbook entry \(entry.id) written"
                + (fix.isEmpty ? " (open: write the fix with `hntt log fix \(entry.id)`)" : ""))
    }
}

struct LogFixCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "fix", abstract: "Write how an open incident was fixed, and when.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The incident's entry id.") var entry: Int64
    @Option(help: "How it was fixed.") var fix: String
    @Option(help: "When (YYYY-MM-DD HH:MM local time, HH:MM today, or ISO 8601; default now).") var at: String?

    func execute() async throws {
        let written = try await global.gateway.fixIncident(
            entry, fix: fix, at: try at.map { try parseOperatorTime($0, option: "--at") },
            by: global.caller)
        global.output.result(written.json, human: "incident \(entry) fixed (entry \(written.id))")
    }
}

struct LogSignCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign", abstract: "The technician's sign-off (ký xác nhận) of an entry.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The entry id.") var entry: Int64
    @Option(help: "Who signs.") var by: String

    func execute() async throws {
        let signature = try await global.gateway.signEntry(entry, signer: by, by: global.caller)
        global.output.result(signature.json, human: "entry \(entry) signed by \(by) (entry \(signature.id))")
    }
}

struct LogCorrectCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "correct",
        abstract: "Correct an entry: entries are never edited, a correction is a new entry pointing at the old one.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The entry id.") var entry: Int64
    @Option(help: "The correction.") var text: String

    func execute() async throws {
        let correction = try await global.gateway.correctEntry(entry, text: text, by: global.caller)
        global.output.result(correction.json, human: "entry \(entry) corrected (entry \(correction.id))")
    }
}

struct LogVerifyCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the logbook's hash chain; names the first edited, deleted or reordered entry (exit 1).")
    @OptionGroup var global: GlobalOptions

    func execute() async throws {
        let (problem, count) = try await global.gateway.verifyLogbook()
        if let broken = problem {
            global.output.result(
                .object([("intact", .bool(false)), ("problem", .string(broken))]), human: "logbook BROKEN: \(broken)")
            throw ExitCode(1)
        }
        global.output.result(
            .object([("intact", .bool(true)), ("entries", .number(count))]), human: "logbook intact (\(count) entries)")
    }
}
