import Foundation
import HNTTCore
import HNTTGateway

/// What the office adds to a report: its number in the register (nil leaves the space), its opinions,
/// recommendations and proposals, and the day it is signed.
public struct DocumentIssue: Sendable {
    public var number: Int?
    public var notes: String
    public var date: Date

    public init(number: Int? = nil, notes: String = "", date: Date) {
        self.number = number
        self.notes = notes
        self.date = date
    }
}

extension YearlyAssessment {
    public var json: JSONValue {
        func optional(_ value: Int?) -> JSONValue { value.map(JSONValue.number) ?? .null }
        func minutes(_ value: Double?) -> JSONValue { value.map { .string(String(format: "%.1f", $0)) } ?? .null }
        return .object([
            ("booked", optional(booked)), ("held", optional(held)), ("official_sessions", .number(officialSessions)),
            ("measured_sessions", .number(measuredSessions)), ("good_quality_sessions", .number(goodQualitySessions)),
            ("incidents", .number(incidents)), ("incidents_fixed", .number(incidentsFixed)),
            ("average_minutes_to_fix", minutes(averageMinutesToFix)),
            ("longest_minutes_to_fix", minutes(longestMinutesToFix)),
        ])
    }

    /// The assessment in sentences, from the figures alone.
    public func sentences(drift: Int, driftDevices: Int) -> [String] {
        var lines: [String] = []
        if let booked, let held {
            lines.append(
                "Đã tổ chức \(held)/\(booked) phiên họp được đăng ký trong năm"
                    + " (\(Vietnamese.percent(held, of: booked)))"
                    + (held < booked ? "; \(booked - held) phiên đăng ký không có phiên chính thức tương ứng." : "."))
        }
        if measuredSessions == 0 {
            lines.append("Chưa có phiên nào được đo chất lượng kết nối.")
        } else {
            lines.append(
                "\(measuredSessions) phiên có đo chất lượng kết nối, trong đó \(goodQualitySessions) phiên đạt chất"
                    + " lượng tốt (\(Vietnamese.percent(goodQualitySessions, of: measuredSessions)); mất gói không quá"
                    + " \(Vietnamese.number(Self.goodLossPercent, digits: 0)) %, jitter không quá"
                    + " \(Vietnamese.number(Self.goodJitterMs, digits: 0)) ms).")
        }
        if incidents == 0 {
            lines.append("Trong năm không có sự cố.")
        } else {
            var text =
                "Có \(incidents) sự cố, đã khắc phục \(incidentsFixed)"
                + " (\(Vietnamese.percent(incidentsFixed, of: incidents)))"
            if let average = averageMinutesToFix, let longest = longestMinutesToFix {
                text +=
                    "; thời gian khắc phục trung bình \(Vietnamese.number(average, digits: 0)) phút,"
                    + " lâu nhất \(Vietnamese.number(longest, digits: 0)) phút"
            }
            lines.append(text + ".")
        }
        lines.append(
            drift == 0
                ? "Không phát hiện sai lệch cấu hình so với cấu hình được phê duyệt."
                : "Phát hiện \(drift) lần sai lệch cấu hình so với cấu hình được phê duyệt"
                    + " trên \(driftDevices) thiết bị."
        )
        return lines
    }
}

/// Numbers as a Vietnamese document writes them: a decimal comma.
enum Vietnamese {
    static func number(_ value: Double, digits: Int) -> String {
        String(format: "%.\(digits)f", value).replacingOccurrences(of: ".", with: ",")
    }

    static func percent(_ part: Int, of whole: Int) -> String {
        whole == 0 ? "—" : number(Double(part) / Double(whole) * 100, digits: 1) + "\u{00A0}%"
    }
}

