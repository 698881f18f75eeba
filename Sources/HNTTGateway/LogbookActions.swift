import Foundation
import HNTTCore
import HNTTGovernance

/// A time a technician types: ISO 8601 with a zone, `YYYY-MM-DD HH:MM` or `YYYY-MM-DDTHH:MM`
/// in local time, or `HH:MM` today.
public func parseOperatorTime(_ text: String, option: String) throws -> Date {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if let date = parseTimestamp(trimmed) { return date }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = .current
    for format in ["yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss"] {
        formatter.dateFormat = format
        if let date = formatter.date(from: trimmed) { return date }
    }
    formatter.dateFormat = "HH:mm"
    if let time = formatter.date(from: trimmed) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        let parts = calendar.dateComponents([.hour, .minute], from: time)
        if let date = calendar.date(bySettingHour: parts.hour ?? 0, minute: parts.minute ?? 0, second: 0, of: Date()) {
            return date
        }
    }
    throw HNTTError(
        .badInput, "\(option) \(text) is not a time",
        fix: "write it as YYYY-MM-DD HH:MM (local time), HH:MM (today) or ISO 8601")
}

/// A fault a technician writes down (Điều 4).
public struct IncidentReport: Sendable {
    public var room: String
    public var what: String
    public var fix: String = ""
    public var kind: IncidentKind = .other
    public var began: Date?
    public var fixed: Date?
    public var session: Int64?

    public init(
        room: String, what: String, fix: String = "", kind: IncidentKind = .other, began: Date? = nil,
        fixed: Date? = nil,
        session: Int64? = nil
    ) {
        self.room = room
        self.what = what
        self.fix = fix
        self.kind = kind
        self.began = began
        self.fixed = fixed
        self.session = session
    }
}

/// The logbook (sổ ghi biên bản): entries are never edited; fixes, signatures and corrections
/// are new entries pointing at the old one. Every write is audited.
extension Gateway {
    public func logbook() async throws -> Logbook { Logbook(database: try await openDatabase()) }

    public func logEntries(room: String? = nil, from: String? = nil, to: String? = nil) async throws -> [LogbookEntry] {
        try await logbook().list(room: room, from: from, to: to)
    }

    /// One entry and the entries that refer to it.
    public func logEntry(_ id: Int64) async throws -> (entry: LogbookEntry, related: [LogbookEntry]) {
        let logbook = try await logbook()
        let entry = try await logbook.entry(id)
        let related = try await logbook.list(room: entry.room).filter { $0.refersTo == id }
        return (entry, related)
    }

    public func addIncident(_ report: IncidentReport, by caller: Caller) async throws -> LogbookEntry {
        try await audited(AuditRecord(device: report.room, action: "log add-incident", detail: report.what), by: caller)
        {
            _ = try inventory().room(report.room)
            let now = Date()
            let beganAt = report.began ?? now
            var content = IncidentContent(
                what: report.what, fix: report.fix, kind: report.kind, operatorName: caller.operatorName ?? "",
                reportedAt: timestamp(now), beganAt: timestamp(beganAt))
            if let fixed = report.fixed, report.fix.isEmpty {
                throw HNTTError(
                    .badInput, "--fixed \(timestamp(fixed)) is given without --fix",
                    fix: "say how it was fixed with --fix TEXT")
            }
            if !report.fix.isEmpty {
                let fixedAt = report.fixed ?? now
                guard fixedAt >= beganAt else {
                    throw HNTTError(
                        .badInput, "the fix (\(timestamp(fixedAt))) is before the fault began (\(timestamp(beganAt)))",
                        fix: "check --began and --fixed")
                }
                content.fixedAt = timestamp(fixedAt)
            }
            return try await logbook().append(room: report.room, content, refersTo: report.session)
        }
    }

    /// Writes how an open incident was fixed, and when.
    public func fixIncident(_ id: Int64, fix: String, at: Date?, by caller: Caller) async throws -> LogbookEntry {
        try await audited(AuditRecord(device: "*", action: "log fix", detail: "entry \(id)"), by: caller) {
            let logbook = try await logbook()
            let incident = try await logbook.entry(id)
            guard incident.kind == .incident else {
                throw HNTTError(
                    .badInput, "entry \(id) is a \(incident.kind.rawValue), not an incident",
                    fix: "find the incident with `hntt log list`")
            }
            let entries = try await logbook.list(room: incident.room)
            if let known = IncidentRecord.all(in: entries).first(where: { $0.entry == id }), known.isFixed {
                throw HNTTError(
                    .badInput, "incident \(id) is already fixed (\(known.fix))",
                    fix: "to change what was written, use `hntt log correct \(id) --text ...`")
            }
            let fixedAt = at ?? Date()
            if let began = incident.incident?.beganAt.flatMap(parseTimestamp), fixedAt < began {
                throw HNTTError(
                    .badInput, "the fix (\(timestamp(fixedAt))) is before the fault began (\(timestamp(began)))",
                    fix: "check --at")
            }
            return try await logbook.append(
                room: incident.room,
                FixContent(fix: fix, fixedAt: timestamp(fixedAt), operatorName: caller.operatorName ?? ""),
                refersTo: id)
        }
    }

    /// The technician's sign-off (ký xác nhận) of an entry.
    public func signEntry(_ id: Int64, signer: String, by caller: Caller) async throws -> LogbookEntry {
        try await audited(AuditRecord(device: "*", action: "log sign", detail: "entry \(id) by \(signer)"), by: caller)
        {
            let logbook = try await logbook()
            let signed = try await logbook.entry(id)
            return try await logbook.append(
                room: signed.room, SignatureContent(signedBy: signer, signedAt: timestamp()), refersTo: id)
        }
    }

    /// A correction: a new entry pointing at the old one.
    public func correctEntry(_ id: Int64, text: String, by caller: Caller) async throws -> LogbookEntry {
        try await audited(AuditRecord(device: "*", action: "log correct", detail: "entry \(id)"), by: caller) {
            let logbook = try await logbook()
            let corrected = try await logbook.entry(id)
            return try await logbook.append(
                room: corrected.room, CorrectionContent(text: text, operatorName: caller.operatorName ?? ""),
                refersTo: id)
        }
    }

    /// Where the logbook's chain is broken, or nil; and how many entries it has.
    public func verifyLogbook() async throws -> (problem: String?, entries: Int) {
        let logbook = try await logbook()
        let count = try await logbook.list().count
        let problem = try await logbook.verify()
        return (problem, count)
    }

    /// Where the audit log's chain is broken, or nil; and how many entries it has.
    public func verifyAudit() async throws -> (problem: String?, entries: Int) {
        let log = AuditLog(database: try await openDatabase())
        let problem = try await log.verify()
        return (problem, try await log.list(limit: Int.max).count)
    }

    public func auditEntries(device: String?, limit: Int) async throws -> [AuditEntry] {
        try await AuditLog(database: try await openDatabase()).list(device: device, limit: limit)
    }
}
