import Foundation
import HNTTCore
import HNTTGateway
import HTTPTypes
import Testing

@testable import HNTTDocuments
@testable import HNTTService

@Suite("Bookings (Điều 5.1): registered, overlaps refused, a calendar feed")
struct BookingTests {
    @Test("a booking is stored in UTC and shown with the local offset; an overlap names the booking it hits")
    func overlapRefused() async throws {
        let fixture = try await ServiceFixture.make()
        let gateway = fixture.site.gateway
        let technician = Caller(operatorName: "kythuat", role: .technician, unit: "Văn phòng HĐND và UBND xã")
        let first = try await gateway.addBooking(
            BookingRequest(
                room: "xa", start: "2030-03-04 08:00", end: "2030-03-04 10:00", organizer: "UBND tỉnh",
                chair: "chair@tinh.gov.vn", title: "Giao ban; quý I, 2030"), by: technician)
        #expect(first.status == .booked)
        #expect(first.end.timeIntervalSince(first.start) == 7200)
        let overlap = await #expect(throws: HNTTError.self) {
            try await gateway.addBooking(
                BookingRequest(
                    room: "xa", start: "2030-03-04 09:30", end: "2030-03-04 11:00", organizer: "UBND tỉnh",
                    chair: "chair@tinh.gov.vn"), by: technician)
        }
        #expect(overlap?.exitCode == 2)
        #expect(overlap?.message.contains("booking \(first.id)") == true, "\(overlap?.message ?? "")")
        // Back to back is no overlap; another room is free.
        _ = try await gateway.addBooking(
            BookingRequest(
                room: "xa", start: "2030-03-04 10:00", end: "2030-03-04 11:00", organizer: "UBND tỉnh", chair: "84123"),
            by: technician)
        _ = try await gateway.addBooking(
            BookingRequest(
                room: "phuong", start: "2030-03-04 09:00", end: "2030-03-04 10:00", organizer: "Tỉnh ủy",
                chair: "84123"), by: Caller(operatorName: "test"))
        let unknown = await #expect(throws: HNTTError.self) {
            try await gateway.addBooking(
                BookingRequest(
                    room: "xa", start: "2030-03-05 08:00", end: "2030-03-05 09:00", organizer: "Ai đó", chair: "1"),
                by: technician)
        }
        #expect(unknown?.message.contains("organizers") == true)
        _ = try await gateway.cancelBooking(first.id, reason: "hoãn", by: technician)
        let again = try await gateway.addBooking(
            BookingRequest(
                room: "xa", start: "2030-03-04 09:00", end: "2030-03-04 10:00", organizer: "UBND tỉnh", chair: "84123"),
            by: technician)
        #expect(again.id > first.id, "a cancelled booking no longer holds the room")
        #expect(try await gateway.bookings(room: "xa", from: "2030-03-04", to: "2030-03-04").count == 3)
        #expect(try await gateway.bookings(room: "xa", from: "2030-03-05").isEmpty)
        let shape = first.json.text
        #expect(shape.contains(#""booking_id": \#(first.id)"#) && shape.contains(#""chair": "chair@tinh.gov.vn""#))
        await fixture.stop()
    }

    @Test("the API books as the logged-in technician and serves an RFC 5545 feed: CRLF, folded, escaped")
    func calendarFeed() async throws {
        let fixture = try await ServiceFixture.make()
        try await fixture.test { client in
            let token = try await client.logIn("kythuat")
            let body = #"""
                {"room": "xa", "start": "2030-03-04 08:00", "end": "2030-03-04 10:00", "organizer": "UBND tỉnh",
                 "chair": "chair@tinh.gov.vn", "title": "Hội nghị trực tuyến toàn tỉnh về chuyển đổi số, cải cách hành chính; quý I"}
                """#
            let added = try await client.call(.post, "/api/v1/bookings", token: token, body: body)
            #expect(added.status == .created, "\(added.text)")
            #expect(added.json["booked_by"] as? String == "kythuat")
            let clash = try await client.call(.post, "/api/v1/bookings", token: token, body: body)
            #expect(clash.status == .badRequest)
            let other = try await client.logIn("kythuat-phuong")
            #expect(try await client.call(.post, "/api/v1/bookings", token: other, body: body).status == .forbidden)
            let feed = try await client.call(.get, "/api/v1/bookings.ics", token: token)
            #expect(feed.headers[.contentType]?.hasPrefix("text/calendar") == true)
            #expect(feed.text.hasPrefix("BEGIN:VCALENDAR\r\n") && feed.text.hasSuffix("END:VCALENDAR\r\n"))
            let lines = feed.text.components(separatedBy: "\r\n")
            #expect(lines.allSatisfy { $0.utf8.count <= 75 }, "every line folded to 75 octets")
            let unfolded = feed.text.replacingOccurrences(of: "\r\n ", with: "")
            #expect(unfolded.contains("DTSTART:"))
            #expect(unfolded.contains("\\, cải cách hành chính\\; quý I"), "commas and semicolons escaped")
            #expect(unfolded.contains("SUMMARY:Hội nghị trực tuyến toàn tỉnh về chuyển đổi số"))
        }
        await fixture.stop()
    }
}
