import Foundation
import HNTTCore
import HNTTDocuments
import HNTTGateway
import Hummingbird

/// The yearly report (Điều 5.8): a form for the office's number and its opinions, recommendations and
/// proposals, and the document in the format chosen.
extension WebRoutes {
    struct ReportPage {
        let year: Int
        let authority: String
        let formats: [FormatChoice]
    }

    struct FormatChoice {
        let value: String
        let name: String
    }

    func registerReport(_ on: WebRegister) {
        on(.get, "/report") { request, context in
            _ = try context.caller(may: .read, state: state)
            let year =
                try request.query("year", integerIn: 2000...2999)
                ?? Calendar.current.component(.year, from: gateway.now())
            if let format = request.query("format") {
                return try await DocumentReplies.report(
                    gateway, year: year, issue: DocumentIssue(date: gateway.now()), format: format)
            }
            var page = try page("Báo cáo năm", context)
            page.report = ReportPage(
                year: year, authority: try gateway.inventory().organisation.authority,
                formats: [
                    FormatChoice(value: "docx", name: "Word (DOCX)"),
                    FormatChoice(value: "html", name: "Bản in (HTML)"),
                    FormatChoice(value: "pdf", name: "PDF"),
                ])
            return Reply.html(state.pages.render("report", page))
        }
        on(.post, "/report") { request, context in
            let form = try await checkForm(request, context, ReportForm.self)
            _ = try context.caller(may: .read, state: state)
            guard (2000...2999).contains(form.year) else {
                throw ServiceError.badRequest("year \(form.year) is not a year of the report", fix: "write e.g. 2026")
            }
            let numberText = (form.number ?? "").trimmingCharacters(in: .whitespaces)
            guard numberText.isEmpty || (Int(numberText) ?? 0) >= 1 else {
                throw ServiceError.badRequest(
                    "số \"\(numberText)\" is not a register number", fix: "write a number such as 12, or leave it empty"
                )
            }
            let issue = DocumentIssue(number: Int(numberText), notes: form.notes ?? "", date: gateway.now())
            return try await DocumentReplies.report(gateway, year: form.year, issue: issue, format: form.format)
        }
    }
}
