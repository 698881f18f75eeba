import Foundation
import HNTTCore
import HNTTGateway

/// The yearly report (Điều 5.8) as JSON and CSV; ``ReportDocument`` makes the official document.
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
            ("assessment", assessment.json),
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
}
