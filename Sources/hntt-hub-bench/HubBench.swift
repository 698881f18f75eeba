import ArgumentParser
import Foundation
import HNTTCore
import HNTTGateway
import HNTTGovernance
import HNTTHub
import HNTTService
import HNTTTransport

/// The hub's scale benchmark (scripts/bench-hub): a simulated year for N gateways written through the
/// gateways' own stores, pushed by `syncHub` over HTTP to a hub on PostgreSQL, then the province's views
/// timed. Prints figures; asserts nothing.
@main
struct HubBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hntt-hub-bench", abstract: "Load a simulated year into a hub and time the province's views.")

    @Option(help: "postgres://… of an empty database the benchmark may fill.") var database: String
    @Option(help: "How many gateways.") var gateways = 60
    @Option(help: "Meeting rooms per gateway (one codec each).") var rooms = 2
    @Option(help: "Gateways written and synced at once.") var parallel = 4
    @Option(help: "The simulated year.") var year = 2025
    @Option(help: "A folder for the gateways' data (removed after).") var work: String

    func run() async throws {
        let hubDatabase = try HubDatabase(url: database)
        try await hubDatabase.migrate()
        let (listening, announce) = AsyncStream.makeStream(of: String.self)
        let app = try await hubApplication(database: hubDatabase, host: "127.0.0.1", port: 0) { url in
            announce.yield(url)
            announce.finish()
        }
        let server = Task {
            defer { announce.finish() }   // a hub that fails to start ends the wait below
            try await app.run()
        }
        var first: String?
        for await announced in listening { first = announced }
        guard let url = first else { throw HNTTError(.unreachable, "the benchmark's hub did not start") }
        let ledger = HubLedger(database: hubDatabase)
        let ids = (1...gateways).map { String(format: "xa-%03d", $0) }

        var clock = ContinuousClock.now
        let written = try await forEach(ids) { id in
            let gateway = try makeGateway(id)
            _ = try await gateway.joinHub(try await ledger.enrol(gateway: id, hubURL: url), by: bencher)
            return try await writeYear(gateway)
        }
        let writing = seconds(since: clock)
        print(
            String(
                format: "wrote a year for %d gateways (%d rooms each): %d records in %.1f s", gateways, rooms,
                written.reduce(0, +), writing))

        clock = .now
        let sent = try await forEach(ids) { id in try await makeGateway(id).syncHub().sent }
        let syncing = seconds(since: clock)
        let total = sent.reduce(0, +)
        print(
            String(
                format: "ingestion: %d outbox entries from %d gateways in %.1f s = %.0f entries/s (parallel %d)",
                total, gateways, syncing, Double(total) / syncing, parallel))

        let views = ProvinceViews(database: hubDatabase)
        func time(_ name: String, _ body: () async throws -> Int) async throws {
            let started = ContinuousClock.now
            let rows = try await body()
            let padded = name.padding(toLength: 40, withPad: " ", startingAt: 0)
            print("  \(padded) " + String(format: "%8.1f ms  (%d rows)", seconds(since: started) * 1000, rows))
        }
        print("province views (each query as the pages run it):")
        let month = String(format: "%04d-03", year)
        try await time("gateways, sync and chains") { try await ledger.gateways().count }
        try await time("every device's newest drift") { try await views.devices().count }
        try await time("rooms with sessions and incidents") { try await views.rooms().count }
        try await time("open incidents") { try await views.openIncidents().count }
        try await time("activity by month, \(year)") {
            try await views.activity(by: .month, prefix: String(year)).count
        }
        try await time("activity by day, \(month)") { try await views.activity(by: .day, prefix: month).count }
        try await time("yearly report, per gateway and total") {
            try await views.report(year: year, now: Date()).units.count
        }
        try await time("yearly report, again") { try await views.report(year: year, now: Date()).units.count }
        server.cancel()
        _ = try? await server.value
        await hubDatabase.stop()
        try? FileManager.default.removeItem(atPath: work)
    }

    var bencher: Caller { Caller(operatorName: "bench", osUser: "bench") }

    func makeGateway(_ id: String) throws -> Gateway {
        let folder = "\(work)/\(id)"
        let inventory = "\(folder)/inventory.yaml"
        if !FileManager.default.fileExists(atPath: inventory) {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let roomLines = (1...rooms).map { room in
                """
                  - id: phong-\(room)
                    name: "Phòng họp \(room)"
                    devices:
                      - {id: phong-\(room)-codec, profile: cisco-roomos, transport: telnet, host: 127.0.0.1, port: 9}
                """
            }
            try Data(("site: \"UBND xã \(id)\"\nrooms:\n" + roomLines.joined(separator: "\n") + "\n").utf8)
                .write(to: URL(fileURLWithPath: inventory))
        }
        return Gateway(inventory: inventory, data: "\(folder)/data")
    }

    /// A year of one gateway: per room and week a test call and an official session on Monday, another
    /// official session on Thursday (each booked, signed, its end written, its procedure audited), an incident
    /// a month (nine in ten fixed later), and a drift check of every codec every 6 hours.
    func writeYear(_ gateway: Gateway) async throws -> Int {
        let database = try await gateway.openDatabase()
        let logbook = Logbook(database: database)
        let audit = AuditLog(database: database)
        let bookings = BookingStore(database: database)
        var random = SystemRandomNumberGenerator()
        var records = 0
        let calendar = Calendar(identifier: .gregorian)
        let january = calendar.date(from: DateComponents(timeZone: .gmt, year: year, month: 1, day: 6, hour: 1))!
        for room in (1...rooms).map({ "phong-\($0)" }) {
            for week in 0..<52 {
                let monday = january.addingTimeInterval(Double(week) * 7 * 86400)
                for (offset, kind) in [(0.0, SessionKind.test), (1800, .official), (3 * 86400 + 1800, .official)] {
                    let start = monday.addingTimeInterval(offset)
                    let end = start.addingTimeInterval(kind == .test ? 900 : 5400)
                    if kind == .official {
                        _ = try await bookings.add(
                            room: room, start: start, end: end, organizer: "Văn phòng HĐND và UBND xã",
                            chair: "sip:tinh@hntt.gov.vn", title: "Họp trực tuyến", bookedBy: "bench")
                        records += 1
                    }
                    var session = SessionContent(
                        sessionType: kind, procedure: kind == .test ? "test-call" : "official-session",
                        organizer: "Văn phòng HĐND và UBND xã", chairSite: "UBND tỉnh", operatorName: "Lê Thị B",
                        unit: "Văn phòng HĐND và UBND xã", startedAt: timestamp(start), endedAt: timestamp(end),
                        outcome: "done")
                    session.lossPercent = String(format: "%.2f", Double.random(in: 0...2, using: &random))
                    session.jitterMs = String(Int.random(in: 5...45, using: &random))
                    let entry = try await logbook.append(
                        room: room, kind: .session, payload: session.payload, at: start)
                    _ = try await logbook.append(
                        room: room, kind: .signature, refersTo: entry.id,
                        payload: SignatureContent(signedBy: "Lê Thị B", signedAt: timestamp(end)).payload, at: end)
                    _ = try await audit.append(
                        device: "\(room)-codec", action: "procedure \(session.procedure)",
                        outcome: Int.random(in: 0..<20, using: &random) == 0 ? "failed" : "done", detail: "",
                        operatorName: "Lê Thị B", osUser: "kythuat", at: start)
                    records += 3
                    if kind == .official {
                        _ = try await logbook.append(
                            room: room, kind: .sessionEnd, refersTo: entry.id,
                            payload: SessionEndContent(
                                endedAt: timestamp(end), procedure: "shutdown", operatorName: "Lê Thị B"
                            ).payload, at: end)
                        records += 1
                    }
                }
                if week % 4 == 2 {
                    let began = monday.addingTimeInterval(2400)
                    let incident = try await logbook.append(
                        room: room, kind: .incident,
                        payload: IncidentContent(
                            what: "Mất tiếng từ điểm cầu tỉnh", kind: .audio, operatorName: "Lê Thị B",
                            reportedAt: timestamp(began), beganAt: timestamp(began)
                        ).payload, at: began)
                    records += 1
                    if week % 40 != 2 {
                        let fixed = began.addingTimeInterval(Double(Int.random(in: 10...90, using: &random)) * 60)
                        _ = try await logbook.append(
                            room: room, kind: .fix, refersTo: incident.id,
                            payload: FixContent(
                                fix: "Thay cáp micro", fixedAt: timestamp(fixed), operatorName: "Lê Thị B"
                            )
                            .payload, at: fixed)
                        records += 1
                    }
                }
            }
        }
        let checker = DriftChecker(database: database)
        for check in 0..<(365 * 4) {
            let at = january.addingTimeInterval(Double(check) * 6 * 3600)
            let reports = (1...rooms).map { room in
                let drifted = Int.random(in: 0..<200, using: &random) == 0
                return DriftReport(
                    device: "phong-\(room)-codec", status: drifted ? .drift : .clean,
                    changes: drifted ? [SettingChange(key: "SIP DisplayName", before: "Xã", after: "Xa")] : [],
                    error: nil, baselineVersion: 1)
            }
            try await checker.record(reports, at: at)
            records += reports.count
        }
        return records
    }

    /// Runs `body` for every id, `parallel` at a time.
    func forEach<T: Sendable>(_ ids: [String], _ body: @escaping @Sendable (String) async throws -> T) async throws
        -> [T]
    {
        try await withThrowingTaskGroup(of: T.self) { group in
            var results: [T] = []
            var next = ids.makeIterator()
            for _ in 0..<parallel { if let id = next.next() { group.addTask { try await body(id) } } }
            while let result = try await group.next() {
                results.append(result)
                if let id = next.next() { group.addTask { try await body(id) } }
            }
            return results
        }
    }

    func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
