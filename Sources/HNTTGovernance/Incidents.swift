import Foundation
import HNTTCore

/// An incident as the logbook tells it: when it began, whether and when it was fixed (in the
/// incident entry itself, or by a later `fix` entry that refers to it).
public struct IncidentRecord: Sendable, Equatable {
    public let entry: Int64
    public let room: String
    public let kind: IncidentKind
    public let what: String
    public let began: Date?
    public let fixed: Date?
    public let fix: String
    /// Written by a procedure's failed step (not by a technician).
    public let fromProcedure: Bool

    /// Minutes from the fault to its fix; nil while it is open or when a time is missing.
    public var minutesToFix: Double? {
        guard let began, let fixed else { return nil }
        return max(0, fixed.timeIntervalSince(began)) / 60
    }

    public var isFixed: Bool { !fix.isEmpty }

    /// Every incident of the entries, with the fixes written later folded in.
    public static func all(in entries: [LogbookEntry]) -> [IncidentRecord] {
        var laterFixes: [Int64: FixContent] = [:]
        for entry in entries {
            if let target = entry.refersTo, laterFixes[target] == nil, let fix = entry.content(FixContent.self) {
                laterFixes[target] = fix
            }
        }
        return entries.compactMap { entry -> IncidentRecord? in
            guard let content = entry.incident else { return nil }
            let began = parseTimestamp(content.beganAt ?? content.reportedAt ?? entry.at)
            var fix = content.fix
            var fixed: Date?
            if !fix.isEmpty {
                fixed = parseTimestamp(content.fixedAt ?? content.reportedAt ?? entry.at)
            } else if let later = laterFixes[entry.id] {
                fix = later.fix
                fixed = parseTimestamp(later.fixedAt)
            }
            return IncidentRecord(
                entry: entry.id, room: entry.room, kind: content.kind, what: content.what, began: began, fixed: fixed,
                fix: fix, fromProcedure: content.source == "procedure")
        }
    }
}
