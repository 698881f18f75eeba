import Foundation
import HNTTCore
import HNTTDocuments
import HNTTGateway
import HNTTGovernance
import HNTTTransport
import HTTPTypes
import Hummingbird

/// Logbook, governance and accounts routes of the API.
extension APIRoutes {
    typealias Register = (HTTPRequest.Method, String, @escaping Handler) -> Void

    struct NewIncident: Decodable {
        let room: String
        let what: String
        let kind: String?
        let fix: String?
    }

    struct Text: Decodable { let text: String }

    func entryID(_ context: ServiceContext) throws -> Int64 {
        let text = try context.parameters.require("entry")
        guard let id = Int64(text) else { throw ServiceError.notFound("logbook entry \(text)") }
        return id
    }

    /// The room of an existing entry: a technician writes only in the logbook of their unit's rooms.
    func room(ofEntry id: Int64, _ context: ServiceContext) async throws -> String {
        _ = try context.caller()
        do { return try await gateway.logEntry(id).entry.room } catch {
            throw ServiceError.notFound("logbook entry \(id)")
        }
    }

    func registerLogbook(_ on: Register) {
        on(.get, "/api/v1/logbook") { request, context in
            _ = try context.caller(may: .read, state: state)
            let entries = try await gateway.logEntries(
                room: request.query("room"), from: request.query("from"), to: request.query("to"))
            return Reply.json(.object([("entries", .array(entries.map(\.json)))]))
        }
        on(.get, "/api/v1/logbook/export") { request, context in
            _ = try context.caller(may: .read, state: state)
            guard let roomID = request.query("room") else {
                throw ServiceError.badRequest("export needs ?room=ROOM", fix: "add room=… to the address")
            }
            return try await DocumentReplies.logbook(
                gateway, room: roomID, from: request.query("from"), to: request.query("to"),
                format: request.query("format"))
        }
        on(.get, "/api/v1/logbook/{entry}") { _, context in
            _ = try context.caller(may: .read, state: state)
            let id = try entryID(context)
            guard let found = try? await gateway.logEntry(id) else {
                throw ServiceError.notFound("logbook entry \(id)")
            }
            return Reply.json(
                .object([("entry", found.entry.json), ("related", .array(found.related.map(\.json)))]))
        }
        on(.post, "/api/v1/logbook/incidents") { request, context in
            _ = try context.caller()
            let body = try await request.json(NewIncident.self)
            guard try gateway.inventory().rooms.contains(where: { $0.id == body.room }) else {
                throw ServiceError.notFound("room \(body.room)")
            }
            let caller = try context.caller(may: .operate(room: body.room), state: state)
            let kind = try IncidentKind.parse(body.kind)
            let entry = try await gateway.addIncident(
                IncidentReport(room: body.room, what: body.what, fix: body.fix ?? "", kind: kind, began: Date()),
                by: caller)
            return Reply.json(.object([("entry_id", .number(Int(entry.id)))]), status: .created)
        }
        on(.post, "/api/v1/logbook/{entry}/fix") { request, context in
            let id = try entryID(context)
            let caller = try context.caller(may: .operate(room: try await room(ofEntry: id, context)), state: state)
            let body = try await request.json(Text.self)
            let entry = try await gateway.fixIncident(id, fix: body.text, at: nil, by: caller)
            return Reply.json(.object([("entry_id", .number(Int(entry.id)))]), status: .created)
        }
        on(.post, "/api/v1/logbook/{entry}/sign") { _, context in
            let id = try entryID(context)
            let caller = try context.caller(may: .operate(room: try await room(ofEntry: id, context)), state: state)
            let entry = try await gateway.signEntry(id, signer: caller.operatorName ?? "", by: caller)
            return Reply.json(.object([("entry_id", .number(Int(entry.id)))]), status: .created)
        }
        on(.post, "/api/v1/logbook/{entry}/correct") { request, context in
            let id = try entryID(context)
            let caller = try context.caller(may: .operate(room: try await room(ofEntry: id, context)), state: state)
            let body = try await request.json(Text.self)
            let entry = try await gateway.correctEntry(id, text: body.text, by: caller)
            return Reply.json(.object([("entry_id", .number(Int(entry.id)))]), status: .created)
        }
    }

