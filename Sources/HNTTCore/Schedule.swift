import Foundation
import Yams

/// When the scheduler prepares a booked session (inventory `schedule:`, site level, a room may
/// override any key). Durations are written `90s`, `15m`, `2h`.
public struct Schedule: Sendable, Equatable {
    public var powerOnBefore: TimeInterval = 3600
    public var testCallBefore: TimeInterval = 1800
    public var diagnosticsBefore: TimeInterval = 900
    public var autoDial = false
    public var autoShutdown = false
    public var driftEvery: TimeInterval = 6 * 3600
    public var qualityEvery: TimeInterval = 60
    public var redialOnDrop = false

    public init() {}

    static let keys: Set<String> = [
        "power_on_before", "test_call_before", "diagnostics_before", "auto_dial", "auto_shutdown", "drift_every",
        "quality_every", "redial_on_drop",
    ]

    /// `base` with the keys of `node` applied.
    static func parse(_ node: Node, file: YAMLFile, over base: Schedule) throws -> Schedule {
        var schedule = base
        for (key, _, value) in try file.mapping(node, "schedule", allowed: keys) {
            switch key {
            case "power_on_before": schedule.powerOnBefore = try duration(value, key, file: file, range: 0...86_400)
            case "test_call_before": schedule.testCallBefore = try duration(value, key, file: file, range: 0...86_400)
            case "diagnostics_before":
                schedule.diagnosticsBefore = try duration(value, key, file: file, range: 0...86_400)
            case "drift_every": schedule.driftEvery = try duration(value, key, file: file, range: 60...7 * 86_400)
            case "quality_every": schedule.qualityEvery = try duration(value, key, file: file, range: 5...3600)
            case "auto_dial": schedule.autoDial = try flag(value, key, file: file)
            case "auto_shutdown": schedule.autoShutdown = try flag(value, key, file: file)
            default: schedule.redialOnDrop = try flag(value, key, file: file)
            }
        }
        return schedule
    }

    /// `90s`, `15m`, `2h`, `1d` (or a plain number of seconds) as seconds; nil when it is not one.
    public static func seconds(_ text: String) -> TimeInterval? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        if let unit = trimmed.last, let factor = units[unit], let value = Double(trimmed.dropLast()),
            value.isFinite, value >= 0
        {
            return value * factor
        }
        if let value = Double(trimmed), value.isFinite, value >= 0 { return value }
        return nil
    }

    static func duration(_ node: Node, _ key: String, file: YAMLFile, range: ClosedRange<Double>) throws
        -> TimeInterval
    {
        guard let value = try seconds(file.string(node, key)), range.contains(value) else {
            throw file.error(
                node, "\(key) must be a duration from \(Int(range.lowerBound)) s to \(Int(range.upperBound)) s",
                fix: "write it like `\(key): 15m` (s, m or h)")
        }
        return value
    }

    static func flag(_ node: Node, _ key: String, file: YAMLFile) throws -> Bool {
        guard case .scalar = node, let value = node.bool else {
            throw file.error(node, "\(key) must be true or false", fix: "write `\(key): true` or `\(key): false`")
        }
        return value
    }
}

/// Where alerts go (inventory `alerts:`): a webhook and/or e-mail through an SMTP relay.
public struct AlertSettings: Sendable, Equatable {
    public var webhook: URL?
    public var smtpHost: String?
    public var smtpPort = 25
    public var from = ""
    public var to: [String] = []

    public init() {}

    static func parse(_ node: Node, file: YAMLFile) throws -> AlertSettings {
        var alerts = AlertSettings()
        for (key, _, value) in try file.mapping(node, "alerts", allowed: ["webhook", "email"]) {
            if key == "webhook" {
                let text = try file.string(value, "webhook")
                guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                    throw file.error(
                        value, "webhook \"\(text)\" is not an http(s) URL", fix: "write e.g. http://10.0.0.5:9099/hntt")
                }
                alerts.webhook = url
                continue
            }
            for (field, _, fieldValue) in try file.mapping(value, "email", allowed: ["smtp", "from", "to"]) {
                switch field {
                case "smtp":
                    let text = try file.string(fieldValue, "smtp")
                    let parts = text.split(separator: ":")
                    guard parts.count <= 2, let host = parts.first, !host.isEmpty,
                        let port = parts.count == 2 ? Int(parts[1]) : 25, (1...65535).contains(port)
                    else {
                        throw file.error(
                            fieldValue, "smtp \"\(text)\" is not HOST:PORT", fix: "write e.g. 127.0.0.1:25")
                    }
                    alerts.smtpHost = String(host)
                    alerts.smtpPort = port
                case "from": alerts.from = try file.string(fieldValue, "from")
                default: alerts.to = try file.strings(fieldValue, "to")
                }
            }
            guard alerts.smtpHost != nil, !alerts.from.isEmpty, !alerts.to.isEmpty else {
                throw file.error(
                    value, "email needs smtp, from and to", fix: "see the inventory's alerts: in the README")
            }
        }
        return alerts
    }
}
