import Foundation
import HNTTCore
import HNTTGovernance
import Testing

@Suite("Stored times and logbook payloads, read fast and the same as before")
struct TimestampAndPayloadTests {
    @Test("the fast reading of a stored time equals the ISO 8601 formatter's, other forms still read")
    func timestamps() throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let date = Date(
                timeIntervalSince1970: Double(Int.random(in: -2_000_000_000...6_000_000_000, using: &random)))
            let text = timestamp(date)
            #expect(text == formatter.string(from: date))
            #expect(parseTimestamp(text) == formatter.date(from: text), "\(text)")
        }
        for text in ["2024-02-29T23:59:59Z", "2000-03-01T00:00:00Z", "1970-01-01T00:00:00Z", "2100-12-31T12:00:00Z"] {
            #expect(parseTimestamp(text) == formatter.date(from: text), "\(text)")
        }
        #expect(parseTimestamp("2026-03-02T15:00:00+07:00") == parseTimestamp("2026-03-02T08:00:00Z"))
        #expect(
            parseTimestamp("2026-03-02T08:00:00.250Z")?.timeIntervalSince(parseTimestamp("2026-03-02T08:00:00Z")!)
                == 0.25)
        #expect(parseTimestamp("2026-13-02T08:00:00Z") == nil && parseTimestamp("not a time") == nil)
    }

    @Test("a content reads back from its payload exactly, quotes, backslashes and new lines included")
    func payloadRoundTrip() throws {
        var incident = IncidentContent(
            what: "Mất \"tiếng\" \\ micro\nrồi\tlại", kind: .audio, operatorName: "Lê Thị B",
            reportedAt: "2026-03-02T08:00:00Z", beganAt: nil, fixedAt: nil)
        incident.fix = "Thay 🎤"
        #expect(IncidentContent(payload: incident.payload) == incident)
        var session = SessionContent(
            sessionType: .official, procedure: "official-session", organizer: "VP", chairSite: "UBND tỉnh",
            operatorName: "B", unit: "VP", startedAt: "2026-03-02T08:00:00Z", endedAt: "", outcome: "done")
        session.lossPercent = "0.5"
        #expect(SessionContent(payload: session.payload) == session)
        #expect(FixContent(payload: ["fix": "Thay cáp", "fixed_at": "2026-03-02T09:00:00Z"])?.fix == "Thay cáp")
    }
}
