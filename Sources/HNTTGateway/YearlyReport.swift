import Foundation
import HNTTCore
import HNTTGovernance

/// The yearly report on how well the system worked (Điều 5.8), from the logbook, the drift
/// history and the audit log.
public struct YearlyReport: Sendable {
    public var year: Int

    public init(year: Int) { self.year = year }
    public var sessions: [(type: String, organizer: String, count: Int, hours: Double)] = []
    public var incidents = 0
    public var incidentsFromProcedures = 0
    public var incidentsReported = 0
    public var incidentsFixed = 0
    public var incidentKinds:
        [(kind: IncidentKind, count: Int, fixed: Int, averageMinutes: Double?, longestMinutes: Double?)] = []
    public var averageLossPercent: Double?
    public var worstJitterMs: Double?
    public var measuredSessions = 0
    public var driftEvents: [(device: String, count: Int)] = []
    public var failures: [(device: String, count: Int)] = []
    /// The chains' newest entries when the report was made (``ChainAnchors``): kept by the Sở with
    /// the report, they show later whether entries were removed.
    public var chainHeads: [(chain: String, id: Int64, hash: String)] = []
    /// The figures the report's assessment states (``YearlyAssessment``).
    public var assessment = YearlyAssessment()

    public var totalSessions: Int { sessions.map(\.count).reduce(0, +) }
    public var totalHours: Double { sessions.map(\.hours).reduce(0, +) }

    public static func build(
        year: Int, logbook: [LogbookEntry], drift: [(device: String, status: String, at: String)], audit: [AuditEntry],
        bookings: [Booking] = [], now: Date = Date()
    ) -> YearlyReport {
        var report = YearlyReport(year: year)
        let prefix = String(year)
        var groups: [String: (type: String, organizer: String, count: Int, hours: Double)] = [:]
        var losses: [Double] = []
        let sessionEnds = Dictionary(grouping: logbook.filter { $0.kind == .sessionEnd }) { $0.refersTo ?? 0 }
        for entry in logbook {
            guard let session = entry.session,
                (session.startedAt.isEmpty ? entry.at : session.startedAt).hasPrefix(prefix)
            else { continue }
            let type = session.sessionType.rawValue
            let organizer = session.organizer.isEmpty ? "(not given)" : session.organizer
            let start = parseTimestamp(session.startedAt)
            let end = entry.sessionEndedAt(in: sessionEnds[entry.id] ?? []).flatMap(parseTimestamp)
            let hours = (start != nil && end != nil) ? max(0, end!.timeIntervalSince(start!)) / 3600 : 0
            var group = groups[type + "\u{1F}" + organizer] ?? (type, organizer, 0, 0)
            group.count += 1
            group.hours += hours
            groups[type + "\u{1F}" + organizer] = group
            if let loss = session.lossPercent.flatMap(Double.init) {
                losses.append(loss)
                report.measuredSessions += 1
            }
            if let jitter = session.jitterMs.flatMap(Double.init) {
                report.worstJitterMs = max(report.worstJitterMs ?? 0, jitter)
            }
        }
        let incidents = IncidentRecord.all(in: logbook).filter { ($0.began.map(timestamp) ?? "").hasPrefix(prefix) }
        for incident in incidents {
            if incident.fromProcedure || incident.what.contains(": check: ")
                || incident.fix == "recovered by the procedure"
            {
                report.incidentsFromProcedures += 1
            } else {
                report.incidentsReported += 1
            }
        }
        report.incidents = incidents.count
        report.incidentsFixed = incidents.filter(\.isFixed).count
        report.incidentKinds = IncidentKind.allCases.compactMap { kind in
            let ofKind = incidents.filter { $0.kind == kind }
            guard !ofKind.isEmpty else { return nil }
            let minutes = ofKind.compactMap(\.minutesToFix)
            return (
                kind, ofKind.count, ofKind.filter(\.isFixed).count,
                minutes.isEmpty ? nil : minutes.reduce(0, +) / Double(minutes.count), minutes.max()
            )
        }
        report.sessions = groups.values.sorted { ($0.type, $0.organizer) < ($1.type, $1.organizer) }
        report.averageLossPercent = losses.isEmpty ? nil : losses.reduce(0, +) / Double(losses.count)
        report.driftEvents = ranking(drift.filter { $0.at.hasPrefix(prefix) && $0.status == "drift" }.map(\.device))
        report.failures = ranking(
            audit.filter { $0.at.hasPrefix(prefix) && $0.outcome == "failed" && $0.device != "*" }.map(\.device))
        report.assessment = YearlyAssessment(
            year: year, logbook: logbook, incidents: incidents, bookings: bookings, now: now)
        return report
    }

    public static func ranking(_ devices: [String]) -> [(device: String, count: Int)] {
        Dictionary(grouping: devices, by: { $0 }).map { ($0.key, $0.value.count) }.sorted {
            ($1.count, $0.device) < ($0.count, $1.device)
        }
    }

}

extension YearlyReport {
    /// The records a report is made of: one gateway's, or several merged (the province's).
    public struct Records: Sendable {
        public var logbook: [LogbookEntry] = []
        public var drift: [(device: String, status: String, at: String)] = []
        public var audit: [AuditEntry] = []
        public var bookings: [Booking] = []
        /// Entry and booking ids are moved past those already merged, so that references stay within a gateway.
        private var nextID: Int64 = 0

        public init(
            logbook: [LogbookEntry] = [], drift: [(device: String, status: String, at: String)] = [],
            audit: [AuditEntry] = [], bookings: [Booking] = []
        ) {
            self.logbook = logbook
            self.drift = drift
            self.audit = audit
            self.bookings = bookings
        }

        public func report(year: Int, now: Date) -> YearlyReport {
            YearlyReport.build(year: year, logbook: logbook, drift: drift, audit: audit, bookings: bookings, now: now)
        }

        /// Adds another gateway's records, its rooms and devices named `GATEWAY/ID` so that none meet.
        public mutating func merge(_ other: Records, as gateway: String) {
            let offset = nextID
            func name(_ id: String) -> String { "\(gateway)/\(id)" }
            logbook += other.logbook.map {
                LogbookEntry(
                    id: $0.id + offset, at: $0.at, room: name($0.room), kind: $0.kind,
                    refersTo: $0.refersTo.map { $0 + offset }, payload: $0.payload, previousHash: $0.previousHash,
                    hash: $0.hash)
            }
            drift += other.drift.map { (name($0.device), $0.status, $0.at) }
            audit += other.audit.map {
                AuditEntry(
                    id: $0.id + offset, at: $0.at, osUser: $0.osUser, operatorName: $0.operatorName,
                    device: $0.device == "*" ? "*" : name($0.device), action: $0.action, outcome: $0.outcome,
                    detail: $0.detail, previousHash: $0.previousHash, hash: $0.hash)
            }
            bookings += other.bookings.map {
                Booking(
                    id: $0.id + offset, room: name($0.room), start: $0.start, end: $0.end, organizer: $0.organizer,
                    chair: $0.chair, title: $0.title, status: $0.status, bookedBy: $0.bookedBy, bookedAt: $0.bookedAt,
                    cancelReason: $0.cancelReason)
            }
            let largest = (other.logbook.map(\.id) + other.audit.map(\.id) + other.bookings.map(\.id)).max() ?? 0
            nextID = offset + largest + 1
        }
    }
}
