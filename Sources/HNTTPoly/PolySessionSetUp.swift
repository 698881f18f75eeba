@_spi(Driver) import HNTTCore
@_spi(Driver) import HNTTTransport

/// What a Poly session learnt while it was set up: the whoami banner's facts and the
/// registrations the codec accepted.
public struct PolySessionInfo: Sendable, Equatable {
    public var systemName: String?
    public var model: String?
    /// `Software Version: Release 6.2.2.1-600008` → "6.2.2.1-600008".
    public var software: String?
    public var registrations: [String] = []
    /// Whether this session echoes command lines, as its first replies showed; nil when no
    /// reply told (the profile's `command_echo` then decides).
    public var echoes: Bool?
}

/// Sets up a Poly API session (docs/protocols/poly-and-others.md §1.3, §1.5): the login dialogue up to the end of
/// the whoami banner (or the `-> ` prompt), then the registrations, re-sent on every connection
/// because they are per port, with "already active" taken as success.
struct PolySessionSetUp: Sendable {
    let plan: ConnectionPlan

    /// The registrations and the acknowledgement each one gets.
    static let registrations: [(command: String, ack: String)] = [
        ("notify callstatus", "notify callstatus success"),
        ("notify mutestatus", "notify mutestatus success"),
        ("callstate register", "callstate registered"),
        ("mute register", "mute registered"),
        ("sleep register", "sleep registered"),
        // Deprecated but still documented as the one that reports sleep events (§2.6a).
        ("listen sleep", "listen sleep registered"),
    ]

    /// Ready at the banner's last line `SNMP Enabled: …`, or at the `-> ` prompt.
    static let grammarReadyLine: @Sendable (String) -> Bool = { $0.hasPrefix("SNMP Enabled:") }

    /// The facts of a whoami banner.
    static func info(fromBanner lines: [String]) -> PolySessionInfo {
        var info = PolySessionInfo()
        for line in lines {
            if let value = value(line, "Hi, my name is") { info.systemName = value }
            if let value = value(line, "Model") { info.model = value }
            if let value = value(line, "Software Version") {
                info.software = value.hasPrefix("Release ") ? String(value.dropFirst(8)) : value
            }
        }
        return info
    }

    private static func value(_ line: String, _ key: String) -> String? {
        guard line.hasPrefix(key), let colon = line.firstIndex(of: ":") else { return nil }
        return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }

    func run(_ stream: DeviceStream) async throws -> PolySessionInfo {
        let grammar = LoginGrammar(
            profile: plan.profile, readyPrompts: ["->"], isReadyLine: PolySessionSetUp.grammarReadyLine)
        let banner = try await PromptLogin(plan: plan, grammar: grammar).run(on: stream)
        var info = PolySessionSetUp.info(fromBanner: banner)
        if info.software == nil {
            // No banner (a serial port without login): ask for it.
            let deadline = Deadline.after(seconds: plan.profile.timeouts.command)
            try await stream.sendLine("whoami", deadline: deadline)
            let reply = try await stream.receive(
                PolyReplyDecoder(
                    .linesThrough(PolySessionSetUp.grammarReadyLine),
                    sentCommand: "whoami", echo: .detect),
                deadline: deadline)
            if case .answer(let lines) = reply.outcome {
                info = PolySessionSetUp.info(fromBanner: lines)
                info.echoes = reply.echoed
            }
        }
        for (command, ack) in PolySessionSetUp.registrations {
            let deadline = Deadline.after(seconds: plan.profile.timeouts.command)
            try await stream.sendLine(command, deadline: deadline)
            // Each registration's reply differs from its command, so its echo shows plainly.
            let decoder = PolyReplyDecoder(
                .line { line in
                    line.lowercased() == ack || line.lowercased().contains("already active")
                }, sentCommand: command, echo: info.echoes == true ? .expected : .detect)
            let reply = try await stream.receive(decoder, deadline: deadline, budget: plan.profile.limits.replyBytes)
            if reply.outcome != .incomplete { info.echoes = (info.echoes ?? false) || reply.echoed }
            // A firmware without this registration answers `error:`; the others still work.
            if case .answer = reply.outcome { info.registrations.append(command) }
        }
        return info
    }
}
