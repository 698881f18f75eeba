import Foundation
import HNTTCore
import HNTTGateway
import HTTPTypes
import Testing
import Yams

@testable import HNTTService

/// Who may use which route: the specification the server's checks are held to.
enum Need {
    case open, session, read, operate, approve, administer
}

func need(_ method: HTTPRequest.Method, _ path: String) -> Need {
    switch (method, path) {
    case (_, "/healthz"), (_, "/api/v1/openapi.yaml"), (_, "/api/v1/login"): return .open
    case (_, "/api/v1/logout"): return .session
    case (_, let path) where path.hasPrefix("/api/v1/users"): return .administer
    case (.post, "/api/v1/drift"), (.post, "/api/v1/changes"), (.post, "/api/v1/changes/{order}/confirm"):
        return .approve
    // Making the report with the office's notes changes nothing: reading is enough.
    case (.get, _), (.post, "/api/v1/report"): return .read
    default: return .operate
    }
}

@Suite("The service's API: every route checks the caller's role and unit")
struct ServiceAccessTests {
    /// The routes of the OpenAPI document in the repository, as `METHOD path`.
    static func documentedRoutes() throws -> Set<String> {
        let text = try Pages.resource("openapi.yaml")
        guard let document = try Yams.load(yaml: text) as? [String: Any],
            let paths = document["paths"] as? [String: Any]
        else { throw HNTTError(.badFile, "openapi.yaml has no paths") }
        var routes: Set<String> = []
        for (path, item) in paths {
            for method in (item as? [String: Any] ?? [:]).keys where ["get", "post", "put", "delete"].contains(method) {
                routes.insert("\(method.uppercased()) \(path)")
            }
        }
        return routes
    }

    static func concrete(_ path: String, entry: Int) -> String {
        path.replacingOccurrences(of: "{id}", with: "xa-cisco").replacingOccurrences(of: "{room}", with: "xa")
            .replacingOccurrences(of: "{run_id}", with: "no-such-run").replacingOccurrences(
                of: "{entry}", with: "\(entry)"
            )
            .replacingOccurrences(of: "{order}", with: "no-such-order").replacingOccurrences(of: "{name}", with: "xem")
    }

    /// A body that would pass the route's decoding, so a refusal is the check, not the parser.
    static func body(_ method: HTTPRequest.Method, _ path: String) -> String? {
        guard method == .post || method == .delete else { return nil }
        switch path {
        case "/api/v1/devices/{id}/mute": return #"{"muted": true}"#
        case "/api/v1/rooms/{room}/runs": return #"{"procedure": "power-on"}"#
        case "/api/v1/logbook/incidents": return #"{"room": "xa", "what": "forbidden incident"}"#
        case "/api/v1/logbook/{entry}/fix", "/api/v1/logbook/{entry}/correct": return #"{"text": "forbidden"}"#
        case "/api/v1/users": return #"{"name": "intruder", "role": "admin", "password": "intruder-pass-1"}"#
        case "/api/v1/bookings":
            return
                #"{"room": "xa", "start": "2030-01-02 09:00", "end": "2030-01-02 11:00", "organizer": "UBND tỉnh", "chair": "chair@tinh.gov.vn"}"#
        default: return "{}"
        }
    }

    @Test("the OpenAPI document in the repository lists exactly the routes the service serves")
    func documentMatchesRoutes() throws {
        let served = Set(APIRoutes.table.map { "\($0.method.rawValue) \($0.path)" })
        let documented = try Self.documentedRoutes()
        #expect(served.subtracting(documented).isEmpty, "served but not documented: \(served.subtracting(documented))")
        #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served))")
        #expect(served.count == APIRoutes.table.count, "a route is listed twice")
    }

