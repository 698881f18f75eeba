import Foundation
import HNTTCore
import HNTTDocuments
import HNTTGateway
import HNTTGovernance
import HNTTProcedures
import HTTPTypes
import Hummingbird

/// The web page: server-rendered, the same Gateway calls as the API, forms with CSRF tokens.
struct WebRoutes: Sendable {
    let state: ServiceState
    var gateway: Gateway { state.gateway }
    static let loginCookie = "hntt_login"

    typealias Handler = @Sendable (Request, ServiceContext) async throws -> Response

    struct Page: PageModel {
        let title: String
        let site: String
        let user: PageUser?
        let insecure: Bool
        var flash: Flash?
        var rooms: [RoomCard] = []
        var room: RoomCard?
        var roomName = ""
        var roomID = ""
        var mayOperate = false
        var mayApprove = false
        var csrf = ""
        var organizers: [String] = []
        var runs: [RunLine] = []
        var entries: [EntryLine] = []
        var kinds: [KindOption] = []
        var devices: [DriftLine] = []
        var results: String?
        var loginToken = ""
        var message = ""
        var headline = ""
        var fix: String?
        // A run's page.
        var id = ""
        var procedure = ""
        var startedBy = ""
        var startedAt = ""
        var status = ""
        var statusName = ""
        var error: String?
        var steps: [StepLine] = []
        var baselines: [BaselineLine] = []
        var pending: [String] = []
        var days: [BookingDay] = []
        var weekName = ""
        var previousWeek = ""
        var nextWeek = ""
        var alerts: [AlertLine] = []
        var report: ReportPage?
        var mcu: BridgePage?
    }

    struct StepLine {
        let title: String
        let status: String
        let result: String
        let detail: String?
        let elapsed: String

        init(_ step: RunResult.StepOutcome) {
            title = step.vietnameseTitle.isEmpty ? step.title : step.vietnameseTitle
            status = step.ok ? "ok" : "failed"
            result = step.ok ? "đạt" : "KHÔNG ĐẠT"
            detail = step.detail.isEmpty ? nil : step.detail
            elapsed = String(format: "%.1f", step.elapsed)
        }
    }

    struct BaselineLine {
        let device: String
        let version: Int
        let reference: String
        let signer: String
        let signedAt: String
        let count: Int
    }

    struct RunLine {
        let id: String
        let procedure: String
        let statusName: String
        let startedBy: String
        let startedAt: String
    }

    struct EntryLine {
        let id: Int64
        let at: String
        let kindName: String
        let text: String
        let openIncident: Bool
        let signable: Bool
        let mayOperate: Bool
        let csrf: String
    }

    struct KindOption {
        let value: String
        let name: String
    }

    struct DriftLine {
        let id: String
        let room: String
        let status: String
        let statusName: String
        let at: String
    }

    func page(_ title: String, _ context: ServiceContext) throws -> Page {
        Page(
            title: title, site: try gateway.inventory().site, user: context.session.map(PageUser.init),
            insecure: state.pages.insecure, csrf: context.session?.csrf ?? "")
    }

