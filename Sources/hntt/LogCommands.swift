import ArgumentParser
import Foundation
import HNTTCore
import HNTTGovernance

struct LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "log", abstract: "The rooms' logbook (sổ ghi biên bản, Điều 4).",
        subcommands: [LogListCommand.self, LogShowCommand.self, LogAddIncidentCommand.self, LogSignCommand.self,
                      LogCorrectCommand.self, LogVerifyCommand.self, LogExportCommand.self])
}

func entryJSON(_ entry: LogbookEntry) -> JSONValue {
    .object([("id", .number(Int(entry.id))), ("at", .string(entry.at)), ("room", .string(entry.room)), ("kind", .string(entry.kind.rawValue)),
             ("refers_to", entry.refersTo.map { .number(Int($0)) } ?? .null),
             ("content", .object(entry.payload.keys.sorted().map { ($0, .string(entry.payload[$0] ?? "")) }))])
}

func entryLine(_ entry: LogbookEntry) -> String {
    let p = entry.payload
    let summary: String
    switch entry.kind {
    case .session:
        summary = "\(p["session_type"] == "official" ? "official session" : "test call") \(p["outcome"] ?? "")"
            + " organizer \(p["organizer"] ?? "-") chair \(p["chair_site"] ?? "-") operator \(p["operator"] ?? "-")"
            + (p["loss_percent"].map { " loss \($0) % jitter \(p["jitter_ms"] ?? "?") ms" } ?? "")
    case .incident: summary = "incident: \(p["what"] ?? "")" + ((p["fix"] ?? "").isEmpty ? "" : "; fix: \(p["fix"]!)")
    case .signature: summary = "signed by \(p["signed_by"] ?? "")"
    case .correction: summary = "correction: \(p["text"] ?? "")"
    }
    return "\(entry.id)  \(entry.at)  \(entry.room)  " + (entry.refersTo.map { "→\($0)  " } ?? "") + summary
}

struct LogListCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Logbook entries.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this room.") var room: String?
    @Option(help: "From this date (YYYY-MM-DD).") var from: String?
    @Option(help: "To this date (YYYY-MM-DD).") var to: String?

    func execute() async throws {
        let entries = try Logbook(database: try global.context().database()).list(room: room, from: from, to: to)
        global.output.result(.object([("entries", .array(entries.map(entryJSON)))]),
                             human: entries.isEmpty ? "the logbook is empty" : entries.map(entryLine).joined(separator: "\n"))
    }
}

struct LogShowCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "One logbook entry, with what refers to it.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The entry id.") var entry: Int64

    func execute() async throws {
        let logbook = Logbook(database: try global.context().database())
        let shown = try logbook.entry(entry)
        let related = try logbook.list(room: shown.room).filter { $0.refersTo == entry }
        global.output.result(.object([("entry", entryJSON(shown)), ("related", .array(related.map(entryJSON)))]),
                             human: ([entryLine(shown)] + shown.payload.keys.sorted().map { "  \($0): \(shown.payload[$0] ?? "")" }
                                     + related.map { "  " + entryLine($0) }).joined(separator: "\n"))
    }
}

struct LogAddIncidentCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "add-incident", abstract: "Write a fault and how it was fixed.")
    var audit: AuditRecord? { AuditRecord(device: room, action: "log add-incident", detail: what) }
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The room id.") var room: String
    @Option(help: "What happened.") var what: String
    @Option(help: "How it was fixed.") var fix = ""
    @Option(help: "The session entry it belongs to.") var session: Int64?

    func execute() async throws {
        _ = try global.context().inventory().room(room)
        let entry = try Logbook(database: try global.context().database()).append(room: room, kind: .incident, refersTo: session, payload: [
            "what": what, "fix": fix, "operator": global.auditOperator ?? "", "reported_at": timestamp(),
        ])
        global.output.result(entryJSON(entry), human: "logbook entry \(entry.id) written")
    }
}

struct LogSignCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "sign", abstract: "The technician's sign-off (ký xác nhận) of an entry.")
    var audit: AuditRecord? { AuditRecord(device: "*", action: "log sign", detail: "entry \(entry) by \(by)") }
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The entry id.") var entry: Int64
    @Option(help: "Who signs.") var by: String

    func execute() async throws {
        let logbook = Logbook(database: try global.context().database())
        let signed = try logbook.entry(entry)
        let signature = try logbook.append(room: signed.room, kind: .signature, refersTo: entry, payload: ["signed_by": by, "signed_at": timestamp()])
        global.output.result(entryJSON(signature), human: "entry \(entry) signed by \(by) (entry \(signature.id))")
    }
}

struct LogCorrectCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "correct",
        abstract: "Correct an entry: entries are never edited, a correction is a new entry pointing at the old one.")
    var audit: AuditRecord? { AuditRecord(device: "*", action: "log correct", detail: "entry \(entry)") }
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The entry id.") var entry: Int64
    @Option(help: "The correction.") var text: String

    func execute() async throws {
        let logbook = Logbook(database: try global.context().database())
        let corrected = try logbook.entry(entry)
        let correction = try logbook.append(room: corrected.room, kind: .correction, refersTo: entry,
                                            payload: ["text": text, "operator": global.auditOperator ?? ""])
        global.output.result(entryJSON(correction), human: "entry \(entry) corrected (entry \(correction.id))")
    }
}

struct LogVerifyCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "verify",
        abstract: "Check the logbook's hash chain; names the first edited, deleted or reordered entry (exit 1).")
    @OptionGroup var global: GlobalOptions

    func execute() async throws {
        let logbook = Logbook(database: try global.context().database())
        if let broken = try logbook.verify() {
            global.output.result(.object([("intact", .bool(false)), ("problem", .string(broken))]), human: "logbook BROKEN: \(broken)")
            throw ExitCode(1)
        }
        let count = try logbook.list().count
        global.output.result(.object([("intact", .bool(true)), ("entries", .number(count))]), human: "logbook intact (\(count) entries)")
    }
}
