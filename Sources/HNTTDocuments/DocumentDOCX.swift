import Foundation
import ZIPFoundation

/// An ``OfficialDocument`` as a Word document (Office Open XML, ECMA-376): A4 with the decree's
/// margins, Times New Roman 14 pt, the header and the signature block in borderless tables, the page
/// number centred in the top margin from the second page (`titlePg`). Every text is XML-escaped.
public enum DocumentDOCX {
    public static func render(_ document: OfficialDocument, created: Date = Date()) throws -> Data {
        let page = Page(landscape: document.landscape)
        let parts: [(String, String)] = [
            ("[Content_Types].xml", contentTypes),
            ("_rels/.rels", packageRelationships),
            ("docProps/core.xml", core(title: document.documentTitle, created: created)),
            ("docProps/app.xml", app),
            ("word/_rels/document.xml.rels", documentRelationships),
            ("word/document.xml", body(document, page: page)),
            ("word/styles.xml", styles),
            ("word/settings.xml", settings),
            ("word/header1.xml", header(pageNumber: true)),
            ("word/header2.xml", header(pageNumber: false)),
        ]
        let archive = try Archive(data: Data(), accessMode: .create)
        // A fixed time in the entries: the same document gives the same bytes.
        let stamp = Date(timeIntervalSince1970: 1_577_836_800)
        for (path, text) in parts {
            let data = Data(text.utf8)
            try archive.addEntry(
                with: path, type: .file, uncompressedSize: Int64(data.count), modificationDate: stamp,
                compressionMethod: .deflate
            ) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        guard let data = archive.data else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "the DOCX archive is empty"])
        }
        return data
    }

    /// Twentieths of a point: A4 and the margins of Phụ lục I (top and bottom 20 mm, left 30 mm, right 15 mm).
    struct Page {
        let width: Int
        let height: Int
        let top = 1134, bottom = 1134, left = 1701, right = 851
        var text: Int { width - left - right }

        init(landscape: Bool) {
            (width, height) = landscape ? (16838, 11906) : (11906, 16838)
        }
    }

    // MARK: The body

    static func body(_ document: OfficialDocument, page: Page) -> String {
        var xml = ""
        let left = page.text * 2 / 5
        let right = page.text - left
        var leftCell = ""
        if !document.parentBody.isEmpty {
            leftCell += paragraph([run(document.parentBody.uppercased(), size: 26)], align: "center")
        }
        leftCell += paragraph([run(document.issuer.uppercased(), bold: true, size: 26)], align: "center")
        leftCell += rule(width: left, share: 0.35)
        let rightCell =
            paragraph([run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold: true, size: 26)], align: "center")
            + paragraph([run("Độc lập - Tự do - Hạnh phúc", bold: true, underline: true)], align: "center")
        xml += table(
            widths: [left, right], borders: false,
            rows: [
                [leftCell, rightCell],
                [
                    paragraph([run(document.number, size: 26)], align: "center", before: 120),
                    paragraph([run(document.placeAndDate, italic: true)], align: "center", before: 120),
                ],
            ])
        xml += paragraph([run(document.kind, bold: true)], align: "center", before: 360, keepNext: true)
        xml += paragraph([run(document.title, bold: true)], align: "center", keepNext: true)
        xml += rule(width: page.text, share: 0.3)
        if !document.subtitle.isEmpty {
            xml += paragraph([run(document.subtitle, italic: true)], align: "center", before: 120)
        }
        if !document.addressee.isEmpty { xml += paragraph([run(document.addressee)], align: "center", before: 120) }
        for block in document.body { xml += render(block, width: page.text) }
        xml += foot(document, width: page.text)
        let orient = page.width > page.height ? " w:orient=\"landscape\"" : ""
        xml += """
            <w:sectPr><w:headerReference w:type="default" r:id="rIdHeader1"/>\
            <w:headerReference w:type="first" r:id="rIdHeader2"/>\
            <w:pgSz w:w="\(page.width)" w:h="\(page.height)"\(orient)/>\
            <w:pgMar w:top="\(page.top)" w:right="\(page.right)" w:bottom="\(page.bottom)" w:left="\(page.left)" \
            w:header="567" w:footer="567" w:gutter="0"/><w:titlePg/></w:sectPr>
            """
        return """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <w:document xmlns:w="\(wordNamespace)" xmlns:r="\(relationshipNamespace)">\
            <w:body>\(xml)</w:body></w:document>
            """
    }

    static func render(_ block: OfficialDocument.Block, width: Int) -> String {
        switch block {
        case .heading(let text):
            return paragraph([run(text, bold: true)], align: "both", before: 120, after: 60, keepNext: true)
        case .paragraph(let text):
            return text.split(separator: "\n", omittingEmptySubsequences: true).map {
                paragraph([run(String($0))], align: "both", firstLine: 720, after: 120)
            }.joined()
        case .note(let text):
            return paragraph([run(text, size: 22)], align: "left", before: 200)
        case .table(let grid):
            let total = grid.widths.reduce(0, +)
            let widths = grid.widths.map { Int(Double(width) * $0 / total) }
            func cells(_ row: [String], bold: Bool) -> [String] {
                row.map { paragraph([run($0, bold: bold, size: 24)], align: "left") }
            }
            var rows = [cells(grid.columns, bold: true)]
            rows += grid.rows.map { cells($0, bold: false) }
            if grid.rows.isEmpty { rows.append([paragraph([run(grid.emptyText, size: 24)], align: "left")]) }
            rows += grid.footer.map { cells($0, bold: true) }
            return table(widths: widths, borders: true, rows: rows, header: true)
                + paragraph([], align: "left", after: 0)
        }
    }

    /// Nơi nhận on the left, the signature blocks to its right.
    static func foot(_ document: OfficialDocument, width: Int) -> String {
        var recipients = ""
        if !document.recipients.isEmpty {
            recipients += paragraph([run("Nơi nhận:", bold: true, italic: true, size: 24)], align: "left")
            for (index, recipient) in document.recipients.enumerated() {
                let end = index == document.recipients.count - 1 ? "." : ";"
                recipients += paragraph([run("- \(recipient)\(end)", size: 22)], align: "left")
            }
        } else {
            recipients = paragraph([], align: "left")
        }
        var cells = [recipients]
        for signature in document.signatures {
            var cell = signature.lines.map { paragraph([run($0, bold: true)], align: "center") }.joined()
            if !signature.hint.isEmpty { cell += paragraph([run(signature.hint, italic: true)], align: "center") }
            cell += paragraph([], align: "center", after: 1000)
            cell += paragraph([run(signature.name, bold: true)], align: "center")
            cells.append(cell)
        }
        let share = document.signatures.count > 1 ? 0.34 : 0.45
        let first = Int(Double(width) * share)
        let rest = document.signatures.isEmpty ? 0 : (width - first) / document.signatures.count
        let widths = [first] + Array(repeating: rest, count: document.signatures.count)
        return paragraph([], align: "left", after: 120)
            + table(widths: widths, borders: false, rows: [cells], keep: true)
            + paragraph([], align: "left")
    }

    // MARK: WordprocessingML pieces

    static func run(
        _ text: String, bold: Bool = false, italic: Bool = false, underline: Bool = false, size: Int? = nil
    ) -> String {
        var properties = ""
        if bold { properties += "<w:b/><w:bCs/>" }
        if italic { properties += "<w:i/><w:iCs/>" }
        // The schema's order (ECMA-376 §17.3.2.28): Word refuses a document whose elements are out of it.
        if let size { properties += "<w:sz w:val=\"\(size)\"/><w:szCs w:val=\"\(size)\"/>" }
        if underline { properties += "<w:u w:val=\"single\"/>" }
        let rPr = properties.isEmpty ? "" : "<w:rPr>\(properties)</w:rPr>"
        return "<w:r>\(rPr)<w:t xml:space=\"preserve\">\(Escape.xml(text))</w:t></w:r>"
    }

    static func paragraph(
        _ runs: [String], align: String, firstLine: Int = 0, before: Int = 0, after: Int = 0, keepNext: Bool = false,
        border: String = "", indent: Int = 0
    ) -> String {
        var properties = keepNext ? "<w:keepNext/>" : ""
        properties += border
        properties += "<w:spacing w:before=\"\(before)\" w:after=\"\(after)\"/>"
        if firstLine > 0 || indent > 0 {
            properties += "<w:ind w:left=\"\(indent)\" w:right=\"\(indent)\" w:firstLine=\"\(firstLine)\"/>"
        }
        properties += "<w:jc w:val=\"\(align)\"/>"
        return "<w:p><w:pPr>\(properties)</w:pPr>\(runs.joined())</w:p>"
    }

    /// A short centred line (the rule under the issuer and under the title): a paragraph's top border,
    /// `share` of `width` long.
    static func rule(width: Int, share: Double) -> String {
        let indent = Int(Double(width) * (1 - share) / 2)
        let border = "<w:pBdr><w:top w:val=\"single\" w:sz=\"6\" w:space=\"1\" w:color=\"000000\"/></w:pBdr>"
        return paragraph([run("", size: 4)], align: "center", border: border, indent: indent)
    }

    static func table(widths: [Int], borders: Bool, rows: [[String]], header: Bool = false, keep: Bool = false)
        -> String
    {
        let line = borders ? "single" : "nil"
        let sides = ["top", "left", "bottom", "right", "insideH", "insideV"].map {
            "<w:\($0) w:val=\"\(line)\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
        }.joined()
        var xml = "<w:tbl><w:tblPr><w:tblW w:w=\"\(widths.reduce(0, +))\" w:type=\"dxa\"/><w:jc w:val=\"center\"/>"
        xml += "<w:tblBorders>\(sides)</w:tblBorders><w:tblLayout w:type=\"fixed\"/>"
        xml += "<w:tblCellMar><w:left w:w=\"80\" w:type=\"dxa\"/><w:right w:w=\"80\" w:type=\"dxa\"/></w:tblCellMar>"
        xml += "</w:tblPr><w:tblGrid>" + widths.map { "<w:gridCol w:w=\"\($0)\"/>" }.joined() + "</w:tblGrid>"
        for (index, row) in rows.enumerated() {
            var trPr = keep ? "<w:cantSplit/>" : ""
            if header && index == 0 { trPr += "<w:tblHeader/>" }
            xml += "<w:tr>" + (trPr.isEmpty ? "" : "<w:trPr>\(trPr)</w:trPr>")
            let shade = header && index == 0 ? "<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"F0F0F0\"/>" : ""
            if row.count == 1 && widths.count > 1 {
                xml += "<w:tc><w:tcPr><w:tcW w:w=\"\(widths.reduce(0, +))\" w:type=\"dxa\"/>"
                xml += "<w:gridSpan w:val=\"\(widths.count)\"/></w:tcPr>\(row[0])</w:tc>"
            } else {
                for (column, cell) in row.enumerated() {
                    let width = column < widths.count ? widths[column] : widths.last ?? 0
                    xml += "<w:tc><w:tcPr><w:tcW w:w=\"\(width)\" w:type=\"dxa\"/>\(shade)</w:tcPr>\(cell)</w:tc>"
                }
            }
            xml += "</w:tr>"
        }
        return xml + "</w:tbl>"
    }

    static func header(pageNumber: Bool) -> String {
        let content =
            pageNumber
            ? "<w:fldSimple w:instr=\" PAGE \"><w:r><w:rPr><w:sz w:val=\"26\"/></w:rPr><w:t>2</w:t></w:r></w:fldSimple>"
            : ""
        return """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <w:hdr xmlns:w="\(wordNamespace)" xmlns:r="\(relationshipNamespace)">\
            <w:p><w:pPr><w:jc w:val="center"/></w:pPr>\
            \(content)</w:p></w:hdr>
            """
    }

    // MARK: The package's fixed parts

    static let wordNamespace = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    static let relationshipNamespace = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    static let officeTypes = "application/vnd.openxmlformats-officedocument"

    static let contentTypes = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
        <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
        <Default Extension="xml" ContentType="application/xml"/>\
        <Override PartName="/word/document.xml" ContentType="\(officeTypes).wordprocessingml.document.main+xml"/>\
        <Override PartName="/word/styles.xml" ContentType="\(officeTypes).wordprocessingml.styles+xml"/>\
        <Override PartName="/word/settings.xml" ContentType="\(officeTypes).wordprocessingml.settings+xml"/>\
        <Override PartName="/word/header1.xml" ContentType="\(officeTypes).wordprocessingml.header+xml"/>\
        <Override PartName="/word/header2.xml" ContentType="\(officeTypes).wordprocessingml.header+xml"/>\
        <Override PartName="/docProps/core.xml" \
        ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>\
        <Override PartName="/docProps/app.xml" ContentType="\(officeTypes).extended-properties+xml"/></Types>
        """

    static let packageRelationships = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" Type="\(relationshipNamespace)/officeDocument" Target="word/document.xml"/>\
        <Relationship Id="rId2" \
        Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" \
        Target="docProps/core.xml"/>\
        <Relationship Id="rId3" Type="\(relationshipNamespace)/extended-properties" Target="docProps/app.xml"/>\
        </Relationships>
        """

    static let documentRelationships = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rIdStyles" Type="\(relationshipNamespace)/styles" Target="styles.xml"/>\
        <Relationship Id="rIdSettings" Type="\(relationshipNamespace)/settings" Target="settings.xml"/>\
        <Relationship Id="rIdHeader1" Type="\(relationshipNamespace)/header" Target="header1.xml"/>\
        <Relationship Id="rIdHeader2" Type="\(relationshipNamespace)/header" Target="header2.xml"/>\
        </Relationships>
        """

    static let styles = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <w:styles xmlns:w="\(wordNamespace)"><w:docDefaults><w:rPrDefault><w:rPr>\
        <w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="Times New Roman" \
        w:cs="Times New Roman"/>\
        <w:sz w:val="28"/><w:szCs w:val="28"/><w:lang w:val="vi-VN" w:eastAsia="vi-VN" w:bidi="ar-SA"/>\
        </w:rPr></w:rPrDefault>\
        <w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault>\
        </w:docDefaults>\
        <w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>\
        <w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>\
        <w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/>\
        <w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>\
        </w:tblCellMar></w:tblPr></w:style></w:styles>
        """

    static let settings = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <w:settings xmlns:w="\(wordNamespace)"><w:defaultTabStop w:val="720"/>\
        <w:characterSpacingControl w:val="doNotCompress"/>\
        <w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" \
        w:val="15"/>\
        </w:compat></w:settings>
        """

    static let app = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">\
        <Application>hntt</Application></Properties>
        """

    static func core(title: String, created: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        let stamp = formatter.string(from: created)
        return """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" \
            xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" \
            xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>\(Escape.xml(title))</dc:title>\
            <dc:creator>hntt</dc:creator><dc:language>vi-VN</dc:language>\
            <dcterms:created xsi:type="dcterms:W3CDTF">\(stamp)</dcterms:created></cp:coreProperties>
            """
    }
}