    func register(on router: Router<ServiceContext>) {
        func on(_ method: HTTPRequest.Method, _ path: String, form: Bool = false, _ handler: @escaping Handler) {
            router.on(RouterPath(path), method: method) { request, context in
                do {
                    return try await handler(request, context)
                } catch ServiceError.notLoggedIn {
                    return Reply.redirect("/login")
                } catch {
                    return errorPage(error, context)
                }
            }
        }
        on(.get, "/static/app.css") { _, _ in Reply.text(try Pages.resource("static/app.css"), type: "text/css") }
        on(.get, "/static/app.js") { _, _ in
            Reply.text(try Pages.resource("static/app.js"), type: "text/javascript")
        }
        on(.get, "/favicon.ico") { _, _ in
            Reply.text(try Pages.resource("static/favicon.svg"), type: "image/svg+xml")
        }
        on(.get, "/login") { _, context in
            var page = try page("Đăng nhập", context)
            page.loginToken = Sessions.randomToken()
            var response = Reply.html(state.pages.render("login", page))
            response.setCookie(cookie(WebRoutes.loginCookie, page.loginToken, maxAge: 600))
            return response
        }
        on(.post, "/login", logIn)
        on(.post, "/logout") { request, context in
            try await checkForm(request, context, CSRFOnly.self)
            if let token = context.session?.token { await state.sessions.close(token) }
            var response = Reply.redirect("/login")
            response.setCookie(cookie(AuthenticationMiddleware.cookieName, "", maxAge: 0))
            return response
        }
        on(.get, "/") { _, context in
            _ = try context.caller(may: .read, state: state)
            var page = try page("Bảng điều khiển", context)
            page.rooms = try await gateway.roomOverviews(state.live).map(RoomCard.init)
            try await decorate(&page)
            return Reply.html(state.pages.render("dashboard", page))
        }
        on(.get, "/rooms/{room}", roomPage)
        registerSchedule { method, path, handler in on(method, path, handler) }
        on(.post, "/rooms/{room}/runs", startRun)
        on(.get, "/runs/{run_id}", runPage)
        on(.get, "/rooms/{room}/logbook", logbookPage)
        on(.post, "/rooms/{room}/logbook/incidents", addIncident)
        on(.post, "/logbook/{entry}/fix") { request, context in
            let form = try await checkForm(request, context, FixForm.self)
            let (id, room) = try await entry(context)
            let caller = try context.caller(may: .operate(room: room), state: state)
            _ = try await gateway.fixIncident(id, fix: form.fix, at: nil, by: caller)
            return Reply.redirect("/rooms/\(room)/logbook")
        }
        on(.post, "/logbook/{entry}/sign") { request, context in
            try await checkForm(request, context, CSRFOnly.self)
            let (id, room) = try await entry(context)
            let caller = try context.caller(may: .operate(room: room), state: state)
            _ = try await gateway.signEntry(id, signer: caller.operatorName ?? "", by: caller)
            return Reply.redirect("/rooms/\(room)/logbook")
        }
        on(.get, "/rooms/{room}/logbook/print") { request, context in
            _ = try context.caller(may: .read, state: state)
            return try await DocumentReplies.logbook(
                gateway, room: try room(context).id, from: request.query("from"), to: request.query("to"),
                format: request.query("format"))
        }
        registerReport { method, path, handler in on(method, path, handler) }
        registerBridge { method, path, handler in on(method, path, handler) }
        on(.get, "/drift") { _, context in try await driftPage(context, results: nil) }
        on(.get, "/approvals") { _, context in
            let caller = try context.caller(may: .read, state: state)
            var page = try page("Cấu hình chuẩn", context)
            page.mayApprove = caller.may(.approve, in: try gateway.inventory())
            page.baselines = try await gateway.baselineHistory(device: nil).map {
                BaselineLine(
                    device: $0.device, version: $0.version, reference: $0.reference, signer: $0.signer,
                    signedAt: $0.signedAt, count: $0.settings.count)
            }
            page.pending = try await gateway.pendingChanges().map(\.line)
            return Reply.html(state.pages.render("approvals", page))
        }
        on(.post, "/drift") { request, context in
            try await checkForm(request, context, CSRFOnly.self)
            let caller = try context.caller(may: .approve, state: state)
            let reports = try await gateway.checkDrift(by: caller)
            return try await driftPage(
                context,
                results: reports.map { $0.lines(remediating: false).joined(separator: "\n") }.joined(separator: "\n"))
        }
    }

    // MARK: forms

    /// A form that carries the session's CSRF token in its `_csrf` field.
    protocol CSRFForm: Decodable { var _csrf: String? { get } }

    struct CSRFOnly: CSRFForm { let _csrf: String? }

    struct LoginForm: CSRFForm {
        let _csrf: String?
        let username: String
        let password: String
    }

    struct RunForm: CSRFForm {
        let _csrf: String?
        let procedure: String
        let organizer: String?
        let number: String?
        let force: String?
        let reason: String?
    }

    struct IncidentForm: CSRFForm {
        let _csrf: String?
        let what: String
        let kind: String?
        let fix: String?
    }

    struct ReportForm: CSRFForm {
        let _csrf: String?
        let year: Int
        let number: String?
        let notes: String?
        let format: String?
    }

