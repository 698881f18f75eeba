import ArgumentParser
import Foundation
import HNTTCore
import HNTTDocuments
import HNTTGateway
import HNTTGovernance

struct ReportCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "The yearly effectiveness report (Điều 5.8).")
    @OptionGroup var global: GlobalOptions
    @Option(help: "The year.") var year: Int
    @Option(help: "html, csv or json.") var format = "html"
    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.") var output: String?

    func execute() async throws {
        let context = global.context()
        let database = try context.database()
        let inventory = try context.inventory()
        let drift = try inventory.devices.flatMap { device in
            try DriftChecker(database: database).history(device: device.id, limit: 100_000).map { (device.id, $0.status, $0.checkedAt) }
        }
        let report = YearlyReport.build(year: year, logbook: try Logbook(database: database).list(), drift: drift,
                                        audit: try AuditLog(database: database).list(limit: 1_000_000))
        let text: String
        switch global.json ? "json" : format {
        case "html": text = report.html(site: inventory.site)
        case "csv": text = report.csv
        case "json": text = report.json.text + "\n"
        default: throw HNTTError(.badInput, "format \(format) is not html, csv or json", fix: "pass --format html, csv or json")
        }
        if let output {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output))
            global.output.note("report for \(year) written to \(output)")
        } else {
            print(text, terminator: "")
        }
    }
}
