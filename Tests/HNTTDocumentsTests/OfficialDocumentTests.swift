import Foundation
import HNTTCore
import HNTTGateway
import HNTTGovernance
import HNTTTransport
import Testing

@testable import HNTTDocuments

@Suite("Official documents (Nghị định 30/2020/NĐ-CP) for the organisation the inventory names")
struct OfficialDocumentTests {
    static let commune = """
        site:
          name: "UBND xã Triệu Sơn"
          parent: "UBND tỉnh Thanh Hóa"
          authority: "Sở Khoa học và Công nghệ tỉnh Thanh Hóa"
          signer: {name: "Nguyễn Văn D", position: "Phó Chủ tịch", form: "KT.", for: "Chủ tịch"}
          recipients: ["Chủ tịch, các Phó Chủ tịch UBND xã"]
        rooms: []
        """

    static func organisation(_ text: String) throws -> Organisation {
        try Inventory.load(
            YAMLFile(text: text, name: "inventory.yaml"), profiles: ProfileCatalog(directory: "/nonexistent")
        )
        .organisation
    }

    static let date = ISO8601DateFormatter().date(from: "2026-02-05T03:00:00Z")!

    @Test("the site block: names are data, with the defaults of 2026 and the names of 2018 still possible")
    func organisationData() throws {
        let commune = try Self.organisation(Self.commune)
        #expect(commune.name == "UBND xã Triệu Sơn" && commune.parent == "UBND tỉnh Thanh Hóa")
        #expect(commune.symbol == "UBND" && commune.place == "Triệu Sơn" && commune.tier == .commune)
        #expect(commune.signer.titleLines == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"])

        let plain = try Self.organisation("site: \"UBND phường Hạc Thành\"\nrooms: []")
        #expect(plain.name == "UBND phường Hạc Thành" && plain.place == "Hạc Thành")
        #expect(plain.authority == "Sở Khoa học và Công nghệ" && plain.authorityShort == "Sở KH&CN")

        let old = try Self.organisation(
            """
            site:
              name: "Văn phòng HĐND và UBND huyện Triệu Sơn"
              tier: district
              authority: "Sở Thông tin và Truyền thông tỉnh Thanh Hóa"
              symbol: "VP"
            rooms: []
            """)
        #expect(old.tier == .district && old.authority.hasPrefix("Sở Thông tin") && old.symbol == "VP")

        let wrongTier = #expect(throws: HNTTError.self) {
            _ = try Self.organisation("site:\n  name: X\n  tier: county\nrooms: []")
        }
        #expect(wrongTier?.message.contains(":3:") == true && wrongTier?.fix?.contains("commune") == true)
        let noWhom = #expect(throws: HNTTError.self) {
            _ = try Self.organisation("site:\n  name: X\n  signer: {position: P, form: TL.}\nrooms: []")
        }
        #expect(noWhom?.fix?.contains("for:") == true)
        let typo = #expect(throws: HNTTError.self) {
            _ = try Self.organisation("site:\n  name: X\n  autority: Y\nrooms: []")
        }
        #expect(typo?.fix?.contains("did you mean \"authority\"") == true)
    }

    @Test("units: their symbols and heads sign their rooms' logbooks; a unit not listed is refused with the list")
    func units() async throws {
        let text = Self.commune.replacingOccurrences(
            of: "rooms: []",
            with: """
                  units:
                    - name: "Văn phòng HĐND và UBND xã"
                      symbol: "VPUB"
                      signer: {name: "Trần Thị E", position: "Chánh Văn phòng"}
                    - {name: "Văn phòng Đảng ủy xã"}
                organizers: {"UBND tỉnh": "Văn phòng HĐND và UBND xã"}
                rooms:
                  - {id: xa, name: "Phòng họp", unit: "Văn phòng HĐND và UBND xã", devices: []}
                """)
        let inventory = try Inventory.load(
            YAMLFile(text: text, name: "inventory.yaml"), profiles: ProfileCatalog(directory: "/nonexistent"))
        #expect(inventory.organisation.units.map(\.symbol) == ["VPUB", "VP"])
        let document = LogbookDocument.document(
            inventory.organisation, room: try inventory.room("xa"), from: "2026-01-01", to: "2026-12-31", rows: [],
            issue: DocumentIssue(number: 3, date: Self.date))
        #expect(document.number == "Số: 03/BB-VPUB")
        #expect(
            document.signatures.last?.lines == ["CHÁNH VĂN PHÒNG"] && document.signatures.last?.name == "Trần Thị E")
        let typo = #expect(throws: HNTTError.self) {
            _ = try Inventory.load(
                YAMLFile(
                    text: text.replacingOccurrences(
                        of: "\"UBND tỉnh\": \"Văn phòng HĐND", with: "\"UBND tỉnh\": \"VP HĐND"),
                    name: "inventory.yaml"), profiles: ProfileCatalog(directory: "/nonexistent"))
        }
        #expect(typo?.message.contains("organizer \"UBND tỉnh\" names the unit \"VP HĐND") == true)
        #expect(typo?.fix?.contains("Văn phòng Đảng ủy xã") == true)
    }

    @Test("signing forms: TM., KT., TL., TUQ., Q. and the head in person")
    func signingForms() {
        var signer = Organisation.Signer()
        #expect(signer.titleLines == ["CHỦ TỊCH"])
        signer.form = .tm
        signer.onBehalfOf = "Ủy ban nhân dân"
        #expect(signer.titleLines == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"])
        signer.form = .tl
        signer.position = "Chánh Văn phòng"
        signer.onBehalfOf = "Chủ tịch"
        #expect(signer.titleLines == ["TL. CHỦ TỊCH", "CHÁNH VĂN PHÒNG"])
        signer.form = .q
        #expect(signer.titleLines == ["Q. CHÁNH VĂN PHÒNG"])
    }

    @Test("number and symbol, place and date as the decree writes them")
    func numberAndDate() {
        #expect(OfficialDocument.number(5, kind: "BC", symbol: "UBND") == "Số: 05/BC-UBND")
        #expect(OfficialDocument.number(112, kind: "BC", symbol: "UBND") == "Số: 112/BC-UBND")
        #expect(OfficialDocument.number(nil, kind: "BC", symbol: "UBND").hasSuffix("/BC-UBND"))
        var utc7 = Calendar(identifier: .gregorian)
        utc7.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")!
        #expect(
            OfficialDocument.placeAndDate("Triệu Sơn", Self.date, calendar: utc7)
                == "Triệu Sơn, ngày 05 tháng 02 năm 2026")
        let december = ISO8601DateFormatter().date(from: "2026-12-15T03:00:00Z")!
        #expect(OfficialDocument.placeAndDate("x", december, calendar: utc7) == "X, ngày 15 tháng 12 năm 2026")
        let march = ISO8601DateFormatter().date(from: "2026-03-01T03:00:00Z")!
        #expect(OfficialDocument.placeAndDate("", march, calendar: utc7).hasSuffix("ngày 01 tháng 3 năm 2026"))
    }

    static func report() -> YearlyReport {
        var report = YearlyReport(year: 2026)
        report.sessions = [(type: "official", organizer: "UBND tỉnh", count: 12, hours: 30.5)]
        report.incidents = 2
        report.incidentsFixed = 1
        report.driftEvents = [(device: "xa-codec", count: 3)]
        report.assessment.booked = 14
        report.assessment.held = 12
        report.assessment.measuredSessions = 10
        report.assessment.goodQualitySessions = 9
        report.assessment.incidents = 2
        report.assessment.incidentsFixed = 1
        report.assessment.averageMinutesToFix = 42
        report.assessment.longestMinutesToFix = 42
        return report
    }

    @Test("the report: every part of the decree, the assessment and the office's recommendations, in HTML")
    func reportParts() throws {
        let organisation = try Self.organisation(Self.commune)
        let notes = "Đề nghị Sở KH&CN nâng cấp đường truyền.\nĐề xuất tập huấn kỹ thuật viên cấp xã."
        let html = DocumentHTML.render(
            Self.report().document(organisation, issue: DocumentIssue(number: 7, notes: notes, date: Self.date)))
        for part in [
            "UBND TỈNH THANH HÓA", "UBND XÃ TRIỆU SƠN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc", "Số: 07/BC-UBND", "hội nghị truyền hình trực tuyến cấp xã năm",
            "Triệu Sơn, ngày 05 tháng 02 năm 2026", "BÁO CÁO",
            "Kính gửi: Sở Khoa học và Công nghệ tỉnh Thanh Hóa", "II. ĐÁNH GIÁ", "III. Ý KIẾN, KIẾN NGHỊ, ĐỀ XUẤT",
            "<p>Đề nghị Sở KH&amp;CN nâng cấp đường truyền.</p>", "<p>Đề xuất tập huấn kỹ thuật viên cấp xã.</p>",
            "Đã tổ chức 12/14 phiên họp được đăng ký trong năm (85,7\u{00A0}%)",
            "9 phiên đạt chất lượng tốt (90,0\u{00A0}%",
            "đã khắc phục 1 (50,0\u{00A0}%); thời gian khắc phục trung bình 42 phút", "Nơi nhận:", "- Như trên;",
            "- Chủ tịch, các Phó Chủ tịch UBND xã;", "- Lưu: VT.", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn D",
            "margin: 20mm 15mm 20mm 30mm", "counter(page)", "Times New Roman",
        ] {
            #expect(html.contains(part), "the report lacks \(part)")
        }
        #expect(!html.contains("Thông tin và Truyền thông"))
    }

    @Test("hostile names and notes are escaped in HTML and XML; long notes and an empty year are whole")
    func hostileAndEmpty() throws {
        let hostile = "<script>alert(\"x\")</script> & \u{0007}bell 'q'"
        var organisation = try Self.organisation(Self.commune)
        organisation.name = hostile
        organisation.signer.name = hostile
        let long = String(repeating: "Kiến nghị dài. ", count: 2000)
        let document = YearlyReport(year: 2026).document(
            organisation, issue: DocumentIssue(notes: hostile + "\n" + long, date: Self.date))
        let html = DocumentHTML.render(document)
        #expect(!html.contains("<script>") && html.contains("&lt;script&gt;"))
        #expect(html.contains(String(long.trimmingCharacters(in: .whitespaces))))
        #expect(html.contains("Không có phiên nào trong năm.") && html.contains("Không có sự cố."))
        #expect(html.contains("(Đơn vị ghi ý kiến") == false)
        let xml = DocumentDOCX.body(document, page: DocumentDOCX.Page(landscape: false))
        #expect(!xml.contains("<script>") && xml.contains("&lt;script&gt;") && !xml.contains("\u{0007}"))
        let empty = DocumentHTML.render(
            YearlyReport(year: 2026).document(organisation, issue: DocumentIssue(date: Self.date)))
        #expect(empty.contains("(Đơn vị ghi ý kiến, kiến nghị, đề xuất tại đây.)"))
        #expect(empty.contains("Chưa có phiên nào được đo chất lượng kết nối."))
    }

    @Test("the DOCX as python-docx reads it: A4, the margins, Times New Roman 14, page numbers from page 2, the parts")
    func reportDOCX() async throws {
        let organisation = try Self.organisation(Self.commune)
        let notes = "Kiến nghị <một> & \"hai\""
        let data = try DocumentDOCX.render(
            Self.report().document(organisation, issue: DocumentIssue(number: 12, notes: notes, date: Self.date)),
            created: Self.date)
        let read = try await DocxReader.read(data)
        let section = try #require(read.sections.first)
        #expect(section.widthMm == 210 && section.heightMm == 297 && !section.landscape)
        #expect(section.topMm == 20 && section.bottomMm == 20 && section.leftMm == 30 && section.rightMm == 15)
        #expect(section.differentFirstPage && section.pageNumberInHeader && !section.pageNumberOnFirstPage)
        #expect(read.font == "Times New Roman" && read.sizeHalfPoints == 28)
        let header = try #require(read.tables.first)
        #expect(header[0][0].contains("UBND TỈNH THANH HÓA") && header[0][0].contains("UBND XÃ TRIỆU SƠN"))
        #expect(header[0][1].contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") && header[0][1].contains("Độc lập - Tự do"))
        #expect(header[1] == ["Số: 12/BC-UBND", "Triệu Sơn, ngày 05 tháng 02 năm 2026"])
        #expect(read.paragraphs.contains("BÁO CÁO") && read.paragraphs.contains(notes))
        #expect(read.paragraphs.contains("Kính gửi: Sở Khoa học và Công nghệ tỉnh Thanh Hóa"))
        #expect(read.paragraphs.contains("III. Ý KIẾN, KIẾN NGHỊ, ĐỀ XUẤT") && read.bold.contains("II. ĐÁNH GIÁ"))
        let sessions = try #require(read.tables.first { $0.first?.first == "Loại phiên" })
        #expect(sessions[1] == ["Chính thức", "UBND tỉnh", "12", "30,5"] && sessions.last?.first == "Tổng")
        let foot = try #require(read.tables.last)
        #expect(foot[0][0].contains("Nơi nhận:") && foot[0][0].contains("- Lưu: VT."))
        #expect(foot[0][1].contains("KT. CHỦ TỊCH") && foot[0][1].contains("Nguyễn Văn D"))
        #expect(read.title.hasPrefix("Báo cáo Kết quả hoạt động"))
        #expect(read.parts.first == "[Content_Types].xml" && read.parts.contains("word/header1.xml"))
    }

    @Test("the logbook as DOCX: landscape, the room's unit under the site, the book's columns, both signatures")
    func logbookDOCX() async throws {
        let organisation = try Self.organisation(Self.commune)
        let inventory = try Inventory.load(
            YAMLFile(
                text: Self.commune.replacingOccurrences(
                    of: "rooms: []",
                    with:
                        "rooms:\n  - {id: xa, name: \"Phòng họp <số 1>\", unit: \"Văn phòng HĐND và UBND xã\","
                        + " devices: []}"
                ),
                name: "inventory.yaml"), profiles: ProfileCatalog(directory: "/nonexistent"))
        let room = try inventory.room("xa")
        let document = LogbookDocument.document(
            organisation, room: room, from: "2026-01-01", to: "2026-12-31", rows: [],
            issue: DocumentIssue(date: Self.date))
        let read = try await DocxReader.read(try DocumentDOCX.render(document, created: Self.date))
        let section = try #require(read.sections.first)
        #expect(section.landscape && section.widthMm == 297 && section.leftMm == 30)
        let header = try #require(read.tables.first)
        #expect(header[0][0].contains("UBND XÃ TRIỆU SƠN") && header[0][0].contains("VĂN PHÒNG HĐND VÀ UBND XÃ"))
        #expect(header[1][0].hasSuffix("/BB-VP"))
        let book = try #require(read.tables.first { $0.first?.first == "STT" })
        #expect(book.first?.count == 9 && book[1][0] == "Không có phiên nào trong thời gian này.")
        #expect(read.paragraphs.contains("Hội nghị truyền hình trực tuyến tại Phòng họp <số 1>"))
        let foot = try #require(read.tables.last)
        #expect(foot[0].count == 3 && foot[0][1].contains("KỸ THUẬT VIÊN") && foot[0][2].contains("THỦ TRƯỞNG ĐƠN VỊ"))
    }

    /// The real print by Chromium is checked by scripts/test-browser, outside the parallel suite.
    @Test("PDF without a Chromium: an error naming the package")
    func pdfWithoutBrowser() async throws {
        let organisation = try Self.organisation(Self.commune)
        let html = DocumentHTML.render(Self.report().document(organisation, issue: DocumentIssue(date: Self.date)))
        let missing = await #expect(throws: HNTTError.self) { _ = try await DocumentPDF.render(html, browser: nil) }
        #expect(
            missing?.message.contains("Chromium") == true && missing?.fix?.contains("apt-get install chromium") == true)
    }

    @Test("no Sở Thông tin và Truyền thông left in the code but the documented old default")
    func noOldNames() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String } ?? []
        #expect(files.count > 50)
        var found: [String] = []
        for file in files where file.hasSuffix(".swift") || file.hasSuffix(".mustache") {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            if text.contains("Thông tin và Truyền thông") || text.contains("TT&TT") || text.contains("STTTT") {
                found.append(file)
            }
        }
        #expect(found == ["HNTTCore/Organisation.swift"])
    }
}

