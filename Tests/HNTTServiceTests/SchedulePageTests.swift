import Foundation
import HNTTCore
import HNTTGateway
import HNTTGovernance
import Testing

@testable import HNTTService

@Suite("The week view of a room's bookings and the dashboard's alerts")
struct SchedulePageTests {
    static let form = "application/x-www-form-urlencoded"

    @Test("a technician books and cancels on the week view; a viewer and another unit are refused; all escaped")
    func weekView() async throws {
        let fixture = try await ServiceFixture.make()
        let tomorrow = LocalDay.tomorrow
        try await fixture.test { client in
            let pages = ServicePageAccessTests()
            let technician = try await pages.formLogIn(client, "kythuat")
            let title = "<script>alert(1)</script>"
            let body =
                "start=\(tomorrow)T09:00&end=\(tomorrow)T10:30&organizer=UBND+t%E1%BB%89nh&chair=1001%40chair.example"
                + "&title=\(title.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
            let booked = try await client.call(
                .post, "/rooms/xa/bookings", cookie: technician.cookie, body: body + "&_csrf=\(technician.csrf)",
                contentType: SchedulePageTests.form)
            #expect(booked.status == .seeOther, "\(booked.text)")
            let location = try #require(booked.headers[.location])
            #expect(location.hasPrefix("/rooms/xa/bookings?week="))
            let week = try await client.call(.get, location, cookie: technician.cookie)
            #expect(week.status == .ok)
            #expect(week.text.contains("09:00 – 10:30"))
            #expect(week.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!week.text.contains(title))
            #expect(week.text.contains(#"id="new-booking""#))

            let viewer = try await pages.formLogIn(client, "xem")
            let seen = try await client.call(.get, location, cookie: viewer.cookie)
            #expect(seen.status == .ok && seen.text.contains("09:00 – 10:30"))
            #expect(!seen.text.contains(#"id="new-booking""#))
            for name in ["xem", "kythuat-phuong"] {
                let other = try await pages.formLogIn(client, name)
                let refused = try await client.call(
                    .post, "/rooms/xa/bookings", cookie: other.cookie, body: body + "&_csrf=\(other.csrf)",
                    contentType: SchedulePageTests.form)
                #expect(refused.status == .forbidden, "\(name): \(refused.status)")
            }
            let booking = try #require(try await fixture.site.gateway.bookings(room: "xa").first)
            #expect(booking.title == title)
            let cancelled = try await client.call(
                .post, "/bookings/\(booking.id)/cancel", cookie: technician.cookie,
                body: "reason=ho%C3%A3n&_csrf=\(technician.csrf)", contentType: SchedulePageTests.form)
            #expect(cancelled.status == .seeOther)
            #expect(try await fixture.site.gateway.booking(booking.id).status == .cancelled)
        }
        await fixture.stop()
    }

    @Test("alerts are listed on the dashboard, escaped, and by the API with their id")
    func alertsShown() async throws {
        let fixture = try await ServiceFixture.make()
        _ = await fixture.site.gateway.alert(
            AlertDraft(
                kind: "unauthorised-change", message: "<img src=x onerror=alert(1)>", room: "xa",
                device: "xa-cisco", key: "SIP DisplayName"))
        try await fixture.test { client in
            let viewer = try await ServicePageAccessTests().formLogIn(client, "xem")
            let dashboard = try await client.call(.get, "/", cookie: viewer.cookie)
            #expect(dashboard.text.contains("Thay đổi cấu hình ngoài hntt"))
            #expect(dashboard.text.contains("&lt;img src=x onerror=alert(1)&gt;"))
            #expect(!dashboard.text.contains("<img src=x"))
            let token = try await client.logIn("xem")
            let alerts = try await client.call(.get, "/api/v1/alerts", token: token).json["alerts"] as? [[String: Any]]
            #expect(alerts?.first?["key"] as? String == "SIP DisplayName")
            #expect(alerts?.first?["id"] as? Int != nil)
            #expect(alerts?.first?["message"] as? String == "<img src=x onerror=alert(1)>")
        }
        await fixture.stop()
    }
}

enum LocalDay {
    /// Tomorrow as `YYYY-MM-DD`, in the machine's zone.
    static var tomorrow: String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date() + 86_400)
    }
}
