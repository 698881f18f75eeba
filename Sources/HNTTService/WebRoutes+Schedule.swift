import Foundation
import HNTTCore
import HNTTDocuments
import HNTTGateway
import HNTTGovernance
import Hummingbird

/// The bookings of a room by week (Điều 5.1), what the scheduler did for each, and the alerts.
extension WebRoutes {
    typealias WebRegister = (HTTPRequest.Method, String, @escaping Handler) -> Void

    struct BookingForm: CSRFForm {
        let _csrf: String?
        let start: String
        let end: String
        let organizer: String
        let chair: String
        let title: String?
    }

    struct CancelForm: CSRFForm {
        let _csrf: String?
        let reason: String
    }

    struct BookingDay {
        let name: String
        let bookings: [BookingLine]
    }

    struct BookingLine {
        let id: Int64
        let time: String
        let title: String
        let organizer: String
        let chair: String
        let cancelled: Bool
        let status: String
        let jobs: [String]
    }

    struct AlertLine {
        let kind: String
        let kindName: String
        let message: String
        let at: String
        let place: String
        let open: Bool
    }

    func registerSchedule(_ on: WebRegister) {
        on(.get, "/rooms/{room}/bookings", weekPage)
        on(.post, "/rooms/{room}/bookings") { request, context in
            let form = try await checkForm(request, context, BookingForm.self)
            let room = try room(context)
            let caller = try context.caller(may: .operate(room: room.id), state: state)
            let booking = try await gateway.addBooking(
                BookingRequest(
                    room: room.id, start: form.start.replacingOccurrences(of: "T", with: " "),
                    end: form.end.replacingOccurrences(of: "T", with: " "), organizer: form.organizer,
                    chair: form.chair,
                    title: form.title ?? ""), by: caller)
            await state.scheduler.bookingsChanged()
            let week = LogbookDocument.local(booking.start, "yyyy-MM-dd")
            return Reply.redirect("/rooms/\(room.id)/bookings?week=\(week)")
        }
        on(.post, "/bookings/{id}/cancel") { request, context in
            let form = try await checkForm(request, context, CancelForm.self)
            let text = try context.parameters.require("id")
            guard let id = Int64(text) else { throw ServiceError.notFound("booking \(text)") }
            let booking = try await gateway.booking(id)
            let caller = try context.caller(may: .operate(room: booking.room), state: state)
            _ = try await gateway.cancelBooking(id, reason: form.reason, by: caller)
            await state.scheduler.bookingsChanged()
            return Reply.redirect(
                "/rooms/\(booking.room)/bookings?week=\(LogbookDocument.local(booking.start, "yyyy-MM-dd"))")
        }
    }

    /// Seven days from the Monday of `?week=` (default this week), each with its bookings and their jobs.
    @Sendable func weekPage(_ request: Request, _ context: ServiceContext) async throws -> Response {
        let caller = try context.caller(may: .read, state: state)
        let room = try room(context)
        var calendar = Calendar(identifier: .gregorian)
        calendar.firstWeekday = 2
        calendar.timeZone = .current
        var day = Date()
        if let text = request.query("week") {
            let formatter = DateFormatter()
            formatter.dateFormat = "yyyy-MM-dd"
            guard let parsed = formatter.date(from: text) else {
                throw ServiceError.badRequest("week \"\(text)\" is not a day", fix: "write it YYYY-MM-DD")
            }
            day = parsed
        }
        let monday = calendar.dateInterval(of: .weekOfYear, for: day)?.start ?? calendar.startOfDay(for: day)
        let sunday = monday + 7 * 86_400
        let bookings = try await gateway.bookings(
            room: room.id, from: LogbookDocument.local(monday, "yyyy-MM-dd HH:mm"),
            to: LogbookDocument.local(sunday, "yyyy-MM-dd HH:mm"))
        var days: [BookingDay] = []
        for offset in 0..<7 {
            let start = calendar.date(byAdding: .day, value: offset, to: monday) ?? monday
            let end = calendar.date(byAdding: .day, value: 1, to: start) ?? start
            var lines: [BookingLine] = []
            for booking in bookings where booking.start >= start && booking.start < end {
                lines.append(try await line(booking))
            }
            days.append(
                BookingDay(
                    name: Vietnamese.weekday(calendar.component(.weekday, from: start)) + " "
                        + LogbookDocument.local(start, "dd/MM"), bookings: lines))
        }
        var page = try page("Lịch họp — \(room.name)", context)
        page.roomName = room.name
        page.roomID = room.id
        page.mayOperate = caller.may(.operate(room: room.id), in: try gateway.inventory())
        page.organizers = try gateway.inventory().organizers.keys.sorted()
        page.days = days
        page.weekName = "Tuần từ \(LogbookDocument.local(monday, "dd/MM/yyyy"))"
        page.previousWeek = LogbookDocument.local(monday - 7 * 86_400, "yyyy-MM-dd")
        page.nextWeek = LogbookDocument.local(sunday, "yyyy-MM-dd")
        return Reply.html(state.pages.render("bookings", page))
    }

