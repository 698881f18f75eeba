import Foundation
import HNTTCore
import HNTTGateway
import Testing

@testable import HNTTService

@Suite("The yearly report and the logbook as documents, from the page and the API")
struct ReportPageTests {
    static let form = "application/x-www-form-urlencoded"
    static let docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    @Test("a viewer makes the report with the office's recommendations, as Word and as the printed page")
    func reportForm() async throws {
        let fixture = try await ServiceFixture.make()
        let year = Calendar.current.component(.year, from: Date())
        try await fixture.test { client in
            let viewer = try await ServicePageAccessTests().formLogIn(client, "xem")
            let page = try await client.call(.get, "/report", cookie: viewer.cookie)
            #expect(page.status == .ok && page.text.contains(#"id="report-form""#))
            #expect(page.text.contains("Sở Khoa học và Công nghệ"))
            let notes = "<script>alert(1)</script> Đề nghị nâng cấp đường truyền"
            let encoded = notes.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            let html = try await client.call(
                .post, "/report", cookie: viewer.cookie,
                body: "year=\(year)&number=7&notes=\(encoded)&format=html&_csrf=\(viewer.csrf)", contentType: Self.form)
            #expect(html.status == .ok, "\(html.text)")
            #expect(html.text.contains("&lt;script&gt;alert(1)&lt;/script&gt; Đề nghị nâng cấp đường truyền"))
            #expect(!html.text.contains("<script>") && html.text.contains("/BC-"))
            #expect(html.text.contains("III. Ý KIẾN, KIẾN NGHỊ, ĐỀ XUẤT") && html.text.contains("Nơi nhận:"))
            let word = try await client.call(
                .post, "/report", cookie: viewer.cookie,
                body: "year=\(year)&notes=\(encoded)&format=docx&_csrf=\(viewer.csrf)", contentType: Self.form)
            #expect(word.status == .ok && word.headers[.contentType] == Self.docx)
            #expect(word.headers[.contentDisposition] == "attachment; filename=\"bao-cao-\(year).docx\"")
            #expect(word.text.hasPrefix("PK"))
            let forged = try await client.call(
                .post, "/report", cookie: viewer.cookie, body: "year=\(year)&format=html", contentType: Self.form)
            #expect(forged.status == .forbidden, "no CSRF token: \(forged.status)")
            let badNumber = try await client.call(
                .post, "/report", cookie: viewer.cookie, body: "year=\(year)&number=x&_csrf=\(viewer.csrf)",
                contentType: Self.form)
            #expect(badNumber.status == .badRequest)
            let logbook = try await client.call(.get, "/rooms/xa/logbook/print?format=docx", cookie: viewer.cookie)
            #expect(logbook.status == .ok && logbook.headers[.contentType] == Self.docx && logbook.text.hasPrefix("PK"))
            let unknown = try await client.call(.get, "/rooms/xa/logbook/print?format=exe", cookie: viewer.cookie)
            #expect(unknown.status == .badRequest)
        }
        await fixture.stop()
    }

    @Test("the API: the report with notes as JSON or DOCX, the logbook as DOCX; a login is needed")
    func reportAPI() async throws {
        let fixture = try await ServiceFixture.make()
        let year = Calendar.current.component(.year, from: Date())
        try await fixture.test { client in
            let body = #"{"year": \#(year), "notes": "Kiến nghị \"một\"", "number": 3}"#
            #expect(try await client.call(.post, "/api/v1/report", body: body).status == .unauthorized)
            let token = try await client.logIn("xem")
            let json = try await client.call(.post, "/api/v1/report", token: token, body: body)
            #expect(json.status == .ok, "\(json.text)")
            #expect(json.json["notes"] as? String == "Kiến nghị \"một\"")
            #expect((json.json["assessment"] as? [String: Any])?["measured_sessions"] as? Int == 0)
            let word = try await client.call(
                .post, "/api/v1/report", token: token, body: #"{"year": \#(year), "format": "docx"}"#)
            #expect(word.headers[.contentType] == Self.docx && word.text.hasPrefix("PK"))
            let bad = try await client.call(.post, "/api/v1/report", token: token, body: #"{"year": 12}"#)
            #expect(bad.status == .badRequest)
            let logbook = try await client.call(.get, "/api/v1/logbook/export?room=xa&format=docx", token: token)
            #expect(logbook.status == .ok && logbook.text.hasPrefix("PK"))
        }
        await fixture.stop()
    }
}
