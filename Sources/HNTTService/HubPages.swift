import Foundation
import HNTTCore
import HNTTDocuments
import HNTTGateway
import HNTTHub
import HNTTTransport
import Hummingbird

/// The province's pages (HTML, Vietnamese) and their JSON (`/hub/v1/…`): gateways with their last sync
/// and chains, every room, every device's drift, sessions and incidents by day or month, open incidents,
/// the aggregated yearly report. Every route needs a hub account; each asks ``ProvinceViews`` only.
extension HubServer {
    func provinceRoutes(_ router: Router<ServiceContext>) {
        let server = self
        func route(
            _ method: HTTPRequest.Method, _ path: RouterPath, roles: [Role] = HubAccounts.roles,
            _ body: @escaping @Sendable (Request, UserAccount) async throws -> Response
        ) {
            router.on(path, method: method) { request, context in
                do {
                    let account = try await server.account(request, context)
                    guard roles.contains(account.role) else {
                        throw HNTTError(
                            .forbidden, "a \(account.role.rawValue) may not do this",
                            fix: "ask an account with the role " + roles.map(\.rawValue).joined(separator: " or "))
                    }
                    return try await body(request, account)
                } catch let error as HubLoginError {
                    return error.response()
                } catch let error as HNTTError where !request.uri.path.hasPrefix("/hub/") {
                    return Reply.html(
                        server.pages.render("hub-error", HubErrorPage(error)), status: HubServer.status(of: error).0)
                } catch {
                    return HubServer.response(for: error)
                }
            }
        }
        func read(_ path: RouterPath, _ body: @escaping @Sendable (Request, UserAccount) async throws -> Response) {
            route(.get, path, body)
        }
        router.get("/static/app.css") { _, _ in Reply.text(try Pages.resource("static/app.css"), type: "text/css") }
        router.get("/favicon.ico") { _, _ in
            Reply.text(try Pages.resource("static/favicon.svg"), type: "image/svg+xml")
        }
        read("/") { _, account in
            let gateways = try await server.ledger.gateways()
            let incidents = try await server.views.openIncidents()
            let devices = try await server.views.devices()
            return Reply.html(
                server.pages.render(
                    "hub-dashboard", HubDashboard(account, gateways: gateways, incidents: incidents, devices: devices)))
        }
        read("/rooms") { _, account in
            Reply.html(server.pages.render("hub-rooms", HubRooms(account, rooms: try await server.views.rooms())))
        }
        read("/activity") { request, account in
            let (period, prefix) = try HubServer.activityQuery(request)
            let rows = try await server.views.activity(by: period, prefix: prefix)
            return Reply.html(
                server.pages.render("hub-activity", HubActivity(account, by: period, prefix: prefix, rows: rows)))
        }
        read("/report") { request, account in
            let report = try await server.views.report(year: try HubServer.year(request))
            return Reply.html(server.pages.render("hub-report", HubReportPage(account, report: report)))
        }
        read("/hub/v1/gateways") { _, _ in
            Reply.json(.object([("gateways", .array(try await server.ledger.gateways().map(\.json)))]))
        }
        read("/hub/v1/devices") { _, _ in try HubServer.encoded(["devices": try await server.views.devices()]) }
        read("/hub/v1/rooms") { _, _ in try HubServer.encoded(["rooms": try await server.views.rooms()]) }
        read("/hub/v1/incidents") { _, _ in
            try HubServer.encoded(["open_incidents": try await server.views.openIncidents()])
        }
        read("/hub/v1/activity") { request, _ in
            let (period, prefix) = try HubServer.activityQuery(request)
            return try HubServer.encoded(["activity": try await server.views.activity(by: period, prefix: prefix)])
        }
        read("/hub/v1/report") { request, _ in
            Reply.json(try await server.views.report(year: try HubServer.year(request)).json)
        }
        // An approver publishes a signed baseline or change order for one gateway, as `hntt hub publish` does.
        // JSON only: a cross-site form cannot send it, though the browser holds the Basic login.
        route(.post, "/hub/v1/gateways/:gateway/publications", roles: [.approver, .admin]) { request, _ in
            guard request.headers[.contentType]?.hasPrefix("application/json") == true else {
                throw HNTTError(
                    .badInput, "the body must be JSON", fix: #"send {"document": "…"} as application/json"#)
            }
            let gateway = request.uri.path.split(separator: "/").dropLast().last.map(String.init) ?? ""
            let body = try await HubServer.decode(PublishRequest.self, request)
            let id = try await server.ledger.publish(body.document, for: gateway)
            return try HubServer.encoded(["publication": id])
        }
    }

    /// The caller of a province route: an account of the hub by HTTP Basic, throttled like the service's login.
    func account(_ request: Request, _ context: ServiceContext) async throws -> UserAccount {
        guard let header = request.headers[.authorization], header.hasPrefix("Basic "),
            let decoded = Data(base64Encoded: String(header.dropFirst(6))).map({ String(decoding: $0, as: UTF8.self) }),
            let colon = decoded.firstIndex(of: ":")
        else { throw HubLoginError.missing }
        let name = String(decoded[..<colon])
        let wait = await throttle.wait(user: name, address: context.address)
        guard wait == 0 else { throw HubLoginError.throttled(wait) }
        guard
            let account = try await accounts.authenticate(
                name, password: SecretText(String(decoded[decoded.index(after: colon)...])))
        else {
            await throttle.failed(user: name, address: context.address)
            throw HubLoginError.refused
        }
        await throttle.succeeded(user: name)
        return account
    }

    static func year(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters["year"].map(String.init) else {
            return Calendar.current.component(.year, from: Date())
        }
        guard let year = Int(text), (2000...2100).contains(year) else {
            throw HNTTError(.badInput, "year \"\(text)\" is not a year", fix: "write e.g. ?year=2026")
        }
        return year
    }

    static func activityQuery(_ request: Request) throws -> (ProvinceViews.Period, String) {
        let by = request.uri.queryParameters["by"].map(String.init) ?? "month"
        guard let period = ProvinceViews.Period(rawValue: by) else {
            throw HNTTError(.badInput, "by=\(by) is not day or month", fix: "write ?by=day or ?by=month")
        }
        let prefix = try request.uri.queryParameters["period"].map(String.init) ?? String(year(request))
        guard prefix.range(of: #"^\d{4}(-\d{2}(-\d{2})?)?$"#, options: .regularExpression) != nil else {
            throw HNTTError(.badInput, "period \"\(prefix)\" is not a year or month", fix: "write e.g. 2026 or 2026-03")
        }
        return (period, prefix)
    }

    static func encoded(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return json(String(decoding: try encoder.encode(value), as: UTF8.self) + "\n")
    }
}

/// `{"document": "…"}`: a signed baseline or change order as its file holds it.
struct PublishRequest: Decodable {
    let document: String
}

/// Why a province route refused the caller: 401 with the Basic challenge, or 429 while throttled.
enum HubLoginError: Error {
    case missing, refused
    case throttled(Int)

    func response() -> Response {
        switch self {
        case .missing, .refused:
            let missing = if case .missing = self { true } else { false }
            var response = HubServer.error(
                "forbidden", missing ? "log in with a hub account" : "the name or password is wrong",
                status: .unauthorized)
            response.headers[.wwwAuthenticate] = #"Basic realm="hntt hub", charset="UTF-8""#
            return response
        case .throttled(let seconds):
            return HubServer.error(
                "forbidden", "too many failed logins; wait \(seconds) s, then try again", status: .tooManyRequests)
        }
    }
}

extension ProvinceReport {
    /// `{"year","units":[{"gateway","report"}],"total"}`; each report in the shape of `hntt report --json`.
    public var json: JSONValue {
        .object([
            ("year", .number(year)),
            ("units", .array(units.map { .object([("gateway", .string($0.gateway)), ("report", $0.report.json)]) })),
            ("total", total.json),
        ])
    }
}