extension YearlyReport {
    /// The report as the decree's document: addressed to the department in charge, with the assessment
    /// and the office's opinions, recommendations and proposals (Điều 5.8).
    public func document(_ organisation: Organisation, issue: DocumentIssue) -> OfficialDocument {
        var document = OfficialDocument(
            parentBody: organisation.parent, issuer: organisation.name,
            number: OfficialDocument.number(issue.number, kind: "BC", symbol: organisation.symbol),
            placeAndDate: OfficialDocument.placeAndDate(organisation.place, issue.date), kind: "BÁO CÁO",
            title: "Kết quả hoạt động hệ thống hội nghị truyền hình trực tuyến năm \(year)")
        document.addressee = "Kính gửi: \(organisation.authority)"
        document.recipients = OfficialDocument.recipients(organisation.recipients, addressed: true, archive: "VT")
        document.signatures = [OfficialDocument.Signature(organisation.signer)]
        func hours(_ value: Double) -> String { Vietnamese.number(value, digits: 1) }
        func minutes(_ value: Double?) -> String { value.map { Vietnamese.number($0, digits: 0) + " phút" } ?? "—" }
        var sessionTable = OfficialDocument.Table(
            columns: ["Loại phiên", "Đơn vị chủ trì", "Số phiên", "Số giờ"], widths: [2, 4, 1.5, 1.5],
            rows: sessions.map {
                [
                    $0.type == "official" ? "Chính thức" : "Thử",
                    $0.organizer == "(not given)" ? "(không ghi)" : $0.organizer,
                    "\($0.count)", hours($0.hours),
                ]
            }, emptyText: "Không có phiên nào trong năm.")
        sessionTable.footer = [["Tổng", "", "\(totalSessions)", hours(totalHours)]]
        let kinds = OfficialDocument.Table(
            columns: ["Loại sự cố", "Số sự cố", "Đã khắc phục", "Thời gian khắc phục trung bình", "Lâu nhất"],
            widths: [3, 1.3, 1.5, 2.2, 1.5],
            rows: incidentKinds.map {
                [
                    $0.kind.vietnamese, "\($0.count)", "\($0.fixed)", minutes($0.averageMinutes),
                    minutes($0.longestMinutes),
                ]
            }, emptyText: "Không có sự cố.")
        let driftTotal = driftEvents.map(\.count).reduce(0, +)
        let notes = issue.notes.trimmingCharacters(in: .whitespacesAndNewlines)
        document.body = [
            .paragraph(
                "Thực hiện Điều 5.8 Quy chế quản lý, vận hành hệ thống hội nghị truyền hình trực tuyến, "
                    + "\(organisation.name) báo cáo kết quả hoạt động của hệ thống hội nghị truyền hình trực tuyến "
                    + "\(organisation.tier.vietnamese) năm \(year) như sau:"),
            .heading("I. KẾT QUẢ HOẠT ĐỘNG"),
            .heading("1. Số phiên theo loại và đơn vị chủ trì"), .table(sessionTable),
            .heading("2. Sự cố"),
            .table(
                OfficialDocument.Table(
                    columns: ["Nội dung", "Số lượng"], widths: [6, 2],
                    rows: [
                        ["Tổng số sự cố", "\(incidents)"],
                        ["Phát hiện khi chạy quy trình", "\(incidentsFromProcedures)"],
                        ["Kỹ thuật viên ghi nhận", "\(incidentsReported)"], ["Đã khắc phục", "\(incidentsFixed)"],
                    ], emptyText: "")),
            .table(kinds),
            .heading("3. Chất lượng kết nối"),
            .table(
                OfficialDocument.Table(
                    columns: ["Nội dung", "Giá trị"], widths: [6, 2],
                    rows: [
                        ["Số phiên có đo", "\(measuredSessions)"],
                        [
                            "Tỷ lệ mất gói trung bình",
                            averageLossPercent.map { Vietnamese.number($0, digits: 2) + " %" } ?? "chưa đo",
                        ],
                        [
                            "Jitter lớn nhất",
                            worstJitterMs.map { Vietnamese.number($0, digits: 0) + " ms" } ?? "chưa đo",
                        ],
                    ], emptyText: "")),
            .heading("4. Sai lệch cấu hình so với cấu hình được phê duyệt"),
            .table(
                OfficialDocument.Table(
                    columns: ["Thiết bị", "Số lần"], widths: [6, 2],
                    rows: driftEvents.map { [$0.device, "\($0.count)"] },
                    emptyText: "Không có sai lệch.")),
            .heading("5. Thiết bị gặp lỗi nhiều nhất"),
            .table(
                OfficialDocument.Table(
                    columns: ["Thiết bị", "Số lần lỗi"], widths: [6, 2],
                    rows: failures.prefix(10).map { [$0.device, "\($0.count)"] }, emptyText: "Không có thiết bị lỗi.")),
            .heading("II. ĐÁNH GIÁ"),
            .paragraph(
                assessment.sentences(drift: driftTotal, driftDevices: driftEvents.count).joined(separator: "\n")),
            .heading("III. Ý KIẾN, KIẾN NGHỊ, ĐỀ XUẤT"),
            .paragraph(notes.isEmpty ? "(Đơn vị ghi ý kiến, kiến nghị, đề xuất tại đây.)" : notes),
            .note(
                "Mã kiểm tra sổ nhật ký và nhật ký kiểm toán khi lập báo cáo: "
                    + chainHeads.map {
                        "\($0.chain == "audit" ? "kiểm toán" : "sổ nhật ký") mục \($0.id) \($0.hash.prefix(16))"
                    }.joined(separator: "; ")),
        ]
        return document
    }
}