    func registerGovernance(_ on: Register) {
        on(.get, "/api/v1/drift") { _, context in
            _ = try context.caller(may: .read, state: state)
            let rooms = try await gateway.roomOverviews(state.live)
            let devices: [JSONValue] = rooms.flatMap { room in
                room.devices.filter { $0.kind == .codec }.map { device in
                    .object([
                        ("device", .string(device.id)), ("status", .string(device.drift?.status ?? "unchecked")),
                        ("checked_at", device.drift.map { .string($0.at) } ?? .null),
                    ])
                }
            }
            return Reply.json(.object([("devices", .array(devices))]))
        }
        on(.post, "/api/v1/drift") { _, context in
            let caller = try context.caller(may: .approve, state: state)
            let reports = try await gateway.checkDrift(by: caller)
            return Reply.json(.object([("devices", .array(reports.map(\.json)))]))
        }
        on(.get, "/api/v1/snapshots") { request, context in
            _ = try context.caller(may: .read, state: state)
            guard let device = request.query("device") else {
                throw ServiceError.badRequest("snapshots needs ?device=DEVICE", fix: "add device=… to the address")
            }
            guard try gateway.inventory().devices.contains(where: { $0.id == device }) else {
                throw ServiceError.notFound("device \(device)")
            }
            let snapshots = try await gateway.snapshots(of: device)
            return Reply.json(
                .object([("device", .string(device)), ("snapshots", .array(snapshots.map(\.summaryJSON)))]))
        }
        on(.get, "/api/v1/changes") { _, context in
            _ = try context.caller(may: .read, state: state)
            return Reply.json(.object([("pending", .array(try await gateway.pendingChanges().map(\.json)))]))
        }
        on(.post, "/api/v1/changes") { request, context in
            let caller = try context.caller(may: .approve, state: state)
            // The signed order as uploaded; the Gateway verifies it against the trust store.
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent(
                "hntt-order-\(UUID().uuidString).yaml")
            try await onOwnThread { try Data(buffer: buffer).write(to: file, options: [.atomic]) }
            defer { try? FileManager.default.removeItem(at: file) }
            let outcome = try await gateway.applyOrder(file: file.path, confirmWithin: nil, by: caller)
            return Reply.json(outcome.json)
        }
        on(.post, "/api/v1/changes/{order}/confirm") { _, context in
            let caller = try context.caller(may: .approve, state: state)
            try await gateway.confirmOrder(try context.parameters.require("order"), by: caller)
            return Reply.json(.object([("confirmed", .bool(true))]))
        }
        on(.get, "/api/v1/audit") { request, context in
            _ = try context.caller(may: .read, state: state)
            let limit = try request.query("limit", integerIn: 1...5000) ?? 200
            let entries = try await gateway.auditEntries(device: request.query("device"), limit: limit)
            return Reply.json(.object([("entries", .array(entries.map(\.json)))]))
        }
        on(.get, "/api/v1/report") { request, context in
            _ = try context.caller(may: .read, state: state)
            let year =
                try request.query("year", integerIn: 2000...2999) ?? Calendar.current.component(.year, from: Date())
            return try await DocumentReplies.report(
                gateway, year: year, issue: DocumentIssue(date: gateway.now()),
                format: request.query("format") ?? "json")
        }
        on(.post, "/api/v1/report") { request, context in
            _ = try context.caller(may: .read, state: state)
            let asked = try await request.json(ReportRequest.self)
            guard (2000...2999).contains(asked.year) else {
                throw ServiceError.badRequest("year \(asked.year) is not a year of the report", fix: "send e.g. 2026")
            }
            guard (asked.number ?? 1) >= 1 else {
                throw ServiceError.badRequest(
                    "number \(asked.number ?? 0) is not a register number", fix: "send 1 or more")
            }
            let issue = DocumentIssue(number: asked.number, notes: asked.notes ?? "", date: gateway.now())
            return try await DocumentReplies.report(
                gateway, year: asked.year, issue: issue, format: asked.format ?? "json")
        }
    }

    /// `POST /api/v1/report`: the report with the unit's opinions, recommendations and proposals.
    struct ReportRequest: Decodable {
        let year: Int
        let notes: String?
        let number: Int?
        let format: String?
    }

