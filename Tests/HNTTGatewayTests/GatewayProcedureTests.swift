import Foundation
import HNTTCore
import HNTTGateway
import HNTTGovernance
import HNTTSimulator
import HNTTTestSupport
import Testing

@Suite("The Gateway's procedures, logbook and report, in-process (no root)")
struct GatewayProcedureTests {
    let technician = Caller(operatorName: "Lê Thị B", osUser: "kythuat")
    let confirmAll: @Sendable (String) async -> Bool = { _ in true }

    @Test("a day in the room: the order rules, each step as it happens, typed logbook entries, the report's figures")
    func dayInTheRoom() async throws {
        let site = try await GatewaySite.make()
        let gateway = site.gateway
        let early = await #expect(throws: HNTTError.self) {
            _ = try await gateway.run(
                RunRequest(procedure: "dial", room: "xa", number: "84123456"), by: technician,
                confirm: confirmAll
            ) { _ in }
        }
        #expect(early?.exitCode == 3 && early?.message.contains("needs it") == true, "dial before power-on is refused")

        // Two bookings: one now (the dial below holds it), one that ended before it with no session.
        let local = DateFormatter()
        local.dateFormat = "yyyy-MM-dd HH:mm"
        func at(_ minutes: Double) -> String { local.string(from: Date().addingTimeInterval(minutes * 60)) }
        for (start, end) in [(-10.0, 50.0), (-40.0, -20.0)] {
            _ = try await gateway.addBooking(
                BookingRequest(room: "xa", start: at(start), end: at(end), organizer: "UBND tỉnh", chair: "84123456"),
                by: technician)
        }

        let steps = StepLog()
        for procedure in ["power-on", "test-call", "dial", "shutdown"] {
            let outcome = try await gateway.run(
                RunRequest(procedure: procedure, room: "xa", organizer: "UBND tỉnh", number: "84123456"),
                by: technician,
                confirm: confirmAll
            ) { steps.append($0) }
            #expect(outcome.result.succeeded, "\(procedure): \(outcome.result.steps.map(\.detail))")
        }
        #expect(steps.lines.contains { $0.contains("check: quality") && $0.contains("jitter") })
        #expect(site.cisco.store.snapshot.calls.isEmpty && site.cisco.store.snapshot.standby == "Standby")

        let entries = try await gateway.logEntries(room: "xa")
        #expect(entries.map(\.kind) == [.session, .session, .sessionEnd])
        let test = try #require(entries[0].session)
        #expect(test.sessionType == .test && test.operatorName == "Lê Thị B" && test.chairSite == "84123456")
        #expect(test.measured && test.lossMeasured == "received" && test.jitterMs != nil)
        #expect(entries[1].session?.sessionType == .official)
        #expect(entries[2].refersTo == entries[1].id)

        let incident = try await gateway.addIncident(
            IncidentReport(room: "xa", what: "Micro số 3 không lên tiếng", kind: .audio), by: technician)
        _ = try await gateway.fixIncident(incident.id, fix: "Thay pin", at: nil, by: technician)
        _ = try await gateway.signEntry(entries[0].id, signer: "Lê Thị B", by: technician)

        let report = try await gateway.yearlyReport(Calendar(identifier: .gregorian).component(.year, from: Date()))
        #expect(report.totalSessions == 2 && report.measuredSessions == 1)
        #expect(report.incidents == 1 && report.incidentsFixed == 1 && report.incidentsReported == 1)
        let assessment = report.assessment
        #expect(assessment.booked == 2 && assessment.held == 1 && assessment.officialSessions == 1)
        #expect(assessment.measuredSessions == 1 && assessment.goodQualitySessions == 1)
        #expect(assessment.incidentsFixed == 1 && assessment.averageMinutesToFix != nil)
        #expect(try await gateway.verifyLogbook().problem == nil)
        let runs = try await site.auditTrail().filter { $0.action.hasPrefix("run ") }
        #expect(runs.filter { $0.outcome != "started" }.map(\.outcome) == ["refused", "done", "done", "done", "done"])
        #expect(runs.filter { $0.outcome == "started" }.count == 5)
        await site.stop()
    }
}

/// Step lines as they arrive.
final class StepLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ line: String) { lock.withLock { stored.append(line) } }
    var lines: [String] { lock.withLock { stored } }
}
