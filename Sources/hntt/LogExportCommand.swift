import ArgumentParser
import Foundation
import HNTTCore
import HNTTDocuments
import HNTTGovernance

struct LogExportCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "The logbook of a room as a printable document (HTML) or CSV.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The room id.") var room: String
    @Option(help: "From (YYYY-MM-DD).") var from: String = "0000-01-01"
    @Option(help: "To (YYYY-MM-DD).") var to: String = "9999-12-31"
    @Option(help: "html or csv.") var format = "html"
    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.") var output: String?

    func execute() async throws {
        let inventory = try global.gateway.inventory()
        let room = try inventory.room(self.room)
        let rows = LogbookDocument.rows(try await global.gateway.logEntries(room: room.id, from: from, to: to))
        let text: String
        switch format {
        case "html": text = LogbookDocument.html(site: inventory.site, room: room, from: from, to: to, rows: rows)
        case "csv": text = LogbookDocument.csv(rows)
        default:
            throw HNTTError(.badInput, "format \(format) is not html or csv", fix: "pass --format html or --format csv")
        }
        if let output {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output))
            global.output.note("logbook of \(room.id) written to \(output) (\(rows.count) rows)")
        } else {
            print(text, terminator: "")
        }
    }
}