    private func line(_ booking: Booking) async throws -> BookingLine {
        let jobs = try await gateway.jobs(of: booking.id)
        return BookingLine(
            id: booking.id,
            time: LogbookDocument.local(booking.start, "HH:mm") + " – " + LogbookDocument.local(booking.end, "HH:mm"),
            title: booking.title, organizer: booking.organizer, chair: booking.chair,
            cancelled: booking.status == .cancelled,
            status: booking.status == .cancelled ? "Đã hủy: \(booking.cancelReason ?? "")" : "Đã đăng ký",
            jobs: jobs.map {
                JobWords.title($0.kind) + " " + LogbookDocument.local($0.ranAt, "HH:mm") + ": "
                    + JobWords.outcome($0.state.rawValue)
            })
    }

    /// The dashboard's extras: each codec's watch, each room's next session, the latest alerts.
    func decorate(_ page: inout Page) async throws {
        let watches = await state.watch.all()
        let now = gateway.now()
        for index in page.rooms.indices {
            for device in page.rooms[index].devices.indices {
                guard let watch = watches[page.rooms[index].devices[device].id] else { continue }
                page.rooms[index].devices[device].watch =
                    watch.gapSince == nil && !watch.watching
                    ? nil
                    : watch.watching
                        ? "đang giám sát"
                        : "mất giám sát từ \(watch.gapSince.map { LogbookDocument.local($0, "HH:mm") } ?? "?")"
            }
            let room = page.rooms[index].id
            let coming = try await gateway.bookings(
                room: room, from: LogbookDocument.local(now, "yyyy-MM-dd HH:mm"),
                to: LogbookDocument.local(now + 86_400, "yyyy-MM-dd HH:mm")
            ).first { $0.status == .booked }
            if let coming {
                let jobs = try await gateway.jobs(of: coming.id)
                let ready = jobs.contains { $0.kind == "dial" && $0.state == .ready }
                page.rooms[index].nextBooking =
                    LogbookDocument.local(coming.start, "HH:mm dd/MM") + " "
                    + (coming.title.isEmpty ? coming.organizer : coming.title)
                    + (ready ? " — sẵn sàng kết nối tới \(coming.chair), chờ kỹ thuật viên" : "")
                    + (jobs.last.map { "; \(JobWords.title($0.kind)): \(JobWords.outcome($0.state.rawValue))" } ?? "")
            }
        }
        page.alerts = try await gateway.alerts(limit: 10).map { alert in
            AlertLine(
                kind: alert.kind, kindName: Vietnamese.alert(alert.kind), message: alert.message,
                at: LogbookDocument.local(alert.at, "HH:mm dd/MM"),
                place: [alert.room, alert.device].compactMap { $0 }.joined(separator: " · "), open: alert.open)
        }
    }
}

extension Vietnamese {
    static func weekday(_ number: Int) -> String {
        ["Chủ nhật", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy"][max(0, min(6, number - 1))]
    }

    static func alert(_ kind: String) -> String {
        switch kind {
        case "unauthorised-change": return "Thay đổi cấu hình ngoài hntt"
        case "drift": return "Cấu hình khác bản phê duyệt"
        case "unreachable": return "Mất kết nối thiết bị"
        case "test-call-failed": return "Gọi thử không đạt"
        case "diagnostics-failed": return "Kiểm tra trước hội nghị không đạt"
        case "call-dropped": return "Cuộc gọi bị ngắt"
        case "recovered": return "Đã trở lại bình thường"
        default: return kind
        }
    }
}
