import ArgumentParser
import Foundation
import HNTTCore
import HNTTDocuments
import HNTTGateway
import HNTTGovernance

struct ReportCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "The yearly effectiveness report (Điều 5.8).")
    @OptionGroup var global: GlobalOptions
    @Option(help: "The year.") var year: Int
    @Option(help: "html, csv or json.") var format = "html"
    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.") var output: String?

    func execute() async throws {
        let report = try await global.gateway.yearlyReport(year)
        let site = try global.gateway.inventory().site
        let text: String
        switch global.json ? "json" : format {
        case "html": text = report.html(site: site)
        case "csv": text = report.csv
        case "json": text = report.json.text + "\n"
        default:
            throw HNTTError(
                .badInput, "format \(format) is not html, csv or json", fix: "pass --format html, csv or json")
        }
        if let output {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output))
            global.output.note("report for \(year) written to \(output)")
        } else {
            print(text, terminator: "")
        }
    }
}
