import Foundation
import HNTTCore
import HNTTGovernance

/// The logbook of a room as a printable document ("SỔ GHI BIÊN BẢN"), in Vietnamese, with the
/// columns a district office keeps, or as CSV.
public enum LogbookDocument {
    public struct Row: Sendable {
        public let number: Int
        public let date: String
        public let kind: String
        public let organizer: String
        public let chairSite: String
        public let time: String
        public let quality: String
        public let incidents: String
        public let technician: String
    }

    /// One row per session, and one per incident written outside a session, in the book's order.
    public static func rows(_ entries: [LogbookEntry]) -> [Row] {
        let incidentRecords = Dictionary(
            IncidentRecord.all(in: entries).map { ($0.entry, $0) }, uniquingKeysWith: { first, _ in first })
        let lines = entries.filter { $0.kind == .session || ($0.kind == .incident && $0.refersTo == nil) }
        return lines.enumerated().map { index, line in
            let related = entries.filter { $0.refersTo == line.id }
            let corrections = related.compactMap { $0.content(CorrectionContent.self) }.map { "Đính chính: \($0.text)" }
            let signers = related.compactMap { $0.content(SignatureContent.self)?.signedBy }
            let author = line.session?.operatorName ?? line.incident?.operatorName ?? ""
            let technician = author + (signers.isEmpty ? " (chưa ký)" : " — đã ký: " + signers.joined(separator: ", "))
            if let content = line.incident, let incident = incidentRecords[line.id] {
                let began = content.beganAt ?? content.reportedAt ?? line.at
                return Row(
                    number: index + 1, date: vietnameseDate(began),
                    kind: "Sự cố (\(incident.kind.vietnamese.lowercased()))",
                    organizer: "", chairSite: "",
                    time: "\(time(began)) – \(incident.fixed.map { time(timestamp($0)) } ?? "")",
                    quality: "", incidents: ([incidentText(incident)] + corrections).joined(separator: "; "),
                    technician: technician)
            }
            let session =
                line.session
                ?? SessionContent(
                    sessionType: .test, procedure: "", organizer: "", chairSite: "",
                    operatorName: "", unit: "", startedAt: line.at, endedAt: "",
                    outcome: "")
            let incidents = related.compactMap { incidentRecords[$0.id] }.map(incidentText)
            return Row(
                number: index + 1, date: vietnameseDate(session.startedAt.isEmpty ? line.at : session.startedAt),
                kind: session.sessionType == .official ? "Chính thức" : "Thử",
                organizer: session.organizer, chairSite: session.chairSite,
                time: "\(time(session.startedAt)) – \(time(line.sessionEndedAt(in: related)))",
                quality: related.compactMap { $0.content(SessionEndContent.self) }.compactMap(sampledQuality).first
                    ?? quality(session),
                incidents: (incidents + corrections).joined(separator: "; ").ifEmpty("Không"), technician: technician)
        }
    }

    /// The connection quality as the book writes it; a figure not measured is said so.
    static func quality(_ session: SessionContent) -> String {
        guard session.measured else {
            return session.outcome == "ok" ? "Kết nối được (chưa đo chất lượng)" : "Không đạt"
        }
        let loss =
            session.lossPercent.map {
                "Mất gói \($0) %" + (session.lossMeasured == "transmitted" ? " (chiều phát)" : "")
            }
            ?? session.lostPackets.map { "Mất \($0) gói" } ?? "Mất gói: không đo được"
        return
            "\(loss), jitter \(session.jitterMs.map { "\($0) ms" } ?? "không đo được"), \(session.rateKbps ?? "?") kbps"
    }

    /// The quality sampled through an official session: average and worst; nil when none was sampled.
    public static func sampledQuality(_ end: SessionEndContent) -> String? {
        let own = roomQuality(end)
        let bridge = bridgeQuality(end)
        guard own != nil || bridge != nil else { return nil }
        return [own, bridge].compactMap { $0 }.joined(separator: ". ")
    }

    /// The room's leg as the conference bridge measured it (what the province received).
    static func bridgeQuality(_ end: SessionEndContent) -> String? {
        guard let bridge = end.bridge, let count = end.bridgeSamples, count != "0" else { return nil }
        var parts = ["\(count) lần đo"]
        if let average = end.bridgeLossAverage, let worst = end.bridgeLossWorst {
            parts.append("mất gói âm thanh trung bình \(average) %, cao nhất \(worst) %")
        }
        if let average = end.bridgeJitterAverage, let worst = end.bridgeJitterWorst {
            parts.append("jitter trung bình \(average) ms, cao nhất \(worst) ms")
        }
        if let worst = end.bridgeVideoLossWorst { parts.append("mất gói hình cao nhất \(worst) %") }
        if let average = end.bridgeRoundTripAverage { parts.append("trễ khứ hồi trung bình \(average) ms") }
        return "Theo cầu hội nghị \(bridge): " + parts.joined(separator: "; ")
    }

    static func roomQuality(_ end: SessionEndContent) -> String? {
        guard let count = end.qualitySamples, count != "0" else { return nil }
        var parts = ["\(count) lần đo"]
        if let average = end.lossAverage, let worst = end.lossWorst {
            parts.append("mất gói trung bình \(average) %, cao nhất \(worst) %")
        }
        if let average = end.jitterAverage, let worst = end.jitterWorst {
            parts.append("jitter trung bình \(average) ms, cao nhất \(worst) ms")
        }
        if let average = end.rateAverage, let lowest = end.rateLowest {
            parts.append("tốc độ trung bình \(average) kbps, thấp nhất \(lowest) kbps")
        }
        return "Chất lượng trong phiên: " + parts.joined(separator: "; ")
    }

