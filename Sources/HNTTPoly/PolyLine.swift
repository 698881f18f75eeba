/// An asynchronous line from a Poly codec, produced by a registration (`notify`, `callstate
/// register`, `mute register`, `sleep register`); it can arrive anywhere, even inside a reply.
public enum PolyEvent: Sendable, Equatable {
    /// `notification:callstatus:<direction>:<id>:<name>:<number>:<status>:<speed>:<cause>:<type>`.
    case callStatus(id: String, number: String, status: String, cause: String)
    /// `cs: call[N] … state[S]`, or `cs: call[N] inactive` (state "inactive").
    case callState(id: String, state: String)
    /// `active: call[N] speed[S]`.
    case active(id: String)
    /// `cleared: call[N]` / `ended: call[N]`.
    case ended(id: String)
    /// `notification:mutestatus:near:…:muted|notmuted`, or `mute near on|off` after `mute register`.
    case nearMute(Bool)
    /// `listen going to sleep` / `listen waking up`.
    case asleep(Bool)
    /// Any other asynchronous line (`control event:`, `listen video ringing`, `linestatus`, …).
    case other(String)
}

extension PolyEvent {
    /// The call an event is about, if any.
    public var callID: String? {
        switch self {
        case .callStatus(let id, _, _, _), .callState(let id, _), .active(let id), .ended(let id): return id
        default: return nil
        }
    }
}

/// One line of Poly API output, classified (docs/protocols/poly-and-others.md §1.4, §1.5, §2.10).
public enum PolyLine: Sendable, Equatable {
    case event(PolyEvent)
    /// `error: …` and the few unprefixed refusals.
    case error(String)
    /// `info: …`.
    case info(String)
    case text(String)

    /// Classifies one line; nil for an empty line or a bare `->` prompt. A leading `-> ` is
    /// removed first (the prompt sits in front of whatever the codec prints next).
    public static func parse(_ raw: String) -> PolyLine? {
        let text = withoutPrompt(raw)
        if text.isEmpty { return nil }
        let lower = text.lowercased()
        if lower.hasPrefix("error:") { return .error(text) }
        if lower.hasPrefix("command is not available")
            || lower.hasPrefix("this setting is controlled by a provisioning")
        {
            return .error(text)
        }
        if lower.hasPrefix("info:") {
            return .info(text)
        }
        if let event = parseEvent(text, lower: lower) { return .event(event) }
        return .text(text)
    }

    /// The line without the `-> ` prompt(s) in front of it and surrounding blanks.
    public static func withoutPrompt(_ raw: String) -> String {
        var line = Substring(raw.trimmingCharacters(in: .whitespaces))
        while line.hasPrefix("->") {
            line = line.dropFirst(2)
            line = line.drop { $0 == " " }
        }
        return String(line)
    }

    static func parseEvent(_ text: String, lower: String) -> PolyEvent? {
        if lower.hasPrefix("notification:") {
            let fields = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            if fields.count >= 10, fields[1] == "callstatus" {
                return .callStatus(id: fields[3], number: fields[5], status: fields[6].lowercased(), cause: fields[8])
            }
            if fields.count >= 3, fields[1] == "mutestatus", fields[2] == "near", let last = fields.last {
                return .nearMute(last == "muted")
            }
            return .other(text)
        }
        if lower.hasPrefix("cs: ") {
            guard let id = bracket(text, "call") else { return .other(text) }
            if lower.hasSuffix("inactive") { return .callState(id: id, state: "inactive") }
            return .callState(id: id, state: (bracket(text, "state") ?? "").lowercased())
        }
        if lower.hasPrefix("active: "), let id = bracket(text, "call") { return .active(id: id) }
        if lower.hasPrefix("cleared: ") || lower.hasPrefix("ended: "), let id = bracket(text, "call") {
            return .ended(id: id)
        }
        if lower.hasPrefix("dialstring[") || lower.hasPrefix("control event:") || lower.hasPrefix("linestate:") {
            return .other(text)
        }
        if lower == "listen going to sleep" { return .asleep(true) }
        if lower == "listen waking up" { return .asleep(false) }
        if lower.hasPrefix("listen ") && !lower.hasSuffix("registered") { return .other(text) }
        return nil
    }

    /// The value inside `name[…]`, e.g. `call[44]` → "44".
    static func bracket(_ text: String, _ name: String) -> String? {
        guard let open = text.range(of: name + "["), let close = text[open.upperBound...].firstIndex(of: "]") else {
            return nil
        }
        return String(text[open.upperBound..<close])
    }
}

/// A call as `callinfo all` lists it:
/// `callinfo:<id>:<far site name>:<far site number>:<speed>:<status>:<mute>:<direction>:<type>`.
/// Parsed from the right, since a name may be missing or contain colons (§2.7).
public struct PolyCallInfo: Sendable, Equatable {
    public let id: String
    public let number: String
    public let status: String

    public init?(line: String) {
        let fields = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard fields.count >= 8, fields[0] == "callinfo" else { return nil }
        id = fields[1]
        status = fields[fields.count - 4]
        number = fields[fields.count - 6]
    }
}