/// A DOCX read back by python-docx (`read-docx.py`, beside this file).
struct DocxReader: Decodable {
    struct Section: Decodable {
        let widthMm: Int
        let heightMm: Int
        let landscape: Bool
        let topMm: Int
        let bottomMm: Int
        let leftMm: Int
        let rightMm: Int
        let differentFirstPage: Bool
        let pageNumberInHeader: Bool
        let pageNumberOnFirstPage: Bool
    }

    let sections: [Section]
    let font: String
    let sizeHalfPoints: Int
    let paragraphs: [String]
    let bold: [String]
    let tables: [[[String]]]
    let title: String
    let parts: [String]

    static func read(_ data: Data) async throws -> DocxReader {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("read-docx.py")
        let output = try await onOwnThread(by: .after(seconds: 60)) { () throws -> Data in
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("hntt-\(UUID().uuidString).docx")
            try data.write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", script.path, file.path]
            let pipe = Pipe()
            let errors = Pipe()
            process.standardOutput = pipe
            process.standardError = errors
            try process.run()
            let out = pipe.fileHandleForReading.readDataToEndOfFile()
            let err = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw HNTTError(
                    .badInput, "python-docx could not read the document: " + String(decoding: err, as: UTF8.self),
                    fix: "scripts/install-deps installs python-docx")
            }
            return out
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(DocxReader.self, from: output)
    }
}
