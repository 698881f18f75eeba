import Foundation
import HNTTTestSupport
import Testing

@Suite("hntt booking: the contract's command line")
struct BookingCommandTests {
    @Test("add prints the id, an overlap is exit 2 naming the booking, list --json has the contract's fields")
    func bookingCommands() async throws {
        let rig = try await CLIRig.start()
        defer { rig.stop() }
        let added = try await rig.json([
            "booking", "add", "ubnd", "--start", "2030-06-01 08:00", "--end", "2030-06-01 10:00", "--organizer",
            "UBND tỉnh", "--chair", "chair@thanhhoa.gov.vn", "--title", "Giao ban",
        ])
        #expect(added.status == 0, "\(added.stderr)")
        let id = try #require(added.object["booking_id"] as? Int)
        let clash = try await rig.run([
            "booking", "add", "ubnd", "--start", "2030-06-01 09:00", "--end", "2030-06-01 09:30", "--organizer",
            "UBND tỉnh", "--chair", "84123",
        ])
        #expect(clash.status == 2)
        #expect(clash.stderr.contains("booking \(id)"), "\(clash.stderr)")
        let list = try await rig.json(["booking", "list", "--room", "ubnd", "--from", "2030-06-01"])
        let bookings = list.object["bookings"] as? [[String: Any]] ?? []
        #expect(bookings.count == 1)
        for field in ["booking_id", "room", "start", "end", "organizer", "chair", "status"] {
            #expect(bookings.first?[field] != nil, "list --json lacks \(field)")
        }
        let start = bookings.first?["start"] as? String ?? ""
        #expect(start.hasPrefix("2030-06-01T08:00:00") && (start.hasSuffix("Z") || start.contains("+")))
        let cancelled = try await rig.json(["booking", "cancel", "\(id)", "--reason", "hoãn họp"])
        #expect(cancelled.object["status"] as? String == "cancelled")
        let audit = try await rig.json(["audit", "list", "--device", "ubnd"])
        let actions = (audit.object["entries"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
        #expect(actions.contains("booking add") && actions.contains("booking cancel"))
    }
}
