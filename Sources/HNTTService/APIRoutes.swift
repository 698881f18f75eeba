import Foundation
import HNTTCore
import HNTTDocuments
import HNTTGateway
import HNTTGovernance
import HNTTTransport
import HTTPTypes
import Hummingbird
import NIOCore

/// The HTTP API under /api/v1: parse, call the Gateway, render, map errors. Nothing else.
struct APIRoutes: Sendable {
    let state: ServiceState
    var gateway: Gateway { state.gateway }

    typealias Handler = @Sendable (Request, ServiceContext) async throws -> Response

    /// Every route the API serves, as the OpenAPI document lists them (a test holds the two together).
    /// Routes marked `open` need no login.
    static let table: [(method: HTTPRequest.Method, path: String, open: Bool)] =
        [
            (.get, "/healthz", true), (.get, "/api/v1/openapi.yaml", true), (.post, "/api/v1/login", true),
            (.post, "/api/v1/logout", false), (.get, "/api/v1/rooms", false),
            (.get, "/api/v1/devices/{id}/status", false), (.post, "/api/v1/devices/{id}/mute", false),
            (.post, "/api/v1/devices/{id}/wake", false), (.post, "/api/v1/devices/{id}/sleep", false),
            (.post, "/api/v1/rooms/{room}/runs", false), (.get, "/api/v1/runs/{run_id}", false),
            (.get, "/api/v1/runs/{run_id}/events", false), (.get, "/api/v1/logbook", false),
            (.get, "/api/v1/logbook/export", false), (.get, "/api/v1/logbook/{entry}", false),
            (.post, "/api/v1/logbook/incidents", false), (.post, "/api/v1/logbook/{entry}/fix", false),
            (.post, "/api/v1/logbook/{entry}/sign", false), (.post, "/api/v1/logbook/{entry}/correct", false),
            (.get, "/api/v1/drift", false), (.post, "/api/v1/drift", false), (.get, "/api/v1/snapshots", false),
            (.get, "/api/v1/changes", false), (.post, "/api/v1/changes", false),
            (.post, "/api/v1/changes/{order}/confirm", false), (.get, "/api/v1/audit", false),
            (.get, "/api/v1/report", false), (.post, "/api/v1/report", false), (.get, "/api/v1/users", false),
            (.post, "/api/v1/users", false),
            (.delete, "/api/v1/users/{name}", false), (.get, "/api/v1/bookings", false),
            (.post, "/api/v1/bookings", false), (.get, "/api/v1/bookings.ics", false),
            (.get, "/api/v1/alerts", false), (.get, "/api/v1/bookings/{id}/jobs", false),
        ] + bridgeTable

    /// The methods served at a concrete path (`{name}` matches one segment).
    static func methods(of path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        return table.filter { route in
            let pattern = route.path.split(separator: "/", omittingEmptySubsequences: false)
            return pattern.count == segments.count
                && zip(pattern, segments).allSatisfy { $0.hasPrefix("{") ? !$1.isEmpty : $0 == $1 }
        }.map(\.method)
    }

    func register(on router: Router<ServiceContext>) {
        func on(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler) {
            router.on(RouterPath(path), method: method) { request, context in
                do { return try await handler(request, context) } catch { return Reply.error(error) }
            }
        }
        on(.get, "/healthz") { _, _ in Reply.json(.object([("status", .string("ok"))])) }
        on(.get, "/api/v1/openapi.yaml") { _, _ in
            Reply.text(try Pages.resource("openapi.yaml"), type: "application/yaml; charset=utf-8")
        }
        on(.post, "/api/v1/login", login)
        on(.post, "/api/v1/logout") { request, context in
            _ = try context.caller()
            if let token = context.session?.token { await state.sessions.close(token) }
            return Reply.json(.object([("logged_out", .bool(true))]))
        }
        on(.get, "/api/v1/rooms") { _, context in
            _ = try context.caller(may: .read, state: state)
            let rooms = try await gateway.roomOverviews(state.live)
            return Reply.json(.object([("rooms", .array(rooms.map { APIShapes.room($0) }))]))
        }
        on(.get, "/api/v1/devices/{id}/status", deviceStatus)
        on(.post, "/api/v1/devices/{id}/mute", mute)
        on(.post, "/api/v1/devices/{id}/wake") { request, context in try await power(request, context, wake: true) }
        on(.post, "/api/v1/devices/{id}/sleep") { request, context in try await power(request, context, wake: false) }
        on(.post, "/api/v1/rooms/{room}/runs", startRun)
        on(.get, "/api/v1/runs/{run_id}") { _, context in
            _ = try context.caller(may: .read, state: state)
            let id = try context.parameters.require("run_id")
            guard let run = await state.runs.run(id) else { throw ServiceError.notFound("run \(id)") }
            return Reply.json(APIShapes.run(run))
        }
        on(.get, "/api/v1/runs/{run_id}/events", runEvents)
        registerLogbook(on)
        registerGovernance(on)
        registerUsers(on)
        registerBookings(on)
        registerBridge(on)
    }

    // MARK: login

    struct Login: Decodable {
        let username: String
        let password: String
    }

