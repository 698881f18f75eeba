import ArgumentParser
import Foundation
import HNTTCore
import HNTTDocuments
import HNTTGateway

struct BookingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "booking", abstract: "Registered sessions (Điều 5.1): add, list, show, cancel.",
        subcommands: [
            BookingAddCommand.self, BookingListCommand.self, BookingShowCommand.self, BookingCancelCommand.self,
        ])
}

struct BookingAddCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Register a session; an overlap with another booking of the room is refused.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The room id.") var room: String
    @Option(help: "Start, local time: \"YYYY-MM-DD HH:MM\".") var start: String
    @Option(help: "End, local time: \"YYYY-MM-DD HH:MM\".") var end: String
    @Option(help: "Who organises it (the inventory's organizers: decide the operating unit).") var organizer: String
    @Option(help: "The chair site's number or address.") var chair: String
    @Option(help: "A title for the calendar.") var title: String = ""

    func execute() async throws {
        let booking = try await global.gateway.addBooking(
            BookingRequest(room: room, start: start, end: end, organizer: organizer, chair: chair, title: title),
            by: global.caller)
        global.output.result(booking.json, human: "booking \(booking.id): \(booking.line)")
    }
}

struct BookingListCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Bookings, by start.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this room.") var room: String?
    @Option(help: "From this day or time (local).") var from: String?
    @Option(help: "To this day or time (local).") var to: String?

    func execute() async throws {
        let bookings = try await global.gateway.bookings(room: room, from: from, to: to)
        global.output.result(
            .object([("bookings", .array(bookings.map(\.json)))]),
            human: bookings.isEmpty ? "no bookings" : bookings.map(\.line).joined(separator: "\n"))
    }
}

struct BookingShowCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "One booking.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The booking id.") var id: Int64

    func execute() async throws {
        let booking = try await global.gateway.booking(id)
        global.output.result(
            booking.json, human: booking.line + (booking.cancelReason.map { "\n  cancelled: \($0)" } ?? ""))
    }
}

struct BookingCancelCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel a booking (kept, marked cancelled).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The booking id.") var id: Int64
    @Option(help: "Why it is cancelled.") var reason: String

    func execute() async throws {
        let booking = try await global.gateway.cancelBooking(id, reason: reason, by: global.caller)
        global.output.result(booking.json, human: "booking \(booking.id) cancelled")
    }
}
