import Foundation
import HNTTCore
import HNTTDocuments
import HNTTGateway
import HNTTGovernance
import Testing

@Suite("Documents: one escaping path for HTML and CSV")
struct DocumentEscapingTests {
    static let hostile = "<script>alert(\"x\")</script> & 'Ủy ban', =cmd|' /C calc'!A0"

    @Test("HTML escaping turns every markup character into an entity")
    func html() {
        let escaped = Escape.html(DocumentEscapingTests.hostile)
        #expect(!escaped.contains("<") && !escaped.contains(">") && !escaped.contains("\"") && !escaped.contains("'"))
        #expect(escaped.contains("&lt;script&gt;") && escaped.contains("&amp;") && escaped.contains("Ủy ban"))
    }

    @Test("CSV fields are quoted, quotes doubled, a formula defused")
    func csv() {
        #expect(Escape.csv("a,b") == "\"a,b\"")
        #expect(Escape.csv("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(Escape.csv("=1+1") == "\"'=1+1\"")
        #expect(Escape.csvLine(["x", "y\nz"]) == "\"x\",\"y\nz\"")
    }

    @Test("the yearly report inserts organiser, site and device names escaped, in HTML and in CSV")
    func yearlyReport() {
        var report = YearlyReport(year: 2026)
        report.sessions = [(type: "official", organizer: DocumentEscapingTests.hostile, count: 2, hours: 3)]
        report.driftEvents = [(device: "<b>codec</b>", count: 1)]
        let html = DocumentHTML.render(
            report.document(Organisation(name: "UBND <xã> \"A\""), issue: DocumentIssue(date: Date())))
        #expect(!html.contains("<script>") && !html.contains("<b>codec</b>") && !html.contains("<xã>"))
        #expect(html.contains("&lt;script&gt;") && html.contains("&lt;b&gt;codec&lt;/b&gt;"))
        let lines = report.csv.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[1].hasPrefix("\"Phiên\",\"Chính thức\",\"<script>alert(\"\"x\"\")</script>"))
        #expect(lines.allSatisfy { $0.isEmpty || $0.hasPrefix("\"") })
        #expect(report.json.text.contains("\\\"x\\\""))
    }
}
