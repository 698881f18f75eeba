import ArgumentParser
import Foundation
import HNTTCore
import HNTTGovernance

/// The yearly report on how well the system worked (Điều 5.8), from the logbook, the drift
/// history and the audit log.
struct YearlyReport {
    var year: Int
    var sessions: [(type: String, organizer: String, count: Int, hours: Double)] = []
    var incidents = 0
    var incidentsFromProcedures = 0
    var incidentsReported = 0
    var incidentsFixed = 0
    var incidentKinds: [(kind: IncidentKind, count: Int, fixed: Int, averageMinutes: Double?, longestMinutes: Double?)] = []
    var averageLossPercent: Double?
    var worstJitterMs: Double?
    var measuredSessions = 0
    var driftEvents: [(device: String, count: Int)] = []
    var failures: [(device: String, count: Int)] = []

    var totalSessions: Int { sessions.map(\.count).reduce(0, +) }
    var totalHours: Double { sessions.map(\.hours).reduce(0, +) }

    static func build(year: Int, logbook: [LogbookEntry], drift: [(device: String, status: String, at: String)], audit: [AuditEntry]) -> YearlyReport {
        var report = YearlyReport(year: year)
        let prefix = String(year)
        var groups: [String: (type: String, organizer: String, count: Int, hours: Double)] = [:]
        var losses: [Double] = []
        let sessionEnds = logbook.filter { $0.kind == .sessionEnd }
        for entry in logbook where (entry.payload["started_at"] ?? entry.at).hasPrefix(prefix) {
            switch entry.kind {
            case .session:
                let type = entry.payload["session_type"] == "official" ? "official" : "test"
                let organizer = entry.payload["organizer"].flatMap { $0.isEmpty ? nil : $0 } ?? "(not given)"
                let start = entry.payload["started_at"].flatMap(parseTimestamp)
                let end = entry.sessionEndedAt(in: sessionEnds).flatMap(parseTimestamp)
                let hours = (start != nil && end != nil) ? max(0, end!.timeIntervalSince(start!)) / 3600 : 0
                var group = groups[type + "\u{1F}" + organizer] ?? (type, organizer, 0, 0)
                group.count += 1
                group.hours += hours
                groups[type + "\u{1F}" + organizer] = group
                if let loss = entry.payload["loss_percent"].flatMap(Double.init) {
                    losses.append(loss)
                    report.measuredSessions += 1
                }
                if let jitter = entry.payload["jitter_ms"].flatMap(Double.init) { report.worstJitterMs = max(report.worstJitterMs ?? 0, jitter) }
            default: break
            }
        }
        let incidentEntries = Dictionary(logbook.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let incidents = IncidentRecord.all(in: logbook).filter { ($0.began.map(timestamp) ?? "").hasPrefix(prefix) }
        for incident in incidents {
            let payload = incidentEntries[incident.entry]?.payload ?? [:]
            if payload["source"] == "procedure" || incident.what.contains(": check: ") || incident.fix == "recovered by the procedure" {
                report.incidentsFromProcedures += 1
            } else {
                report.incidentsReported += 1
            }
        }
        report.incidents = incidents.count
        report.incidentsFixed = incidents.filter(\.isFixed).count
        report.incidentKinds = IncidentKind.allCases.compactMap { kind in
            let ofKind = incidents.filter { $0.kind == kind }
            guard !ofKind.isEmpty else { return nil }
            let minutes = ofKind.compactMap(\.minutesToFix)
            return (kind, ofKind.count, ofKind.filter(\.isFixed).count,
                    minutes.isEmpty ? nil : minutes.reduce(0, +) / Double(minutes.count), minutes.max())
        }
        report.sessions = groups.values.sorted { ($0.type, $0.organizer) < ($1.type, $1.organizer) }
        report.averageLossPercent = losses.isEmpty ? nil : losses.reduce(0, +) / Double(losses.count)
        report.driftEvents = ranking(drift.filter { $0.at.hasPrefix(prefix) && $0.status == "drift" }.map(\.device))
        report.failures = ranking(audit.filter { $0.at.hasPrefix(prefix) && $0.outcome == "failed" && $0.device != "*" }.map(\.device))
        return report
    }

    static func ranking(_ devices: [String]) -> [(device: String, count: Int)] {
        Dictionary(grouping: devices, by: { $0 }).map { ($0.key, $0.value.count) }.sorted { ($1.count, $0.device) < ($0.count, $1.device) }
    }

    var json: JSONValue {
        .object([
            ("year", .number(year)), ("sessions_total", .number(totalSessions)), ("hours_total", .string(String(format: "%.2f", totalHours))),
            ("sessions", .array(sessions.map { .object([("type", .string($0.type)), ("organizer", .string($0.organizer)),
                                                         ("count", .number($0.count)), ("hours", .string(String(format: "%.2f", $0.hours)))]) })),
            ("incidents", .object([("total", .number(incidents)), ("from_procedures", .number(incidentsFromProcedures)),
                                   ("reported", .number(incidentsReported)), ("fixed", .number(incidentsFixed))])),
            ("incidents_by_kind", .array(incidentKinds.map { item in
                .object([("kind", .string(item.kind.rawValue)), ("count", .number(item.count)), ("fixed", .number(item.fixed)),
                         ("average_minutes_to_fix", item.averageMinutes.map { .string(String(format: "%.1f", $0)) } ?? .null),
                         ("longest_minutes_to_fix", item.longestMinutes.map { .string(String(format: "%.1f", $0)) } ?? .null)])
            })),
            ("quality", .object([("measured_sessions", .number(measuredSessions)),
                                 ("average_loss_percent", averageLossPercent.map { .string(String(format: "%.2f", $0)) } ?? .null),
                                 ("worst_jitter_ms", worstJitterMs.map { .string(String(format: "%.0f", $0)) } ?? .null)])),
            ("drift_events", .array(driftEvents.map { .object([("device", .string($0.device)), ("count", .number($0.count))]) })),
            ("device_failures", .array(failures.map { .object([("device", .string($0.device)), ("count", .number($0.count))]) })),
        ])
    }

    var csv: String {
        var lines = ["Mục,Giá trị 1,Giá trị 2,Số lượng,Giờ"]
        for s in sessions { lines.append("Phiên,\(s.type == "official" ? "Chính thức" : "Thử"),\"\(s.organizer)\",\(s.count),\(String(format: "%.2f", s.hours))") }
        lines.append("Sự cố,tổng,,\(incidents),")
        lines.append("Sự cố,đã khắc phục,,\(incidentsFixed),")
        for k in incidentKinds {
            lines.append("Sự cố theo loại,\(k.kind.vietnamese),\(k.averageMinutes.map { String(format: "TB %.1f phút để khắc phục", $0) } ?? ""),\(k.count),")
        }
        for d in driftEvents { lines.append("Sai lệch cấu hình,\(d.device),,\(d.count),") }
        for d in failures { lines.append("Thiết bị lỗi,\(d.device),,\(d.count),") }
        return lines.joined(separator: "\n") + "\n"
    }

    func html(site: String) -> String {
        func rows(_ items: [(String, String)]) -> String { items.map { "<tr><td>\($0.0)</td><td>\($0.1)</td></tr>" }.joined() }
        let sessionRows = sessions.map {
            "<tr><td>\($0.type == "official" ? "Chính thức" : "Thử")</td><td>\($0.organizer)</td><td>\($0.count)</td><td>\(String(format: "%.1f", $0.hours))</td></tr>"
        }.joined()
        func minutes(_ value: Double?) -> String { value.map { String(format: "%.0f phút", $0) } ?? "—" }
        let kindRows = incidentKinds.map {
            "<tr><td>\($0.kind.vietnamese)</td><td>\($0.count)</td><td>\($0.fixed)</td><td>\(minutes($0.averageMinutes))</td><td>\(minutes($0.longestMinutes))</td></tr>"
        }.joined().ifEmpty("<tr><td colspan=\"5\">Không có sự cố.</td></tr>")
        return """
            <!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Báo cáo năm \(year)</title>
            <style>body { font-family: "Times New Roman", "DejaVu Serif", serif; font-size: 13pt; margin: 32px; }
            h1 { text-align: center; font-size: 16pt; } h2 { font-size: 13pt; margin-top: 20px; }
            table { border-collapse: collapse; min-width: 60%; } th, td { border: 1px solid #000; padding: 4px 8px; } th { background: #f0f0f0; }
            .head { display: flex; justify-content: space-between; text-align: center; } .bold { font-weight: bold; }</style></head><body>
            <div class="head"><div><div>\(site.uppercased())</div></div>
            <div><div class="bold">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</div><div class="bold"><u>Độc lập - Tự do - Hạnh phúc</u></div></div></div>
            <h1>BÁO CÁO HIỆU QUẢ HOẠT ĐỘNG HỆ THỐNG HỘI NGHỊ TRUYỀN HÌNH TRỰC TUYẾN NĂM \(year)</h1>
            <p><i>Kính gửi: Sở Thông tin và Truyền thông (Quy chế, Điều 5.8)</i></p>
            <h2>1. Số phiên theo loại và đơn vị chủ trì</h2>
            <table><tr><th>Loại phiên</th><th>Đơn vị chủ trì</th><th>Số phiên</th><th>Số giờ</th></tr>\(sessionRows)
            <tr><th colspan="2">Tổng</th><th>\(totalSessions)</th><th>\(String(format: "%.1f", totalHours))</th></tr></table>
            <h2>2. Sự cố</h2><table>\(rows([("Tổng số sự cố", "\(incidents)"), ("Phát hiện khi chạy quy trình", "\(incidentsFromProcedures)"),
                                              ("Kỹ thuật viên ghi nhận", "\(incidentsReported)"), ("Đã khắc phục", "\(incidentsFixed)")]))</table>
            <p>Theo loại sự cố:</p>
            <table><tr><th>Loại</th><th>Số sự cố</th><th>Đã khắc phục</th><th>Thời gian khắc phục trung bình</th><th>Lâu nhất</th></tr>\(kindRows)</table>
            <h2>3. Chất lượng kết nối</h2><table>\(rows([("Số phiên có đo", "\(measuredSessions)"),
                                              ("Tỷ lệ mất gói trung bình", averageLossPercent.map { String(format: "%.2f %%", $0) } ?? "chưa đo"),
                                              ("Jitter lớn nhất", worstJitterMs.map { String(format: "%.0f ms", $0) } ?? "chưa đo")]))</table>
            <h2>4. Sai lệch cấu hình so với cấu hình được phê duyệt</h2>
            <table><tr><th>Thiết bị</th><th>Số lần</th></tr>\(driftEvents.map { "<tr><td>\($0.device)</td><td>\($0.count)</td></tr>" }.joined())</table>
            <h2>5. Thiết bị gặp lỗi nhiều nhất</h2>
            <table><tr><th>Thiết bị</th><th>Số lần lỗi</th></tr>\(failures.prefix(10).map { "<tr><td>\($0.device)</td><td>\($0.count)</td></tr>" }.joined())</table>
            </body></html>

            """
    }
}

struct ReportCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "The yearly effectiveness report (Điều 5.8).")
    @OptionGroup var global: GlobalOptions
    @Option(help: "The year.") var year: Int
    @Option(help: "html, csv or json.") var format = "html"
    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.") var output: String?

    func execute() async throws {
        let context = global.context()
        let database = try context.database()
        let inventory = try context.inventory()
        let drift = try inventory.devices.flatMap { device in
            try DriftChecker(database: database).history(device: device.id, limit: 100_000).map { (device.id, $0.status, $0.checkedAt) }
        }
        let report = YearlyReport.build(year: year, logbook: try Logbook(database: database).list(), drift: drift,
                                        audit: try AuditLog(database: database).list(limit: 1_000_000))
        let text: String
        switch format {
        case "html": text = report.html(site: inventory.site)
        case "csv": text = report.csv
        case "json": text = report.json.text + "\n"
        default: throw HNTTError(.badInput, "format \(format) is not html, csv or json", fix: "pass --format html, csv or json")
        }
        if let output {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output))
            global.output.note("report for \(year) written to \(output)")
        } else {
            print(text, terminator: "")
        }
    }
}
