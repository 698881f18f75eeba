import Foundation
import HNTTCore
import HNTTGovernance

/// Bookings as an iCalendar feed (RFC 5545) a technician's phone can subscribe to.
public enum BookingCalendar {
    public static func ics(_ bookings: [Booking], site: String, rooms: [String: String], host: String) -> String {
        var lines = [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//hntt//bookings//VI", "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH", "X-WR-CALNAME:" + text("Phòng họp trực tuyến — \(site)"),
        ]
        let stamp = utc(Date())
        for booking in bookings {
            let title = booking.title.isEmpty ? "Hội nghị truyền hình: \(booking.organizer)" : booking.title
            lines += [
                "BEGIN:VEVENT", "UID:booking-\(booking.id)@\(host)", "DTSTAMP:\(stamp)",
                "DTSTART:\(utc(booking.start))", "DTEND:\(utc(booking.end))", "SUMMARY:" + text(title),
                "LOCATION:" + text(rooms[booking.room] ?? booking.room),
                "DESCRIPTION:" + text("Cơ quan tổ chức: \(booking.organizer)\nĐiểm cầu chủ trì: \(booking.chair)"),
                "STATUS:" + (booking.status == .cancelled ? "CANCELLED" : "CONFIRMED"), "END:VEVENT",
            ]
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    /// A TEXT value: backslash, semicolon, comma and newlines escaped (§3.3.11); other control characters dropped.
    static func text(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\n": out += "\\n"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: continue
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Lines longer than 75 octets folded with CRLF and a space (§3.1), never inside a UTF-8 character.
    static func fold(_ line: String) -> String {
        var out = ""
        var octets = 0
        for character in line {
            let size = String(character).utf8.count
            if octets + size > 75 {
                out += "\r\n "
                octets = 1
            }
            out.append(character)
            octets += size
        }
        return out
    }

    static func utc(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }
}
