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

    public static func html(site: String, room: Room, from: String, to: String, rows: [Row]) -> String {
        let escape = Escape.html
        let body = rows.map { row in
            "<tr><td>\(row.number)</td><td>\(escape(row.date))</td><td>\(escape(row.kind))</td><td>\(escape(row.organizer))</td>"
                + "<td>\(escape(row.chairSite))</td><td>\(escape(row.time))</td><td>\(escape(row.quality))</td>"
                + "<td>\(escape(row.incidents))</td><td>\(escape(row.technician))</td></tr>"
        }.joined(separator: "\n")
        return """
            <!DOCTYPE html>
            <html lang="vi"><head><meta charset="utf-8"><title>Sổ ghi biên bản – \(escape(room.name))</title>
            <style>
              @page { size: A4 landscape; margin: 15mm; }
              body { font-family: "Times New Roman", "DejaVu Serif", serif; font-size: 13pt; color: #000; margin: 24px; }
              .head { display: flex; justify-content: space-between; text-align: center; }
              .head > div:first-child { width: 40%; } .head > div:last-child { width: 58%; }
              .bold { font-weight: bold; } .underline { text-decoration: underline; }
              h1 { text-align: center; font-size: 16pt; margin: 24px 0 4px; }
              .sub { text-align: center; font-style: italic; margin-bottom: 16px; }
              table { width: 100%; border-collapse: collapse; font-size: 11pt; }
              th, td { border: 1px solid #000; padding: 4px 6px; vertical-align: top; }
              th { background: #f0f0f0; }
              .sign { display: flex; justify-content: space-around; margin-top: 32px; text-align: center; }
            </style></head><body>
            <div class="head">
              <div><div>\(escape(site.uppercased()))</div><div class="bold underline">\(escape(room.unit.uppercased()))</div></div>
              <div><div class="bold">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</div><div class="bold underline">Độc lập - Tự do - Hạnh phúc</div></div>
            </div>
            <h1>SỔ GHI BIÊN BẢN HỘI NGHỊ TRUYỀN HÌNH TRỰC TUYẾN</h1>
            <div class="sub">\(escape(room.name)) — \(escape(period(from, to)))</div>
            <table>
            <tr><th>STT</th><th>Ngày</th><th>Loại phiên</th><th>Đơn vị chủ trì</th><th>Điểm cầu chủ trì</th><th>Thời gian</th>
            <th>Chất lượng kết nối</th><th>Sự cố và cách khắc phục</th><th>Kỹ thuật viên (ký, ghi rõ họ tên)</th></tr>
            \(body.isEmpty ? "<tr><td colspan=\"9\">Không có phiên nào trong thời gian này.</td></tr>" : body)
            </table>
            <div class="sign"><div><div class="bold">KỸ THUẬT VIÊN</div><div><i>(Ký, ghi rõ họ tên)</i></div></div>
            <div><div class="bold">THỦ TRƯỞNG ĐƠN VỊ</div><div><i>(Ký, ghi rõ họ tên, đóng dấu)</i></div></div></div>
            </body></html>

            """
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