    struct FixForm: CSRFForm {
        let _csrf: String?
        let fix: String
    }

    /// Decodes a form and checks its CSRF token against the session's (the login form is checked against its
    /// cookie in ``logIn(_:_:)``).
    @discardableResult
    func checkForm<T: CSRFForm>(_ request: Request, _ context: ServiceContext, _ type: T.Type) async throws -> T {
        let form = try await request.form(T.self)
        let sent = form._csrf
        guard let session = context.session else { throw ServiceError.notLoggedIn }
        guard let sent, !sent.isEmpty, sent == session.csrf else { throw ServiceError.csrf }
        return form
    }

    @Sendable func logIn(_ request: Request, _ context: ServiceContext) async throws -> Response {
        let form = try await request.form(LoginForm.self)
        guard let expected = request.cookies[WebRoutes.loginCookie]?.value, !expected.isEmpty,
            form._csrf == expected
        else { throw ServiceError.csrf }
        do {
            let session = try await APIRoutes.logIn(form.username, form.password, from: context.address, state: state)
            var response = Reply.redirect("/")
            response.setCookie(cookie(AuthenticationMiddleware.cookieName, session.token, maxAge: nil))
            response.setCookie(cookie(WebRoutes.loginCookie, "", maxAge: 0))
            return response
        } catch let error as ServiceError {
            var page = try page("Đăng nhập", context)
            page.loginToken = expected
            switch error {
            case .throttled(let seconds):
                page.flash = Flash(text: "Đăng nhập sai quá nhiều lần; hãy thử lại sau \(seconds) giây.", kind: "bad")
            default: page.flash = Flash(text: "Tên đăng nhập hoặc mật khẩu không đúng.", kind: "bad")
            }
            return Reply.html(
                state.pages.render("login", page),
                status: error.status == .tooManyRequests ? .tooManyRequests : .unauthorized)
        }
    }

    func cookie(_ name: String, _ value: String, maxAge: Int?) -> Cookie {
        Cookie(
            name: name, value: value, maxAge: maxAge, path: "/", secure: state.options.usesTLS, httpOnly: true,
            sameSite: .strict)
    }

    // MARK: pages

    func room(_ context: ServiceContext) throws -> Room {
        let id = try context.parameters.require("room")
        guard let room = try gateway.inventory().rooms.first(where: { $0.id == id }) else {
            throw ServiceError.notFound("room \(id)")
        }
        return room
    }

    func entry(_ context: ServiceContext) async throws -> (Int64, String) {
        let text = try context.parameters.require("entry")
        guard let id = Int64(text), let found = try? await gateway.logEntry(id) else {
            throw ServiceError.notFound("logbook entry \(text)")
        }
        return (id, found.entry.room)
    }

    func overview(_ room: Room) async throws -> RoomCard {
        guard let found = try await gateway.roomOverviews(state.live).first(where: { $0.id == room.id }) else {
            throw ServiceError.notFound("room \(room.id)")
        }
        return RoomCard(found)
    }

    @Sendable func roomPage(_ request: Request, _ context: ServiceContext) async throws -> Response {
        let caller = try context.caller(may: .read, state: state)
        let room = try room(context)
        let inventory = try gateway.inventory()
        var page = try page(room.name, context)
        page.room = try await overview(room)
        page.mayOperate = caller.may(.operate(room: room.id), in: inventory)
        page.organizers = inventory.organizers.keys.sorted()
        page.runs = await state.runs.recent(room: room.id).prefix(10).map {
            RunLine(
                id: $0.id, procedure: Vietnamese.procedure($0.procedure), statusName: Vietnamese.run($0.status),
                startedBy: $0.startedBy,
                startedAt: LogbookDocument.local($0.startedAt, "HH:mm:ss dd/MM/yyyy"))
        }
        return Reply.html(state.pages.render("room", page))
    }

    @Sendable func startRun(_ request: Request, _ context: ServiceContext) async throws -> Response {
        let form = try await checkForm(request, context, RunForm.self)
        let room = try room(context)
        let caller = try context.caller(may: .operate(room: room.id), state: state)
        let id = try await state.runs.start(
            RunRequest(
                procedure: form.procedure, room: room.id, organizer: form.organizer.nonEmpty,
                number: form.number.nonEmpty, force: form.force == "on", reason: form.reason.nonEmpty), by: caller)
        return Reply.redirect("/runs/\(id)")
    }

