import HNTTCore

/// One changed setting.
public struct SettingChange: Sendable, Equatable {
    public let key: String
    /// Nil when the key is new.
    public let before: String?
    /// Nil when the key disappeared.
    public let after: String?

    public init(key: String, before: String?, after: String?) {
        self.key = key
        self.before = before
        self.after = after
    }
}

/// Differences between two ordered settings maps, grouped by feature for people to read.
public enum SettingsDiff {
    /// The feature groups, in the order a reviewer reads them.
    public static let groups = [
        "SIP", "H323", "Network", "NetworkServices", "Security", "Conference", "Audio", "Video", "other",
    ]

    /// Every key whose value differs, appeared or disappeared, in `after`'s order (then removed keys).
    public static func changes(from before: [Setting], to after: [Setting])
        -> [SettingChange]
    {
        let old = Dictionary(before.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        let new = Dictionary(after.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        var result = after.compactMap { entry -> SettingChange? in
            old[entry.key] == entry.value
                ? nil : SettingChange(key: entry.key, before: old[entry.key], after: entry.value)
        }
        result += before.filter { new[$0.key] == nil }.map { SettingChange(key: $0.key, before: $0.value, after: nil) }
        return result
    }

    /// The feature a key belongs to: its first word for Cisco paths (`SIP DisplayName`), its
    /// prefix for Poly names (`sipaccountname`, `h323name`, `gatekeeperip`).
    public static func group(of key: String) -> String {
        let first = key.split(separator: " ").first.map(String.init) ?? key
        if groups.contains(first) { return first }
        let lower = key.lowercased()
        if lower.hasPrefix("sip") { return "SIP" }
        if lower.hasPrefix("h323") || lower.hasPrefix("gatekeeper") { return "H323" }
        if lower.hasPrefix("enablesnmp") || lower.hasPrefix("webenabled") || lower.hasPrefix("lanport") {
            return "NetworkServices"
        }
        if lower.hasPrefix("encryption") { return "Security" }
        if lower.hasPrefix("autoanswer") || lower.hasPrefix("mpautoanswer") || lower.hasPrefix("farcontrol") {
            return "Conference"
        }
        return "other"
    }

    /// Changes grouped by feature, in ``groups`` order, empty groups left out.
    public static func grouped(_ changes: [SettingChange]) -> [(group: String, changes: [SettingChange])] {
        groups.compactMap { name in
            let members = changes.filter { group(of: $0.key) == name }
            return members.isEmpty ? nil : (name, members)
        }
    }

    /// A readable report: one block per feature, `key: before → after`, secrets masked.
    public static func render(_ changes: [SettingChange]) -> String {
        if changes.isEmpty { return "no differences" }
        var lines: [String] = []
        for (group, members) in grouped(changes) {
            lines.append("[\(group)]")
            for change in members {
                let before = change.before.map { "\"\(SnapshotNormaliser.display($0))\"" } ?? "(absent)"
                let after = change.after.map { "\"\(SnapshotNormaliser.display($0))\"" } ?? "(absent)"
                let secret =
                    (change.before ?? change.after ?? "").hasPrefix(SnapshotNormaliser.secretPrefix)
                    ? " (secret changed)" : ""
                lines.append("  \(change.key): \(before) → \(after)\(secret)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