    /// An incident as the logbook prints it: what, how and when it was fixed.
    static func incidentText(_ incident: IncidentRecord) -> String {
        guard incident.isFixed else { return incident.what + " — chưa khắc phục" }
        let minutes = incident.minutesToFix.map { " (sau \(Int($0.rounded())) phút)" } ?? ""
        return incident.what + " — khắc phục: \(incident.fix)" + minutes
    }

    /// `từ ngày 01/01/2026 đến ngày 31/12/2026`, or `toàn bộ` without bounds.
    public static func period(_ from: String, _ to: String) -> String {
        if from.hasPrefix("0000") && to.hasPrefix("9999") { return "toàn bộ các phiên" }
        return "từ ngày \(vietnameseDate(from)) đến ngày \(vietnameseDate(to))"
    }

    /// `2026-11-29` → `29/11/2026`; a stored time is shown in the machine's local time zone.
    public static func vietnameseDate(_ iso: String) -> String {
        if let date = parseTimestamp(iso) { return local(date, "dd/MM/yyyy") }
        let parts = iso.prefix(10).split(separator: "-")
        return parts.count == 3 ? "\(parts[2])/\(parts[1])/\(parts[0])" : iso
    }

    /// `HH:mm` in local time.
    public static func time(_ iso: String?) -> String {
        guard let iso, let date = parseTimestamp(iso) else { return "" }
        return local(date, "HH:mm")
    }

    public static func local(_ date: Date, _ format: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = .current
        formatter.dateFormat = format
        return formatter.string(from: date)
    }

    public static func csv(_ rows: [Row]) -> String {
        let header =
            "STT,Ngày,Loại phiên,Đơn vị chủ trì,Điểm cầu chủ trì,Thời gian,Chất lượng kết nối,Sự cố và khắc phục,Kỹ thuật viên"
        return
            ([header]
            + rows.map { row in
                Escape.csvLine([
                    String(row.number), row.date, row.kind, row.organizer, row.chairSite, row.time, row.quality,
                    row.incidents, row.technician,
                ])
            }).joined(separator: "\n") + "\n"
    }

    /// The logbook as the decree's document, issued by the room's unit under the site (or by the site
    /// when the room names no other unit), signed by the technician and the head of the unit.
    public static func document(
        _ organisation: Organisation, room: Room, from: String, to: String, rows: [Row], issue: DocumentIssue
    ) -> OfficialDocument {
        let ownUnit = !room.unit.isEmpty && room.unit != organisation.name
        let unit = organisation.unit(room.unit)
        let symbol = ownUnit ? unit?.symbol ?? Organisation.symbol(of: room.unit) : organisation.symbol
        var document = OfficialDocument(
            parentBody: ownUnit ? organisation.name : organisation.parent,
            issuer: ownUnit ? room.unit : organisation.name,
            number: OfficialDocument.number(issue.number, kind: "BB", symbol: symbol),
            placeAndDate: OfficialDocument.placeAndDate(organisation.place, issue.date), kind: "SỔ GHI BIÊN BẢN",
            title: "Hội nghị truyền hình trực tuyến tại \(room.name)")
        document.subtitle = period(from, to).capitalizedFirst
        document.landscape = true
        document.body = [
            .table(
                OfficialDocument.Table(
                    columns: [
                        "STT", "Ngày", "Loại phiên", "Đơn vị chủ trì", "Điểm cầu chủ trì", "Thời gian",
                        "Chất lượng kết nối", "Sự cố và cách khắc phục", "Kỹ thuật viên (ký, ghi rõ họ tên)",
                    ], widths: [0.7, 1.6, 1.1, 1.7, 1.9, 1.3, 2.5, 2.7, 1.8],
                    rows: rows.map {
                        [
                            "\($0.number)", $0.date, $0.kind, $0.organizer, $0.chairSite, $0.time, $0.quality,
                            $0.incidents, $0.technician,
                        ]
                    }, emptyText: "Không có phiên nào trong thời gian này."))
        ]
        document.recipients = OfficialDocument.recipients([], addressed: false, archive: "VT")
        let head =
            ownUnit
            ? unit?.signer.map(OfficialDocument.Signature.init)
                ?? OfficialDocument.Signature(
                    lines: ["THỦ TRƯỞNG ĐƠN VỊ"], hint: "(Ký, ghi rõ họ tên, đóng dấu)", name: "")
            : OfficialDocument.Signature(organisation.signer)
        document.signatures = [
            OfficialDocument.Signature(lines: ["KỸ THUẬT VIÊN"], hint: "(Ký, ghi rõ họ tên)", name: ""), head,
        ]
        return document
    }
}

/// The scheduler's jobs in the office's words.
public enum JobWords {
    public static func title(_ job: String) -> String {
        switch job {
        case "power-on": return "Bật hệ thống"
        case "test-call": return "Gọi thử"
        case "diagnostics": return "Kiểm tra trước hội nghị"
        case "dial": return "Kết nối phiên chính thức"
        case "shutdown": return "Tắt hệ thống"
        case "drift": return "Kiểm tra cấu hình"
        default: return job
        }
    }

    public static func outcome(_ outcome: String) -> String {
        switch outcome {
        case "done": return "đã thực hiện"
        case "failed": return "không đạt"
        case "skipped": return "bỏ qua (kỹ thuật viên đã làm)"
        case "missed": return "bị lỡ (dịch vụ không chạy đúng giờ)"
        case "ready": return "sẵn sàng kết nối, chờ kỹ thuật viên"
        default: return outcome
        }
    }
}
