import Foundation

/// An ``OfficialDocument`` as a printable HTML page: A4 with the decree's margins (top and bottom
/// 20 mm, left 30 mm, right 15 mm), Times New Roman 14 pt, page numbers centred in the top margin from
/// the second page. Every text is escaped.
public enum DocumentHTML {
    public static func render(_ document: OfficialDocument) -> String {
        let e = Escape.html
        var html = """
            <!DOCTYPE html>
            <html lang="vi"><head><meta charset="utf-8"><title>\(e(document.documentTitle))</title>
            <style>\(style(landscape: document.landscape))</style></head><body>
            <table class="head"><tr><td class="left">
            """
        if !document.parentBody.isEmpty { html += "<div>\(e(document.parentBody.uppercased()))</div>" }
        html += """
            <div class="bold">\(e(document.issuer.uppercased()))</div><div class="rule short"></div></td>
            <td class="right"><div class="bold nation">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</div>
            <div class="bold motto"><span>Độc lập - Tự do - Hạnh phúc</span></div></td></tr>
            <tr><td class="number">\(e(document.number))</td>
            <td class="date"><i>\(e(document.placeAndDate))</i></td></tr>
            </table>
            <div class="kind">\(e(document.kind))</div><div class="title">\(e(document.title))</div>
            <div class="rule short"></div>
            """
        if !document.subtitle.isEmpty { html += "<div class=\"subtitle\">\(e(document.subtitle))</div>" }
        if !document.addressee.isEmpty { html += "<div class=\"addressee\">\(e(document.addressee))</div>" }
        for block in document.body { html += render(block) }
        html += "<table class=\"foot\"><tr><td class=\"recipients\">"
        if !document.recipients.isEmpty {
            html += "<div class=\"label\">Nơi nhận:</div>"
            for (index, recipient) in document.recipients.enumerated() {
                let end = index == document.recipients.count - 1 ? "." : ";"
                html += "<div>- \(e(recipient))\(end)</div>"
            }
        }
        html += "</td>"
        for signature in document.signatures {
            html += "<td class=\"signature\">"
            html += signature.lines.map { "<div class=\"bold\">\(e($0))</div>" }.joined()
            if !signature.hint.isEmpty { html += "<div><i>\(e(signature.hint))</i></div>" }
            html += "<div class=\"space\"></div><div class=\"bold\">\(e(signature.name))</div></td>"
        }
        return html + "</tr></table>\n</body></html>\n"
    }

    static func render(_ block: OfficialDocument.Block) -> String {
        let e = Escape.html
        switch block {
        case .heading(let text): return "<h2>\(e(text))</h2>\n"
        case .paragraph(let text):
            return text.split(separator: "\n", omittingEmptySubsequences: true).map {
                "<p>\(e(String($0)))</p>\n"
            }.joined()
        case .note(let text): return "<p class=\"note\">\(e(text))</p>\n"
        case .table(let table):
            let total = table.widths.reduce(0, +)
            var html = "<table class=\"grid\"><colgroup>"
            html += table.widths.map { String(format: "<col style=\"width:%.1f%%\">", $0 / total * 100) }.joined()
            html +=
                "</colgroup><thead><tr>" + table.columns.map { "<th>\(e($0))</th>" }.joined() + "</tr></thead><tbody>"
            if table.rows.isEmpty {
                html += "<tr><td colspan=\"\(table.columns.count)\">\(e(table.emptyText))</td></tr>"
            }
            for row in table.rows { html += "<tr>" + row.map { "<td>\(e($0))</td>" }.joined() + "</tr>" }
            for row in table.footer { html += "<tr>" + row.map { "<th>\(e($0))</th>" }.joined() + "</tr>" }
            return html + "</tbody></table>\n"
        }
    }

    static func style(landscape: Bool) -> String {
        """
        @page { size: A4\(landscape ? " landscape" : ""); margin: 20mm 15mm 20mm 30mm;
          @top-center { content: counter(page); font-family: "Times New Roman", serif; font-size: 13pt; } }
        @page :first { @top-center { content: none; } }
        body { font-family: "Times New Roman", "Liberation Serif", "DejaVu Serif", serif; font-size: 14pt;
          color: #000; line-height: 1.3; }
        @media screen { body { max-width: \(landscape ? "267mm" : "165mm"); margin: 24px auto; padding: 0 12px; } }
        .bold { font-weight: bold; }
        table.head, table.foot { width: 100%; border-collapse: collapse; }
        table.head td { text-align: center; vertical-align: top; padding: 0; font-size: 13pt; }
        table.head td.left { width: 40%; } table.head td.right { width: 60%; }
        .motto { font-size: 14pt; } .motto span { border-bottom: 1px solid #000; padding-bottom: 1px; }
        .rule.short { width: 35%; margin: 3px auto 0; border-top: 1px solid #000; }
        td.number, td.date { padding-top: 8px !important; font-size: 13pt; } td.number { white-space: pre; } td.date { font-size: 14pt; }
        .kind { text-align: center; font-weight: bold; margin-top: 18px; }
        .title { text-align: center; font-weight: bold; }
        .subtitle, .addressee { text-align: center; margin-top: 8px; } .subtitle { font-style: italic; }
        h2 { font-size: 14pt; margin: 12px 0 6px; break-after: avoid; page-break-after: avoid; }
        p { text-align: justify; text-indent: 1.27cm; margin: 0 0 6pt; }
        p.note { font-size: 11pt; text-indent: 0; margin-top: 10px; }
        table.grid { width: 100%; border-collapse: collapse; font-size: 12pt; margin: 4px 0 8px; }
        table.grid th, table.grid td { border: 1px solid #000; padding: 3px 5px; vertical-align: top;
          text-align: left; }
        table.grid th { background: #f0f0f0; } table.grid thead { display: table-header-group; }
        table.foot { margin-top: 18px; page-break-inside: avoid; }
        table.foot td { vertical-align: top; }
        td.recipients { width: 45%; font-size: 11pt; }
        td.recipients .label { font-size: 12pt; font-weight: bold; font-style: italic; }
        td.signature { text-align: center; }
        .space { height: 80px; }
        """
    }
}
