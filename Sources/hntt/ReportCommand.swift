import ArgumentParser
import Foundation
import HNTTCore
import HNTTDocuments
import HNTTGateway
import HNTTGovernance
import HNTTTransport

struct ReportCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "The yearly effectiveness report (Điều 5.8).")
    @OptionGroup var global: GlobalOptions
    @Option(help: "The year.") var year: Int
    @Option(help: "html, docx, pdf, csv or json.") var format = "html"
    @Option(help: "The unit's opinions, recommendations and proposals (a plain-text file).") var notes: String?
    @Option(help: "The report's number in the office's register (left blank to fill in at issue).") var number: Int?
    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.") var output: String?

    func validate() throws {
        guard (2000...2999).contains(year) else { throw ValidationError("--year must be a year such as 2026") }
        if let number, number < 1 { throw ValidationError("--number must be 1 or more") }
        guard DocumentFormat(rawValue: global.json ? "json" : format).map(DocumentFormat.report.contains) == true else {
            throw ValidationError(
                "--format must be one of: \(DocumentFormat.report.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func execute() async throws {
        let format = try DocumentFormat.parse(global.json ? "json" : format, allowed: DocumentFormat.report)
        let gateway = global.gateway
        var notesText = ""
        if let notes { notesText = try await DocumentFiles.readNotes(notes) }
        let document = try await Documents.report(
            try await gateway.yearlyReport(year), organisation: try gateway.inventory().organisation,
            issue: DocumentIssue(number: number, notes: notesText, date: gateway.now()), format: format)
        try await DocumentFiles.deliver(document, to: output)
        if let output { global.output.note("report for \(year) written to \(output)") }
    }
}

/// Reading the notes and writing a document, off the cooperative pool.
enum DocumentFiles {
    static func readNotes(_ path: String) async throws -> String {
        try await onOwnThread {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw HNTTError(.badInput, "cannot read the notes file \(path)", fix: "pass an existing text file")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw HNTTError(.badInput, "the notes file \(path) is not UTF-8 text", fix: "save it as UTF-8 text")
            }
            return text
        }
    }

    /// To the file, or to standard output (binary formats only to a file or a pipe).
    static func deliver(_ document: RenderedDocument, to output: String?) async throws {
        try await onOwnThread {
            if let output {
                do {
                    try document.data.write(to: URL(fileURLWithPath: output), options: .atomic)
                } catch {
                    throw HNTTError(
                        .badInput, "cannot write \(output): \(error.localizedDescription)", fix: "pick a writable path")
                }
            } else {
                if [.docx, .pdf].contains(document.format), isatty(STDOUT_FILENO) == 1 {
                    throw HNTTError(
                        .badInput, "a \(document.format.rawValue) document is not for a terminal",
                        fix: "pass -o FILE.\(document.format.rawValue)")
                }
                FileHandle.standardOutput.write(document.data)
            }
        }
    }
}
