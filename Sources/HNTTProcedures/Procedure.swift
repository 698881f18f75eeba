import Foundation
import HNTTCore
import Yams

/// A technical procedure as data (Điều 3.2): the steps a technician runs on a room with one
/// command, what each checks, and what to do when a step fails.
public struct Procedure: Sendable {
    /// Which devices of the room a step acts on.
    public enum Target: String, Sendable { case codec, cameras }

    /// What a failed step leads to.
    public enum OnFailure: String, Sendable { case stop, `continue`, recover }

    public enum Action: Sendable, Equatable {
        case wake, sleep
        case mute(Bool)
        case preset(Int)
        case home, dial, hangup
    }

    public enum Check: Sendable, Equatable {
        case standbyOff, standbyOn, callConnected, noCall, muted, unmuted, noDrift
        /// Sample media statistics for `seconds`; loss and jitter must stay under the limits.
        case quality(seconds: Double, maxLossPercent: Double, maxJitterMs: Double)
    }

    public enum Kind: Sendable, Equatable {
        case action(Action, Target)
        case check(Check, timeout: Double)
        case wait(Double)
        case confirm(String)
    }

    public struct Step: Sendable {
        public let kind: Kind
        public let onFailure: OnFailure
        public let recover: [Step]
        /// Where the step is written, for messages.
        public let line: Int

        /// The logbook's incident kind when this step fails: the call and its quality are the
        /// line (`network`), everything else the equipment (`device`).
        public var incidentKind: String {
            switch kind {
            case .action(.dial, _), .action(.hangup, _), .check(.callConnected, _), .check(.noCall, _),
                .check(.quality, _):
                return "network"
            default: return "device"
            }
        }
    }

    /// The logbook entry a run writes.
    public enum Session: String, Sendable { case none, test, official }

    public let id: String
    public let title: String
    public let session: Session
    /// Room phases the procedure may start from (empty: any).
    public let requires: [String]
    /// For official sessions: how recent the passing test call must be.
    public let testWindowMinutes: Double
    /// The room phase after a successful run.
    public let leavesRoom: String?
    public let steps: [Step]

    /// Loads and checks a procedure file; every problem names the file, the line and the fix.
    public static func load(path: String) throws -> Procedure {
        try load(try YAMLFile(path: path, what: "procedure"))
    }

    /// Checks a procedure already read (`file.path` names it in errors).
    public static func load(_ file: YAMLFile) throws -> Procedure {
        var id = ""
        var title = ""
        var session = Session.none
        var requires: [String] = []
        var window = 120.0
        var leaves: String?
        var steps: [Step] = []
        for (key, keyNode, value) in try file.mapping(
            file.root, "the procedure",
            allowed: ["id", "title", "session", "requires", "test_window_minutes", "leaves_room", "steps"])
        {
            switch key {
            case "id": id = try file.string(value, key)
            case "title": title = try file.string(value, key)
            case "session":
                guard let parsed = Session(rawValue: try file.string(value, key)) else {
                    throw file.error(
                        value, "session must be none, test or official", fix: "write `session: test` for a test call")
                }
                session = parsed
            case "requires": requires = try file.strings(value, key)
            case "test_window_minutes": window = try file.double(value, key, range: 1...1440)
            case "leaves_room": leaves = try file.string(value, key)
            case "steps": steps = try file.sequence(value, "steps").map { try step($0, file: file) }
            default: throw file.error(keyNode, "unexpected key", fix: "remove it")
            }
        }
        guard !id.isEmpty, !steps.isEmpty else {
            throw file.error(
                file.root, "a procedure needs an `id:` and at least one step", fix: "see procedures/power-on.yaml")
        }
        return Procedure(
            id: id, title: title.isEmpty ? id : title, session: session, requires: requires, testWindowMinutes: window,
            leavesRoom: leaves, steps: steps)
    }

    static let stepKeys: Set<String> = [
        "action", "check", "wait", "confirm", "target", "value", "preset", "timeout", "on_failure",
        "recover", "seconds", "max_loss_percent", "max_jitter_ms",
    ]