    struct NewUser: Decodable {
        let name: String
        let role: String
        let unit: String?
        let password: String
    }

    func registerUsers(_ on: Register) {
        on(.get, "/api/v1/users") { _, context in
            _ = try context.caller(may: .administer, state: state)
            return Reply.json(.object([("users", .array(try await gateway.users().map(\.json)))]))
        }
        on(.post, "/api/v1/users") { request, context in
            let caller = try context.caller(may: .administer, state: state)
            let body = try await request.json(NewUser.self)
            guard let role = Role(rawValue: body.role) else {
                throw ServiceError.badRequest(
                    "no role \"\(body.role)\"",
                    fix: "use one of: " + Role.allCases.map(\.rawValue).joined(separator: ", "))
            }
            let account = try await gateway.addUser(
                body.name, role: role, unit: body.unit.nonEmpty, password: SecretText(body.password), by: caller)
            return Reply.json(account.json, status: .created)
        }
        on(.delete, "/api/v1/users/{name}") { _, context in
            let caller = try context.caller(may: .administer, state: state)
            let name = try context.parameters.require("name")
            try await gateway.removeUser(name, by: caller)
            await state.sessions.closeAll(of: name)
            return Reply.json(.object([("removed", .string(name))]))
        }
    }
}

extension APIRoutes {
    struct NewBooking: Decodable {
        let room: String
        let start: String
        let end: String
        let organizer: String
        let chair: String
        let title: String?
    }

    func registerBookings(_ on: Register) {
        on(.get, "/api/v1/bookings") { request, context in
            _ = try context.caller(may: .read, state: state)
            let bookings = try await gateway.bookings(
                room: request.query("room"), from: request.query("from"), to: request.query("to"))
            return Reply.json(.object([("bookings", .array(bookings.map(\.json)))]))
        }
        on(.post, "/api/v1/bookings") { request, context in
            _ = try context.caller()
            let body = try await request.json(NewBooking.self)
            guard try gateway.inventory().rooms.contains(where: { $0.id == body.room }) else {
                throw ServiceError.notFound("room \(body.room)")
            }
            let caller = try context.caller(may: .operate(room: body.room), state: state)
            let booking = try await gateway.addBooking(
                BookingRequest(
                    room: body.room, start: body.start, end: body.end, organizer: body.organizer, chair: body.chair,
                    title: body.title ?? ""), by: caller)
            await state.scheduler.bookingsChanged()
            return Reply.json(booking.json, status: .created)
        }
        on(.get, "/api/v1/bookings/{id}/jobs") { _, context in
            _ = try context.caller(may: .read, state: state)
            let text = try context.parameters.require("id")
            guard let id = Int64(text) else {
                throw ServiceError.badRequest("no booking \"\(text)\"", fix: "give its number")
            }
            let booking = try await gateway.booking(id)
            let jobs = try await gateway.jobs(of: booking.id)
            return Reply.json(.object([("booking", booking.json), ("jobs", .array(jobs.map(\.json)))]))
        }
        on(.get, "/api/v1/alerts") { request, context in
            _ = try context.caller(may: .read, state: state)
            let limit = try request.query("limit", integerIn: 1...1000) ?? 200
            return Reply.json(.object([("alerts", .array(try await gateway.alerts(limit: limit).map(\.json)))]))
        }
        on(.get, "/api/v1/bookings.ics") { request, context in
            _ = try context.caller(may: .read, state: state)
            let inventory = try gateway.inventory()
            let bookings = try await gateway.bookings(room: request.query("room"))
            let names = Dictionary(inventory.rooms.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
            return Reply.text(
                BookingCalendar.ics(bookings, site: inventory.site, rooms: names, host: state.options.host),
                type: "text/calendar; charset=utf-8")
        }
    }
}

extension IncidentKind {
    /// The kind named in a request (default `other`), or a 400 listing the kinds.
    static func parse(_ text: String?) throws -> IncidentKind {
        guard let text = text.nonEmpty else { return .other }
        guard let kind = IncidentKind(rawValue: text) else {
            throw ServiceError.badRequest(
                "no incident kind \"\(text)\"",
                fix: "use one of: " + IncidentKind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return kind
    }
}