    @Test("every route but the open ones answers 401 without a session, or with a made-up token")
    func unauthorisedEverywhere() async throws {
        let fixture = try await ServiceFixture.make()
        try await fixture.test { client in
            for route in APIRoutes.table where need(route.method, route.path) != .open {
                let uri = Self.concrete(route.path, entry: 1)
                let body = Self.body(route.method, route.path)
                let anonymous = try await client.call(route.method, uri, body: body)
                #expect(
                    anonymous.status == .unauthorized, "\(route.method) \(uri): \(anonymous.status) \(anonymous.text)")
                #expect(anonymous.json["error"] != nil, "\(route.method) \(uri): \(anonymous.text)")
                let forged = try await client.call(route.method, uri, token: "forged-token", body: body)
                #expect(forged.status == .unauthorized, "\(route.method) \(uri) with a forged token: \(forged.status)")
            }
            #expect(try await client.call(.get, "/healthz").status == .ok)
            #expect(try await client.call(.get, "/api/v1/openapi.yaml").text.hasPrefix("openapi:"))
        }
        #expect(fixture.site.cisco.store.snapshot.micMuted == false, "nothing reached the codec")
        await fixture.stop()
    }

    @Test("a role or unit that may not use a route gets 403, and nothing changes")
    func forbiddenByRoleAndUnit() async throws {
        let fixture = try await ServiceFixture.make()
        let standby = fixture.site.cisco.store.snapshot.standby
        try await fixture.test { client in
            let technician = try await client.logIn("kythuat")
            let incident = try await client.call(
                .post, "/api/v1/logbook/incidents", token: technician, body: #"{"room": "xa", "what": "micro 3"}"#)
            #expect(incident.status == .created, "\(incident.text)")
            let entry = incident.json["entry_id"] as? Int ?? 0
            let tokens = [
                "kythuat": technician, "kythuat-phuong": try await client.logIn("kythuat-phuong"),
                "pheduyet": try await client.logIn("pheduyet"), "xem": try await client.logIn("xem"),
                "quantri": try await client.logIn("quantri"),
            ]
            // Who may do what: the technician of `phuong` may not operate room `xa`.
            let allowed: [Need: Set<String>] = [
                .read: Set(tokens.keys), .session: Set(tokens.keys), .operate: ["kythuat"], .approve: ["pheduyet"],
                .administer: ["quantri"],
            ]
            var refusals = 0
            for route in APIRoutes.table {
                let needed = need(route.method, route.path)
                guard needed != .open, needed != .session else { continue }
                for (name, token) in tokens where !(allowed[needed] ?? []).contains(name) {
                    let uri = Self.concrete(route.path, entry: entry)
                    let reply = try await client.call(
                        route.method, uri, token: token, body: Self.body(route.method, route.path))
                    #expect(
                        reply.status == .forbidden, "\(name): \(route.method) \(uri) gave \(reply.status) \(reply.text)"
                    )
                    refusals += 1
                }
            }
            #expect(refusals >= 50)
            let entries = try await client.call(.get, "/api/v1/logbook?room=xa", token: technician).json["entries"]
            #expect((entries as? [Any])?.count == 1, "only the technician's own incident was written")
            #expect(try await fixture.site.gateway.users().map(\.name).contains("intruder") == false)
            #expect(try await fixture.site.gateway.bookings().isEmpty, "no refused booking was stored")
        }
        #expect(fixture.site.cisco.store.snapshot.micMuted == false)
        #expect(fixture.site.cisco.store.snapshot.standby == standby, "no refused wake reached the codec")
        await fixture.stop()
    }

    @Test("a known path with a method it lacks is 405 with Allow; a query that is not a number is 400 naming it")
    func methodsAndQueries() async throws {
        let fixture = try await ServiceFixture.make()
        try await fixture.test { client in
            let token = try await client.logIn("xem")
            let wrong = try await client.call(.delete, "/api/v1/rooms", token: token)
            #expect(wrong.status == .methodNotAllowed)
            #expect(wrong.headers[.allow] == "GET")
            #expect(try await client.call(.get, "/api/v1/no-such-route", token: token).status == .notFound)
            let limit = try await client.call(.get, "/api/v1/audit?limit=lots", token: token)
            #expect(limit.status == .badRequest)
            #expect(limit.text.contains("limit=lots"))
            #expect(try await client.call(.get, "/api/v1/report?year=1066", token: token).status == .badRequest)
            #expect(
                try await client.call(.get, "/api/v1/bookings?room=", token: token).status == .ok, "empty means absent")
        }
        await fixture.stop()
    }

    @Test("failed logins are throttled per user, even when the right password follows; sessions expire")
    func throttleAndExpiry() async throws {
        let fixture = try await ServiceFixture.make(sessionLifetime: 1)
        try await fixture.test { client in
            let token = try await client.logIn("xem")
            for _ in 0..<5 {
                let wrong = try await client.call(
                    .post, "/api/v1/login", body: #"{"username":"kythuat","password":"guess-guess"}"#)
                #expect(wrong.status == .unauthorized)
                #expect(!wrong.text.contains("guess-guess"))
            }
            let right = try await client.call(
                .post, "/api/v1/login", body: #"{"username":"kythuat","password":"\#(ServiceFixture.password)"}"#)
            #expect(right.status == .tooManyRequests, "\(right.text)")
            #expect(right.json["token"] == nil)
            try await Task.sleep(nanoseconds: 1_500_000_000)
            #expect(try await client.call(.get, "/api/v1/rooms", token: token).status == .unauthorized)
        }
        let audit = try await fixture.site.auditTrail()
        #expect(audit.filter { $0.action == "login" && $0.outcome == "refused" }.count == 5)
        await fixture.stop()
    }
}