    @Sendable func runPage(_ request: Request, _ context: ServiceContext) async throws -> Response {
        _ = try context.caller(may: .read, state: state)
        let id = try context.parameters.require("run_id")
        guard let run = await state.runs.run(id) else { throw ServiceError.notFound("run \(id)") }
        var page = try page(Vietnamese.procedure(run.procedure), context)
        page.id = run.id
        page.procedure = Vietnamese.procedure(run.procedure)
        page.roomName = (try? gateway.inventory().room(run.room).name) ?? run.room
        page.startedBy = run.startedBy
        page.startedAt = LogbookDocument.local(run.startedAt, "HH:mm:ss dd/MM/yyyy")
        page.status = run.status.rawValue
        page.statusName = Vietnamese.run(run.status)
        page.error = run.error?.message
        page.steps = run.steps.map(StepLine.init)
        page.roomID = run.room
        return Reply.html(state.pages.render("run", page))
    }

    @Sendable func logbookPage(_ request: Request, _ context: ServiceContext) async throws -> Response {
        let caller = try context.caller(may: .read, state: state)
        let room = try room(context)
        var page = try page("Sổ ghi biên bản", context)
        page.room = try await overview(room)
        page.mayOperate = caller.may(.operate(room: room.id), in: try gateway.inventory())
        page.kinds = IncidentKind.allCases.map { KindOption(value: $0.rawValue, name: $0.vietnamese) }
        let entries = try await gateway.logEntries(room: room.id)
        let open = Set(IncidentRecord.all(in: entries).filter { !$0.isFixed }.map(\.entry))
        let signed = Set(entries.filter { $0.kind == .signature }.compactMap(\.refersTo))
        page.entries = entries.reversed().map { entry in
            EntryLine(
                id: entry.id, at: LogbookDocument.local(parseTimestamp(entry.at) ?? Date(), "HH:mm dd/MM/yyyy"),
                kindName: Vietnamese.kind(entry.kind), text: Vietnamese.entry(entry),
                openIncident: open.contains(entry.id),
                signable: entry.kind != .signature && !signed.contains(entry.id), mayOperate: page.mayOperate,
                csrf: page.csrf)
        }
        return Reply.html(state.pages.render("logbook", page))
    }

    @Sendable func addIncident(_ request: Request, _ context: ServiceContext) async throws -> Response {
        let form = try await checkForm(request, context, IncidentForm.self)
        let room = try room(context)
        let caller = try context.caller(may: .operate(room: room.id), state: state)
        _ = try await gateway.addIncident(
            IncidentReport(
                room: room.id, what: form.what, fix: form.fix ?? "", kind: try IncidentKind.parse(form.kind),
                began: Date()), by: caller)
        return Reply.redirect("/rooms/\(room.id)/logbook")
    }

    func driftPage(_ context: ServiceContext, results: String?) async throws -> Response {
        let caller = try context.caller(may: .read, state: state)
        var page = try page("Cấu hình", context)
        page.mayApprove = caller.may(.approve, in: try gateway.inventory())
        page.results = results
        page.devices = try await gateway.roomOverviews(state.live).flatMap { room in
            room.devices.filter { $0.kind == .codec }.map {
                DriftLine(
                    id: $0.id, room: room.name, status: $0.drift?.status ?? "unchecked",
                    statusName: Vietnamese.drift($0.drift?.status ?? ""), at: $0.drift?.at ?? "")
            }
        }
        return Reply.html(state.pages.render("drift", page))
    }

    func errorPage(_ error: any Error, _ context: ServiceContext) -> Response {
        let (status, _, described) = HTTPStatusMapping.describe(error)
        var page =
            (try? self.page("Lỗi", context))
            ?? Page(title: "Lỗi", site: "", user: nil, insecure: state.pages.insecure)
        page.message = described.message
        page.headline = Vietnamese.headline(described, status: Int(status.code))
        page.fix = described.fix
        return Reply.html(state.pages.render("error", page), status: status)
    }
}
