import Foundation
import HNTTCore
import HNTTGateway
import HNTTGovernance
import HNTTTransport
import PostgresNIO

/// A device's newest drift result as the hub holds it.
public struct ProvinceDevice: Sendable, Equatable, Codable {
    public let gateway: String
    public let device: String
    public let status: String
    public let checkedAt: String
}

/// A room the hub has heard of (from its logbook or bookings), with its sessions and open incidents.
public struct ProvinceRoom: Sendable, Equatable, Codable {
    public let gateway: String
    public let room: String
    public let sessions: Int
    public let lastSession: String?
    public let incidents: Int
    public let openIncidents: Int
}

/// Sessions and incidents of one gateway in one day (`2026-03-05`) or month (`2026-03`).
public struct ProvinceActivity: Sendable, Equatable, Codable {
    public let period: String
    public let gateway: String
    public let sessions: Int
    public let officialSessions: Int
    public let incidents: Int
}

/// An incident not yet fixed, in any room of the province.
public struct ProvinceIncident: Sendable, Equatable, Codable {
    public let gateway: String
    public let room: String
    public let entry: Int64
    public let kind: String
    public let what: String
    public let began: String?
}

/// The province's yearly report: each gateway's own report, computed by the same code from the same
/// records as the gateway computes it, and the total over all of them.
public struct ProvinceReport: Sendable {
    public let year: Int
    public let units: [(gateway: String, report: YearlyReport)]
    public let total: YearlyReport
}

/// What the province pages show, read from the verified records: queries on summaries and indexes, and
/// the yearly report through ``YearlyReport/build`` (one core with the gateways).
public struct ProvinceViews: Sendable {
    let database: HubDatabase
    let cache: ReportCache
    var logger: Logger { HubDatabase.logger }

    public init(database: HubDatabase, cache: ReportCache = ReportCache()) {
        self.database = database
        self.cache = cache
    }

    /// Every device's newest drift result, by gateway and device.
    public func devices() async throws -> [ProvinceDevice] {
        try await rows(
            "SELECT gateway, device, status, checked_at FROM device_drift ORDER BY gateway, device",
            (String, String, String, String).self
        ).map { ProvinceDevice(gateway: $0.0, device: $0.1, status: $0.2, checkedAt: $0.3) }
    }

    /// Every room with its sessions, incidents and the open ones.
    public func rooms() async throws -> [ProvinceRoom] {
        let open = try await openIncidents()
        return try await rows(
            """
            SELECT gateway, room, count(*) FILTER (WHERE kind = 'session'), max(at) FILTER (WHERE kind = 'session'),
              count(*) FILTER (WHERE kind = 'incident')
            FROM (SELECT gateway, room, kind, at FROM logbook_entry
                  UNION ALL SELECT gateway, room, 'booking', starts_at FROM booking) AS seen
            GROUP BY gateway, room ORDER BY gateway, room
            """, (String, String, Int, String?, Int).self
        ).map { gateway, room, sessions, last, incidents in
            ProvinceRoom(
                gateway: gateway, room: room, sessions: sessions, lastSession: last, incidents: incidents,
                openIncidents: open.filter { $0.gateway == gateway && $0.room == room }.count)
        }
    }

    public enum Period: String, Sendable, CaseIterable {
        case day, month
        var length: Int { self == .day ? 10 : 7 }
    }

    /// Sessions and incidents per gateway and day or month, for times starting with `prefix` (`2026`, `2026-03`).
    public func activity(by period: Period, prefix: String) async throws -> [ProvinceActivity] {
        let pattern = prefix.filter { $0.isNumber || $0 == "-" } + "%"
        return try await rows(
            """
            SELECT substr(at, 1, \(period.length)::integer) AS period, gateway,
              count(*) FILTER (WHERE kind = 'session'),
              count(*) FILTER (WHERE kind = 'session' AND payload->>'session_type' = 'official'),
              count(*) FILTER (WHERE kind = 'incident')
            FROM logbook_entry WHERE kind IN ('session', 'incident') AND at LIKE \(pattern)
            GROUP BY 1, 2 ORDER BY 1, 2
            """, (String, String, Int, Int, Int).self
        ).map {
            ProvinceActivity(period: $0.0, gateway: $0.1, sessions: $0.2, officialSessions: $0.3, incidents: $0.4)
        }
    }

    /// Incidents without a fix, read by ``IncidentRecord/all(in:)`` as each gateway reads its own.
    public func openIncidents() async throws -> [ProvinceIncident] {
        let entries = try await logbook(kinds: ["incident", "fix"])
        return entries.keys.sorted().flatMap { gateway in
            IncidentRecord.all(in: entries[gateway] ?? []).filter { !$0.isFixed }.map {
                ProvinceIncident(
                    gateway: gateway, room: $0.room, entry: $0.entry, kind: $0.kind.rawValue, what: $0.what,
                    began: $0.began.map(timestamp))
            }
        }
    }

    /// The yearly report per gateway and for the province, as of `now`. Kept while no gateway sends more and
    /// for at most ``ReportCache/lifetime``: a year of a province is read and computed once.
    public func report(year: Int, now: Date = Date()) async throws -> ProvinceReport {
        let heads = try await rows(
            """
            SELECT id, last_sequence, logbook_last_id, logbook_last_hash, audit_last_id, audit_last_hash
            FROM gateway ORDER BY id
            """, (String, Int64, Int64, String, Int64, String).self)
        let key = "\(year) " + heads.map { "\($0.0):\($0.1)" }.joined(separator: ",")
        if let kept = await cache.report(key, now: now) { return kept }
        let report = try await computeReport(year: year, now: now, heads: heads.map { ($0.0, $0.2, $0.3, $0.4, $0.5) })
        await cache.keep(report, key, now: now)
        return report
    }