    static func step(_ node: Yams.Node, file: YAMLFile) throws -> Step {
        var fields: [String: (String, Yams.Node)] = [:]
        var recover: [Step] = []
        for (key, _, value) in try file.mapping(node, "a step", allowed: stepKeys) {
            if key == "recover" {
                recover = try file.sequence(value, "recover").map { try step($0, file: file) }
            } else {
                fields[key] = (try file.string(value, key), value)
            }
        }
        func number(_ key: String, _ fallback: Double, _ range: ClosedRange<Double>) throws -> Double {
            guard let (_, valueNode) = fields[key] else { return fallback }
            return try file.double(valueNode, key, range: range)
        }
        let target: Target
        if let (text, valueNode) = fields["target"] {
            guard let parsed = Target(rawValue: text) else {
                throw file.error(valueNode, "target must be codec or cameras", fix: "write `target: cameras`")
            }
            target = parsed
        } else {
            target = .codec
        }
        let kind: Kind
        let kinds = ["action", "check", "wait", "confirm"].filter { fields[$0] != nil }
        guard kinds.count == 1 else {
            throw file.error(
                node,
                "a step is exactly one of action, check, wait or confirm (found \(kinds.isEmpty ? "none" : kinds.joined(separator: ", ")))",
                fix: "split it into several steps")
        }
        switch kinds[0] {
        case "action":
            let (name, valueNode) = fields["action"]!
            let action: Action
            switch name {
            case "wake": action = .wake
            case "sleep": action = .sleep
            case "mute": action = .mute(fields["value"]?.0 != "off")
            case "preset":
                let preset = try number("preset", 1, 0...255)
                guard preset == preset.rounded() else {
                    throw file.error(
                        fields["preset"]?.1, "preset must be a whole number", fix: "write e.g. `preset: 1`")
                }
                action = .preset(Int(preset))
            case "home": action = .home
            case "dial": action = .dial
            case "hangup": action = .hangup
            default:
                throw file.error(
                    valueNode, "unknown action \"\(name)\"", fix: "use wake, sleep, mute, preset, home, dial or hangup")
            }
            kind = .action(action, target)
        case "check":
            let (name, valueNode) = fields["check"]!
            let check: Check
            switch name {
            case "standby-off": check = .standbyOff
            case "standby-on": check = .standbyOn
            case "call-connected": check = .callConnected
            case "no-call": check = .noCall
            case "muted": check = .muted
            case "unmuted": check = .unmuted
            case "no-drift": check = .noDrift
            case "quality":
                check = .quality(
                    seconds: try number("seconds", 10, 1...3600),
                    maxLossPercent: try number("max_loss_percent", 1, 0...100),
                    maxJitterMs: try number("max_jitter_ms", 40, 0...10_000))
            default:
                throw file.error(
                    valueNode, "unknown check \"\(name)\"",
                    fix: "use standby-off, standby-on, call-connected, no-call, muted, unmuted, no-drift or quality")
            }
            kind = .check(check, timeout: try number("timeout", 15, 0.1...3600))
        case "wait": kind = .wait(try number("wait", 1, 0...3600))
        default: kind = .confirm(fields["confirm"]!.0)
        }
        let onFailure: OnFailure
        if let (text, valueNode) = fields["on_failure"] {
            guard let parsed = OnFailure(rawValue: text) else {
                throw file.error(
                    valueNode, "on_failure must be stop, continue or recover", fix: "write `on_failure: continue`")
            }
            onFailure = parsed
        } else {
            onFailure = recover.isEmpty ? .stop : .recover
        }
        if onFailure == .recover && recover.isEmpty {
            throw file.error(
                node, "on_failure: recover needs `recover:` steps", fix: "list the recovery steps under `recover:`")
        }
        return Step(kind: kind, onFailure: onFailure, recover: recover, line: node.mark?.line ?? 0)
    }

    /// `$HNTT_PROCEDURES`, else a `procedures` folder beside the device profiles.
    public static func directory(profiles: ProfileCatalog) -> String {
        if let explicit = ProcessInfo.processInfo.environment["HNTT_PROCEDURES"], !explicit.isEmpty { return explicit }
        return (profiles.directory as NSString).deletingLastPathComponent + "/procedures"
    }
}

extension Procedure.Step {
    /// The same in Vietnamese, for the technician's page.
    public var vietnameseTitle: String {
        switch kind {
        case .action(let action, let target):
            let what: String
            switch action {
            case .wake: what = "Thoát chế độ chờ"
            case .sleep: what = "Về chế độ chờ"
            case .mute(let on): what = on ? "Tắt tiếng micro" : "Mở micro"
            case .preset(let n): what = "Camera về vị trí đặt sẵn \(n)"
            case .home: what = "Camera về vị trí gốc"
            case .dial: what = "Gọi điểm cầu chủ trì"
            case .hangup: what = "Kết thúc cuộc gọi"
            }
            return target == .cameras ? "\(what) (camera)" : what
        case .check(let check, _):
            switch check {
            case .standbyOff: return "Kiểm tra: thiết bị đã hoạt động"
            case .standbyOn: return "Kiểm tra: thiết bị ở chế độ chờ"
            case .callConnected: return "Kiểm tra: cuộc gọi đã kết nối"
            case .noCall: return "Kiểm tra: không còn cuộc gọi"
            case .muted: return "Kiểm tra: micro đã tắt tiếng"
            case .unmuted: return "Kiểm tra: micro đang mở"
            case .noDrift: return "Kiểm tra: cấu hình đúng cấu hình chuẩn"
            case .quality(let seconds, let loss, let jitter):
                return
                    "Kiểm tra chất lượng trong \(Int(seconds)) giây (mất gói ≤ \(loss) %, jitter ≤ \(Int(jitter)) ms)"
            }
        case .wait(let seconds): return "Chờ \(seconds) giây"
        case .confirm(let text): return "Xác nhận: \(text)"
        }
    }

    /// A short description for the run's output and the logbook.
    public var title: String {
        switch kind {
        case .action(let action, let target):
            let what: String
            switch action {
            case .wake: what = "wake"
            case .sleep: what = "standby"
            case .mute(let on): what = on ? "microphones muted" : "microphones live"
            case .preset(let n): what = "camera preset \(n)"
            case .home: what = "cameras home"
            case .dial: what = "dial the chair site"
            case .hangup: what = "hang up"
            }
            return target == .cameras ? "\(what) (cameras)" : what
        case .check(let check, _):
            switch check {
            case .standbyOff: return "check: codec awake"
            case .standbyOn: return "check: codec in standby"
            case .callConnected: return "check: call connected"
            case .noCall: return "check: no call"
            case .muted: return "check: microphones muted"
            case .unmuted: return "check: microphones live"
            case .noDrift: return "check: configuration as approved"
            case .quality(let seconds, let loss, let jitter):
                return "check: quality over \(Int(seconds)) s (loss ≤ \(loss) %, jitter ≤ \(Int(jitter)) ms)"
            }
        case .wait(let seconds): return "wait \(seconds) s"
        case .confirm(let text): return "confirm: \(text)"
        }
    }
}
