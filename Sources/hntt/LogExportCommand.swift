import ArgumentParser
import Foundation
import HNTTCore
import HNTTDocuments
import HNTTGateway
import HNTTGovernance

struct LogExportCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "The logbook of a room as an official document (HTML, DOCX, PDF) or CSV.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The room id.") var room: String
    @Option(help: "From (YYYY-MM-DD).") var from: String = "0000-01-01"
    @Option(help: "To (YYYY-MM-DD).") var to: String = "9999-12-31"
    @Option(help: "html, docx, pdf or csv.") var format = "html"
    @Option(help: "The document's number in the office's register (left blank to fill in).") var number: Int?
    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.") var output: String?

    func validate() throws {
        guard DocumentFormat(rawValue: format).map(DocumentFormat.logbook.contains) == true else {
            throw ValidationError(
                "--format must be one of: \(DocumentFormat.logbook.map(\.rawValue).joined(separator: ", "))")
        }
        if let number, number < 1 { throw ValidationError("--number must be 1 or more") }
    }

    func execute() async throws {
        let gateway = global.gateway
        let inventory = try gateway.inventory()
        let room = try inventory.room(self.room)
        let entries = try await gateway.logEntries(room: room.id, from: from, to: to)
        let document = try await Documents.logbook(
            entries, room: room, from: from, to: to, organisation: inventory.organisation,
            issue: DocumentIssue(number: number, date: gateway.now()),
            format: try DocumentFormat.parse(format, allowed: DocumentFormat.logbook))
        try await DocumentFiles.deliver(document, to: output)
        if let output { global.output.note("logbook of \(room.id) written to \(output)") }
    }
}
