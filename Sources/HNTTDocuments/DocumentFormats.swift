import Foundation
import HNTTCore
import HNTTGateway
import HNTTGovernance

/// The formats a document is written in; one choice for the CLI, the API and the page.
public enum DocumentFormat: String, Sendable, CaseIterable {
    case html, csv, json, docx, pdf

    public var contentType: String {
        switch self {
        case .html: return "text/html; charset=utf-8"
        case .csv: return "text/csv; charset=utf-8"
        case .json: return "application/json"
        case .docx: return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case .pdf: return "application/pdf"
        }
    }

    /// `html`, or an error naming the formats `allowed`.
    public static func parse(_ text: String, allowed: [DocumentFormat]) throws -> DocumentFormat {
        guard let format = DocumentFormat(rawValue: text.lowercased()), allowed.contains(format) else {
            let names = allowed.map(\.rawValue).joined(separator: ", ")
            throw HNTTError(
                .badInput, "format \"\(text)\" is not one of \(names)", fix: "pass --format with one of: \(names)")
        }
        return format
    }

    public static let report: [DocumentFormat] = [.html, .csv, .json, .docx, .pdf]
    public static let logbook: [DocumentFormat] = [.html, .csv, .docx, .pdf]
}

/// A document's bytes and what they are.
public struct RenderedDocument: Sendable {
    public let data: Data
    public let format: DocumentFormat
    /// `bao-cao-2026.docx`: a name for a download.
    public let filename: String
}

/// Turns the gateway's records into the document a person files: the one path every interface takes.
public enum Documents {
    public static func report(
        _ report: YearlyReport, organisation: Organisation, issue: DocumentIssue, format: DocumentFormat
    ) async throws -> RenderedDocument {
        let name = "bao-cao-\(report.year).\(format.rawValue)"
        switch format {
        case .json:
            var json = report.json
            let notes = issue.notes.trimmingCharacters(in: .whitespacesAndNewlines)
            if case .object(var fields) = json, !notes.isEmpty {
                fields.append(("notes", .string(notes)))
                json = .object(fields)
            }
            return RenderedDocument(data: Data((json.text + "\n").utf8), format: format, filename: name)
        case .csv: return RenderedDocument(data: Data(report.csv.utf8), format: format, filename: name)
        default:
            let document = report.document(organisation, issue: issue)
            return RenderedDocument(
                data: try await render(document, format, issue.date), format: format, filename: name)
        }
    }

    public static func logbook(
        _ entries: [LogbookEntry], room: Room, from: String, to: String, organisation: Organisation,
        issue: DocumentIssue, format: DocumentFormat
    ) async throws -> RenderedDocument {
        let rows = LogbookDocument.rows(entries)
        let name = "so-nhat-ky-\(room.id).\(format.rawValue)"
        if format == .csv {
            return RenderedDocument(data: Data(LogbookDocument.csv(rows).utf8), format: format, filename: name)
        }
        let document = LogbookDocument.document(organisation, room: room, from: from, to: to, rows: rows, issue: issue)
        return RenderedDocument(data: try await render(document, format, issue.date), format: format, filename: name)
    }

    static func render(_ document: OfficialDocument, _ format: DocumentFormat, _ date: Date) async throws -> Data {
        switch format {
        case .docx: return try DocumentDOCX.render(document, created: date)
        case .pdf: return try await DocumentPDF.render(DocumentHTML.render(document))
        default: return Data(DocumentHTML.render(document).utf8)
        }
    }
}