    /// Reads the records a report counts and builds it. Rows that cannot change a figure are left in the
    /// database: entries written before the year (a session or incident is written after it began), logbook
    /// kinds the report does not read (signatures, corrections, jobs), clean drift results, audit entries
    /// that did not fail, bookings of other years (a day either side, for time zones). ``YearlyReport/build``
    /// still applies its own filters.
    private func computeReport(
        year: Int, now: Date, heads: [(String, Int64, String, Int64, String)]
    ) async throws -> ProvinceReport {
        let prefix = String(year) + "%"
        let logbook = try await logbook(kinds: ["session", "session-end", "incident", "fix"], since: String(year))
        var drift: [String: [(device: String, status: String, at: String)]] = [:]
        for (gateway, device, status, at) in try await rows(
            """
            SELECT gateway, device, status, checked_at FROM drift_result
            WHERE checked_at LIKE \(prefix) AND status = 'drift' ORDER BY id
            """, (String, String, String, String).self)
        {
            drift[gateway, default: []].append((device, status, at))
        }
        var audit: [String: [AuditEntry]] = [:]
        for (gateway, id, at, device, action, outcome) in try await rows(
            """
            SELECT gateway, id, at, device, action, outcome FROM audit_entry
            WHERE at LIKE \(prefix) AND outcome = 'failed' ORDER BY gateway, id
            """, (String, Int64, String, String, String, String).self)
        {
            audit[gateway, default: []].append(
                AuditEntry(
                    id: id, at: at, osUser: "", operatorName: "", device: device, action: action, outcome: outcome,
                    detail: "", previousHash: "", hash: ""))
        }
        var bookings: [String: [Booking]] = [:]
        for (gateway, id, room, starts, ends, organizer, status) in try await rows(
            """
            SELECT gateway, id, room, starts_at, ends_at, organizer, status FROM booking
            WHERE starts_at >= \(String(year - 1) + "-12-30") AND starts_at < \(String(year + 1) + "-01-03")
            ORDER BY gateway, id
            """,
            (String, Int64, String, String, String, String, String).self)
        {
            bookings[gateway, default: []].append(
                Booking(
                    id: id, room: room, start: parseTimestamp(starts) ?? .distantPast,
                    end: parseTimestamp(ends) ?? .distantPast, organizer: organizer, chair: "", title: "",
                    status: Booking.Status(rawValue: status) ?? .booked, bookedBy: "", bookedAt: "",
                    cancelReason: nil))
        }
        let (drifts, audits, booked) = (drift, audit, bookings)
        return try await onOwnThread {
            var units: [(gateway: String, report: YearlyReport)] = []
            var all = YearlyReport.Records()
            for (gateway, logbookID, logbookHash, auditID, auditHash) in heads {
                let records = YearlyReport.Records(
                    logbook: logbook[gateway] ?? [], drift: drifts[gateway] ?? [], audit: audits[gateway] ?? [],
                    bookings: booked[gateway] ?? [])
                var report = records.report(year: year, now: now)
                report.chainHeads = [("audit", auditID, auditHash), ("logbook", logbookID, logbookHash)]
                units.append((gateway, report))
                all.merge(records, as: gateway)
            }
            return ProvinceReport(year: year, units: units, total: all.report(year: year, now: now))
        }
    }

    /// Logbook entries of `kinds` by gateway, in order; only those written at or after `since` when given.
    func logbook(kinds: [String], since: String = "") async throws -> [String: [LogbookEntry]] {
        let found = try await rows(
            """
            SELECT gateway, id, at, room, kind, refers_to, payload::text, hash FROM logbook_entry
            WHERE kind = ANY(\(kinds)) AND at >= \(since) ORDER BY gateway, id
            """, (String, Int64, String, String, String, Int64?, String, String).self)
        return try await onOwnThread {
            var entries: [String: [LogbookEntry]] = [:]
            for (gateway, id, at, room, kind, refersTo, payload, hash) in found {
                guard let kind = LogbookEntry.Kind(rawValue: kind) else { continue }
                let fields =
                    (try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: String]) ?? [:]
                entries[gateway, default: []].append(
                    LogbookEntry(
                        id: id, at: at, room: room, kind: kind, refersTo: refersTo, payload: fields, previousHash: "",
                        hash: hash))
            }
            return entries
        }
    }

    func rows<each T: PostgresDecodable & Sendable>(
        _ query: PostgresQuery, _ types: (repeat each T).Type
    ) async throws -> [(repeat each T)] {
        try await HubDatabase.mapped {
            var found: [(repeat each T)] = []
            for try await row in try await database.client.query(query, logger: logger).decode(types) {
                found.append(row)
            }
            return found
        }
    }
}

/// The province's reports already made, by year and what each gateway had sent.
public actor ReportCache {
    public static let lifetime: TimeInterval = 300
    private var kept: [String: (report: ProvinceReport, madeAt: Date)] = [:]

    public init() {}

    func report(_ key: String, now: Date) -> ProvinceReport? {
        guard let entry = kept[key], abs(now.timeIntervalSince(entry.madeAt)) < ReportCache.lifetime else { return nil }
        return entry.report
    }

    func keep(_ report: ProvinceReport, _ key: String, now: Date) {
        kept = kept.filter { abs(now.timeIntervalSince($0.value.madeAt)) < ReportCache.lifetime }
        kept[key] = (report, now)
    }
}