    @Sendable func login(_ request: Request, _ context: ServiceContext) async throws -> Response {
        let body = try await request.json(Login.self)
        let session = try await APIRoutes.logIn(body.username, body.password, from: context.address, state: state)
        return Reply.json(
            .object([
                ("token", .string(session.token)), ("expires_at", .string(localTimestamp(session.expiresAt))),
                ("user", session.account.json),
            ]))
    }

    /// Checks the throttle, then the password: one place for the API and the form.
    static func logIn(_ name: String, _ password: String, from address: String, state: ServiceState) async throws
        -> Session
    {
        let wait = await state.throttle.wait(user: name, address: address)
        if wait > 0 { throw ServiceError.throttled(seconds: wait) }
        guard let account = try await state.gateway.authenticate(name, password: SecretText(password)) else {
            await state.throttle.failed(user: name, address: address)
            await state.gateway.audit(
                AuditRecord(device: "-", action: "login", detail: name),
                by: Caller(operatorName: name, osUser: "web:\(address)"), outcome: "refused", why: "wrong password")
            throw ServiceError.notLoggedIn
        }
        await state.throttle.succeeded(user: name)
        return await state.sessions.open(for: account)
    }

    // MARK: devices

    func device(_ context: ServiceContext) throws -> InventoryDevice {
        _ = try context.caller()
        let id = try context.parameters.require("id")
        guard let device = try gateway.inventory().devices.first(where: { $0.id == id }) else {
            throw ServiceError.notFound("device \(id)")
        }
        return device
    }

    @Sendable func deviceStatus(_ request: Request, _ context: ServiceContext) async throws -> Response {
        _ = try context.caller(may: .read, state: state)
        let device = try device(context)
        var reading = await state.live.reading(device.id)
        if reading.checkedAt == nil {
            await state.live.refresh(device.id)
            reading = await state.live.reading(device.id)
        }
        if reading.status == nil, let error = reading.error { throw error }
        return Reply.json(APIShapes.reading(reading, device: device.id))
    }

    struct Mute: Decodable { let muted: Bool }

    @Sendable func mute(_ request: Request, _ context: ServiceContext) async throws -> Response {
        let device = try device(context)
        let caller = try context.caller(may: .operate(room: device.roomID), state: state)
        let body = try await request.json(Mute.self)
        let muted = try await gateway.setMicrophoneMute(device.id, body.muted, by: caller)
        Task { await state.live.refresh(device.id) }
        return Reply.json(.object([("device", .string(device.id)), ("mic_muted", .bool(muted))]))
    }

    func power(_ request: Request, _ context: ServiceContext, wake: Bool) async throws -> Response {
        let device = try device(context)
        let caller = try context.caller(may: .operate(room: device.roomID), state: state)
        if wake {
            try await gateway.wake(device.id, by: caller)
        } else {
            try await gateway.sleep(device.id, by: caller)
        }
        Task { await state.live.refresh(device.id) }
        return Reply.json(.object([("device", .string(device.id)), ("done", .string(wake ? "wake" : "sleep"))]))
    }

    // MARK: runs

    struct StartRun: Decodable {
        let procedure: String
        let organizer: String?
        let number: String?
        let force: Bool?
        let reason: String?
    }

    @Sendable func startRun(_ request: Request, _ context: ServiceContext) async throws -> Response {
        _ = try context.caller()
        let room = try context.parameters.require("room")
        guard try gateway.inventory().rooms.contains(where: { $0.id == room }) else {
            throw ServiceError.notFound("room \(room)")
        }
        let caller = try context.caller(may: .operate(room: room), state: state)
        let body = try await request.json(StartRun.self)
        let id = try await state.runs.start(
            RunRequest(
                procedure: body.procedure, room: room, organizer: body.organizer.nonEmpty, number: body.number.nonEmpty,
                force: body.force ?? false, reason: body.reason.nonEmpty), by: caller)
        return Reply.json(.object([("run_id", .string(id))]), status: .accepted)
    }

    /// Server-sent events: `line`, `step` (JSON) and, at the end, `finished` (the run's JSON).
    @Sendable func runEvents(_ request: Request, _ context: ServiceContext) async throws -> Response {
        _ = try context.caller(may: .read, state: state)
        let id = try context.parameters.require("run_id")
        guard let events = await state.runs.events(id) else { throw ServiceError.notFound("run \(id)") }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-store"
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                for await event in events {
                    let (name, data): (String, String)
                    switch event {
                    case .line(let line): (name, data) = ("line", JSONValue.string(line).text)
                    case .step(let step): (name, data) = ("step", APIShapes.step(step).compactText)
                    case .finished(let run): (name, data) = ("finished", APIShapes.run(run).compactText)
                    }
                    try await writer.write(ByteBuffer(string: "event: \(name)\ndata: \(data)\n\n"))
                }
                try await writer.finish(nil)
            })
    }
}

extension Optional where Wrapped == String {
    /// nil for a missing or blank field.
    var nonEmpty: String? {
        guard let value = self?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }
}

extension JSONValue {
    /// On one line, for an event stream's `data:`.
    var compactText: String { text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined() }
}
