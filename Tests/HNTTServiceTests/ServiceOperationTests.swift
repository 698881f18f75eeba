import Foundation
import HNTTCore
import HNTTGateway
import HNTTTestSupport
import HTTPTypes
import Testing

@testable import HNTTService

@Suite("The service: a technician's day through the API and the page")
struct ServiceOperationTests {
    @Test(
        "power-on and a test call run from the API; steps arrive as events; the user is the operator; 409 out of order")
    func runsFromTheAPI() async throws {
        let fixture = try await ServiceFixture.make()
        try await fixture.test { client in
            let token = try await client.logIn("kythuat")
            let early = try await client.call(
                .post, "/api/v1/rooms/xa/runs", token: token, body: #"{"procedure":"dial"}"#)
            #expect(early.status == .conflict, "\(early.text)")
            #expect((early.json["error"] as? [String: Any])?["message"] as? String ?? "" != "")
            let started = try await client.call(
                .post, "/api/v1/rooms/xa/runs", token: token, body: #"{"procedure":"power-on"}"#)
            #expect(started.status == .accepted, "\(started.text)")
            let id = try #require(started.json["run_id"] as? String)
            let run = try await client.waitForRun(id, token: token)
            #expect(run["status"] as? String == "succeeded", "\(run)")
            let steps = run["steps"] as? [[String: Any]] ?? []
            #expect(steps.count >= 3)
            #expect(steps.allSatisfy { $0["status"] as? String == "ok" && $0["elapsed_s"] != nil })
            #expect(fixture.site.cisco.store.snapshot.standby == "Off", "the codec woke")
            let events = try await client.call(.get, "/api/v1/runs/\(id)/events", token: token)
            #expect(events.headers[.contentType] == "text/event-stream")
            #expect(events.text.contains("event: step\ndata: {"))
            #expect(events.text.hasSuffix("\n\n") && events.text.contains("event: finished"))
            let test = try await client.call(
                .post, "/api/v1/rooms/xa/runs", token: token,
                body: #"{"procedure":"test-call","organizer":"UBND tỉnh","number":"chair@tinh.gov.vn"}"#)
            let tested = try await client.waitForRun(try #require(test.json["run_id"] as? String), token: token)
            #expect(tested["status"] as? String == "succeeded", "\(tested)")
            #expect(tested["logbook_entry"] as? Int != nil)
            let rooms = try await client.call(.get, "/api/v1/rooms", token: token).json["rooms"] as? [[String: Any]]
            #expect(rooms?.first { $0["id"] as? String == "xa" }?["state"] as? String == "tested")
            // Điều 5.3: the organiser of another unit's meetings is refused unless forced with a reason.
            let other = try await client.call(
                .post, "/api/v1/rooms/xa/runs", token: token, body: #"{"procedure":"test-call","organizer":"Tỉnh ủy"}"#)
            #expect(other.status == .conflict, "\(other.text)")
        }
        let entries = try await fixture.site.gateway.logEntries(room: "xa")
        let operators = entries.compactMap { $0.session?.operatorName }
        #expect(operators.contains("kythuat"))
        let audit = try await fixture.site.auditTrail()
        #expect(audit.contains { $0.action == "run power-on" && $0.operatorName == "kythuat" && $0.outcome == "done" })
        await fixture.stop()
    }

    @Test("text from any field comes back escaped on every page; the API keeps it exact")
    func escapedEverywhere() async throws {
        let fixture = try await ServiceFixture.make()
        let payload = #"<script>alert("x")</script><img src=x onerror=alert(1)>"#
        try await fixture.test { client in
            let token = try await client.logIn("kythuat")
            let body = try String(
                data: JSONSerialization.data(withJSONObject: ["room": "xa", "what": payload, "fix": payload]),
                encoding: .utf8)
            let added = try await client.call(.post, "/api/v1/logbook/incidents", token: token, body: body)
            #expect(added.status == .created, "\(added.text)")
            for page in [
                "/", "/rooms/xa", "/rooms/xa/logbook", "/rooms/xa/logbook/print", "/report", "/report?format=html",
                "/drift",
                "/api/v1/logbook/export?room=xa",
            ] {
                let reply = try await client.call(.get, page, token: token)
                #expect(reply.status == .ok, "\(page): \(reply.status)")
                #expect(!reply.text.contains("<script>alert"), "\(page) shows the payload as markup")
                #expect(!reply.text.contains("<img src=x"), "\(page) shows the payload as markup")
                // No inline script can run: the page's scripts come from the service; a document has none at all.
                let policy = reply.headers[.contentSecurityPolicy] ?? ""
                #expect(
                    policy.contains("script-src 'self'")
                        || policy.hasPrefix("default-src 'none'") && !policy.contains("script-src"),
                    "\(page): \(policy)")
            }
            let logbook = try await client.call(.get, "/rooms/xa/logbook", token: token)
            #expect(logbook.text.contains("&lt;script&gt;"))
            let json = try await client.call(.get, "/api/v1/logbook?room=xa", token: token)
            #expect(json.text.contains(#"<script>alert(\"x\")</script>"#), "the API returns the text as written")
        }
        await fixture.stop()
    }

    @Test("forms need their CSRF token; a cookie session's API call needs the header; the login form logs in")
    func csrf() async throws {
        let fixture = try await ServiceFixture.make()
        try await fixture.test { client in
            let loginPage = try await client.call(.get, "/login")
            let loginCookie = try #require(loginPage.headers[.setCookie])
            #expect(loginCookie.contains("HttpOnly") && loginCookie.contains("SameSite=Strict"))
            let loginToken = try #require(
                loginCookie.split(separator: ";").first?.split(separator: "=").last.map(String.init))
            let form = "username=kythuat&password=\(ServiceFixture.password)"
            let refused = try await client.call(
                .post, "/login", cookie: "hntt_login=\(loginToken)", body: form,
                contentType: "application/x-www-form-urlencoded")
            #expect(refused.status == .forbidden, "a login form without its token: \(refused.status)")
            let loggedIn = try await client.call(
                .post, "/login", cookie: "hntt_login=\(loginToken)", body: form + "&_csrf=\(loginToken)",
                contentType: "application/x-www-form-urlencoded")
            #expect(loggedIn.status == .seeOther, "\(loggedIn.text)")
            let sessionCookie = try #require(loggedIn.headers[.setCookie])
            #expect(sessionCookie.contains("HttpOnly") && sessionCookie.contains("SameSite=Strict"))
            let cookie = try #require(sessionCookie.split(separator: ";").first.map(String.init))
            let page = try await client.call(.get, "/rooms/xa/logbook", cookie: cookie)
            let csrf = try #require(
                page.text.range(of: #"name="_csrf" value=""#).map {
                    String(page.text[$0.upperBound...].prefix { $0 != "\"" })
                })
            let noToken = try await client.call(
                .post, "/rooms/xa/logbook/incidents", cookie: cookie, body: "what=no+token",
                contentType: "application/x-www-form-urlencoded")
            #expect(noToken.status == .forbidden)
            let withToken = try await client.call(
                .post, "/rooms/xa/logbook/incidents", cookie: cookie, body: "what=with+token&kind=audio&_csrf=\(csrf)",
                contentType: "application/x-www-form-urlencoded")
            #expect(withToken.status == .seeOther, "\(withToken.text)")
            let api = try await client.call(
                .post, "/api/v1/logbook/incidents", cookie: cookie, body: #"{"room":"xa","what":"api without header"}"#)
            #expect(api.status == .forbidden)
            let apiWithHeader = try await client.call(
                .post, "/api/v1/logbook/incidents", cookie: cookie, body: #"{"room":"xa","what":"api with header"}"#,
                headers: [.init("X-CSRF-Token")!: csrf])
            #expect(apiWithHeader.status == .created)
        }
        let texts = try await fixture.site.gateway.logEntries(room: "xa").compactMap { $0.incident?.what }
        #expect(texts == ["with token", "api with header"])
        await fixture.stop()
    }

    @Test("plain HTTP beyond loopback needs --insecure-http; the page then warns")
    func insecureListening() async throws {
        var options = ServiceOptions()
        options.host = "0.0.0.0"
        #expect(throws: HNTTError.self) { try options.validate() }
        options.insecureHTTP = true
        try options.validate()
        let site = try await GatewaySite.make()
        let state = try await ServiceState(gateway: site.gateway, options: options)
        #expect(state.pages.insecure)
        await site.stop()
    }
}

@Suite("The service's page: the same checks as the API")
struct ServicePageAccessTests {
    /// Logs in by the form; returns the session cookie and the page's CSRF token.
    func formLogIn(_ client: HTTPClient, _ name: String) async throws -> (cookie: String, csrf: String) {
        let loginPage = try await client.call(.get, "/login")
        let loginCookie = try #require(loginPage.headers[.setCookie]?.split(separator: ";").first.map(String.init))
        let token = try #require(loginCookie.split(separator: "=").last.map(String.init))
        let reply = try await client.call(
            .post, "/login", cookie: loginCookie,
            body: "username=\(name)&password=\(ServiceFixture.password)&_csrf=\(token)",
            contentType: "application/x-www-form-urlencoded")
        let cookie = try #require(reply.headers[.setCookie]?.split(separator: ";").first.map(String.init))
        let page = try await client.call(.get, "/rooms/xa", cookie: cookie)
        let csrf = try #require(
            page.text.range(of: #"name="_csrf" value=""#).map {
                String(page.text[$0.upperBound...].prefix { $0 != "\"" })
            })
        return (cookie, csrf)
    }

    @Test("a viewer and another unit's technician are refused the room's forms (403), with a valid CSRF token")
    func formsRefused() async throws {
        let fixture = try await ServiceFixture.make()
        let standby = fixture.site.cisco.store.snapshot.standby
        try await fixture.test { client in
            for name in ["xem", "kythuat-phuong", "pheduyet"] {
                let (cookie, csrf) = try await formLogIn(client, name)
                let run = try await client.call(
                    .post, "/rooms/xa/runs", cookie: cookie, body: "procedure=power-on&_csrf=\(csrf)",
                    contentType: "application/x-www-form-urlencoded")
                #expect(run.status == .forbidden, "\(name): \(run.status)")
                #expect(run.text.contains("Tài khoản này không được làm việc này"), "the refusal is said in Vietnamese")
                let incident = try await client.call(
                    .post, "/rooms/xa/logbook/incidents", cookie: cookie, body: "what=x&_csrf=\(csrf)",
                    contentType: "application/x-www-form-urlencoded")
                #expect(incident.status == .forbidden, "\(name): \(incident.status)")
                let room = try await client.call(.get, "/rooms/xa", cookie: cookie)
                #expect(!room.text.contains(#"id="run-power-on""#), "\(name) sees no procedure buttons")
            }
            let (cookie, csrf) = try await formLogIn(client, "xem")
            let drift = try await client.call(
                .post, "/drift", cookie: cookie, body: "_csrf=\(csrf)", contentType: "application/x-www-form-urlencoded"
            )
            #expect(drift.status == .forbidden)
            #expect(try await client.call(.get, "/", cookie: "hntt_session=forged").status == .seeOther)
        }
        #expect(fixture.site.cisco.store.snapshot.standby == standby)
        #expect(try await fixture.site.gateway.logEntries(room: "xa").isEmpty)
        await fixture.stop()
    }
}
