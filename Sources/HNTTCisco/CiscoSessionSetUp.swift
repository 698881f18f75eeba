@_spi(Driver) import HNTTCore
@_spi(Driver) import HNTTTransport

/// What a Cisco session learnt while it was set up.
public struct CiscoSessionInfo: Sendable, Equatable {
    /// The `Cisco Codec Release …` text, or the software version when there was no banner.
    public var release: String?
    public var generation: CiscoGeneration?
}

/// Sets up a TSH session on a new connection (docs/protocols/cisco-xapi.md §1.1–1.5): login (prompts on telnet
/// and serial, the banner on SSH), `echo off`, terminal output mode, and the software generation
/// from the banner or, on a serial port without login, from `xStatus SystemUnit Software Version`.
/// Session-scoped on the codec, so it runs on every connection.
struct CiscoSessionSetUp: Sendable {
    let plan: ConnectionPlan

    /// A login is over at a line `OK` (parse "a line equal to OK", §1.4); on a serial console
    /// also at a `*s` record, since a port without login shows no banner.
    static func readyLine(serialConsole: Bool) -> @Sendable (String) -> Bool {
        { line in line == "OK" || (serialConsole && line.hasPrefix("*s ")) }
    }

    /// The release text of a banner's `Cisco Codec Release …` line.
    static func release(fromBanner lines: [String]) -> String? {
        guard let line = lines.first(where: { $0.contains("Codec Release ") }),
            let range = line.range(of: "Codec Release ")
        else { return nil }
        return String(line[range.upperBound...])
    }

    func run(_ stream: DeviceStream) async throws -> CiscoSessionInfo {
        let grammar = LoginGrammar(
            profile: plan.profile,
            isReadyLine: CiscoSessionSetUp.readyLine(serialConsole: plan.device.isSerialConsole))
        let banner = try await PromptLogin(plan: plan, grammar: grammar).run(on: stream)
        var info = CiscoSessionInfo()
        info.release = CiscoSessionSetUp.release(fromBanner: banner)
        info.generation = info.release.flatMap(CiscoGeneration.detect)
        for line in ["echo off", "xPreferences OutputMode Terminal"] {
            let reply = try await exchange(stream, line, XAPIReplyDecoder(request: .plain, sentCommand: line))
            try CiscoReplyCheck.check(reply, line: line, timeout: plan.profile.timeouts.command)
        }
        if info.generation == nil {
            let line = "xStatus SystemUnit Software Version"
            let reply = try await exchange(
                stream, line,
                XAPIReplyDecoder(request: .status(prefix: ["SystemUnit", "Software", "Version"]), sentCommand: line))
            for case .status(_, let value?, _) in reply.records {
                info.release = info.release ?? value
                info.generation = CiscoGeneration.detect(value)
            }
        }
        return info
    }

    private func exchange(_ stream: DeviceStream, _ line: String, _ decoder: XAPIReplyDecoder) async throws -> XAPIReply
    {
        let deadline = Deadline.after(seconds: plan.profile.timeouts.command)
        try await stream.sendLine(line, deadline: deadline)
        return try await stream.receive(decoder, deadline: deadline, budget: plan.profile.limits.replyBytes)
    }
}

/// Turns a reply that ended badly into the error a technician reads.
enum CiscoReplyCheck {
    static func check(_ reply: XAPIReply, line: String, timeout: Double) throws {
        let reason = reply.result?.field("Reason").map { ": \($0)" } ?? ""
        switch reply.terminal {
        case .incomplete:
            let seen =
                reply.strayText.isEmpty
                ? ""
                : "; it sent only: \"\(TextSafety.quoted(reply.strayText.suffix(3).joined(separator: " / "), limit: 200))\""
            throw HNTTError(
                .timeout, "no complete answer to `\(line)` within \(Int(timeout)) s\(seen)",
                fix:
                    "check that the codec is responsive (it may be rebooting); the profile's `timeouts: command:` sets the wait"
            )
        case .notRecognized:
            throw HNTTError(
                .deviceError, "the codec did not recognise `\(line)`",
                fix: "this software version may not support the operation; check `hntt status` for the version")
        case .loginPrompt:
            throw HNTTError(
                .unreachable, "the codec asked for a new login", fix: "try again; the codec may have rebooted")
        case .error:
            throw HNTTError(
                .deviceError, "the codec refused `\(line)`\(reason)",
                fix: reason.isEmpty
                    ? "the codec gave no reason; check the command against its software version"
                    : "check the value against the codec's reason")
        case .ok:
            if let result = reply.result, !result.succeeded {
                throw HNTTError(
                    .deviceError, "`\(line)` failed (\(result.status))\(reason)",
                    fix: "check the value against the codec's reason")
            }
        }
    }
}
