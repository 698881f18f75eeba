import Foundation
import HNTTCore
import HNTTGateway

/// The yearly report (Điều 5.8) as JSON, CSV and a printable HTML document.
extension YearlyReport {
    public var json: JSONValue {
        .object([
            ("year", .number(year)), ("sessions_total", .number(totalSessions)),
            ("hours_total", .string(String(format: "%.2f", totalHours))),
            (
                "sessions",
                .array(
                    sessions.map {
                        .object([
                            ("type", .string($0.type)), ("organizer", .string($0.organizer)),
                            ("count", .number($0.count)), ("hours", .string(String(format: "%.2f", $0.hours))),
                        ])
                    })
            ),
            (
                "incidents",
                .object([
                    ("total", .number(incidents)), ("from_procedures", .number(incidentsFromProcedures)),
                    ("reported", .number(incidentsReported)), ("fixed", .number(incidentsFixed)),
                ])
            ),
            (
                "incidents_by_kind",
                .array(
                    incidentKinds.map { item in
                        .object([
                            ("kind", .string(item.kind.rawValue)), ("count", .number(item.count)),
                            ("fixed", .number(item.fixed)),
                            (
                                "average_minutes_to_fix",
                                item.averageMinutes.map { .string(String(format: "%.1f", $0)) } ?? .null
                            ),
                            (
                                "longest_minutes_to_fix",
                                item.longestMinutes.map { .string(String(format: "%.1f", $0)) } ?? .null
                            ),
                        ])
                    })
            ),
            (
                "quality",
                .object([
                    ("measured_sessions", .number(measuredSessions)),
                    ("average_loss_percent", averageLossPercent.map { .string(String(format: "%.2f", $0)) } ?? .null),
                    ("worst_jitter_ms", worstJitterMs.map { .string(String(format: "%.0f", $0)) } ?? .null),
                ])
            ),
            (
                "drift_events",
                .array(driftEvents.map { .object([("device", .string($0.device)), ("count", .number($0.count))]) })
            ),
            (
                "device_failures",
                .array(failures.map { .object([("device", .string($0.device)), ("count", .number($0.count))]) })
            ),
            (
                "chain_heads",
                .object(
                    chainHeads.map {
                        ($0.chain, .object([("entry", .number(Int($0.id))), ("hash", .string($0.hash))]))
                    })
            ),
        ])
    }

    public var csv: String {
        var lines = [Escape.csvLine(["Mục", "Giá trị 1", "Giá trị 2", "Số lượng", "Giờ"])]
        for s in sessions {
            lines.append(
                Escape.csvLine([
                    "Phiên", s.type == "official" ? "Chính thức" : "Thử", s.organizer, String(s.count),
                    String(format: "%.2f", s.hours),
                ]))
        }
        lines.append(Escape.csvLine(["Sự cố", "tổng", "", String(incidents), ""]))
        lines.append(Escape.csvLine(["Sự cố", "đã khắc phục", "", String(incidentsFixed), ""]))
        for k in incidentKinds {
            let average = k.averageMinutes.map { String(format: "TB %.1f phút để khắc phục", $0) } ?? ""
            lines.append(Escape.csvLine(["Sự cố theo loại", k.kind.vietnamese, average, String(k.count), ""]))
        }
        for d in driftEvents { lines.append(Escape.csvLine(["Sai lệch cấu hình", d.device, "", String(d.count), ""])) }
        for d in failures { lines.append(Escape.csvLine(["Thiết bị lỗi", d.device, "", String(d.count), ""])) }
        return lines.joined(separator: "\n") + "\n"
    }

    public func html(site: String) -> String {
        let e = Escape.html
        func rows(_ items: [(String, String)]) -> String {
            items.map { "<tr><td>\(e($0.0))</td><td>\(e($0.1))</td></tr>" }.joined()
        }
        let sessionRows = sessions.map {
            "<tr><td>\($0.type == "official" ? "Chính thức" : "Thử")</td><td>\(e($0.organizer))</td><td>\($0.count)</td><td>\(String(format: "%.1f", $0.hours))</td></tr>"
        }.joined()
        func minutes(_ value: Double?) -> String { value.map { String(format: "%.0f phút", $0) } ?? "—" }
        let kindRows = incidentKinds.map {
            "<tr><td>\(e($0.kind.vietnamese))</td><td>\($0.count)</td><td>\($0.fixed)</td><td>\(minutes($0.averageMinutes))</td><td>\(minutes($0.longestMinutes))</td></tr>"
        }.joined().ifEmpty("<tr><td colspan=\"5\">Không có sự cố.</td></tr>")
        return """
            <!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Báo cáo năm \(year)</title>
            <style>body { font-family: "Times New Roman", "DejaVu Serif", serif; font-size: 13pt; margin: 32px; }
            h1 { text-align: center; font-size: 16pt; } h2 { font-size: 13pt; margin-top: 20px; }
            table { border-collapse: collapse; min-width: 60%; } th, td { border: 1px solid #000; padding: 4px 8px; } th { background: #f0f0f0; }
            .head { display: flex; justify-content: space-between; text-align: center; } .bold { font-weight: bold; }</style></head><body>
            <div class="head"><div><div>\(e(site.uppercased()))</div></div>
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
            <table><tr><th>Thiết bị</th><th>Số lần</th></tr>\(driftEvents.map { "<tr><td>\(e($0.device))</td><td>\($0.count)</td></tr>" }.joined())</table>
            <h2>5. Thiết bị gặp lỗi nhiều nhất</h2>
            <table><tr><th>Thiết bị</th><th>Số lần lỗi</th></tr>\(failures.prefix(10).map { "<tr><td>\(e($0.device))</td><td>\($0.count)</td></tr>" }.joined())</table>
            <p style="font-size: 9pt">Mã kiểm tra sổ nhật ký và nhật ký kiểm toán khi lập báo cáo: \(chainHeads.map { "\(e($0.chain == "audit" ? "kiểm toán" : "sổ nhật ký")) mục \($0.id) \(e(String($0.hash.prefix(16))))" }.joined(separator: "; "))</p>
            </body></html>

            """
    }
}
