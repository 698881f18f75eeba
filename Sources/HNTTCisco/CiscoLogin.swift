import HNTTCore
import HNTTTransport

/// Logs in to a Cisco codec's TSH and waits for the ready `OK` (cisco-xapi.md §1.1–1.4).
///
/// SSH has authenticated already, so only the banner is read. Telnet and raw TCP answer the
/// `login:` / `Password:` prompts. A serial line first gets a line end and a short silence test:
/// a codec with `SerialPort LoginRequired: Off` shows no prompt, and the session is ready as is.
struct CiscoLogin {
    let plan: ConnectionPlan

    /// The codec's RS-232 console, directly or through a serial server's raw TCP port.
    private var isSerialConsole: Bool { plan.device.transport == .serial || plan.device.transport == .tcp }

    func run(on stream: DeviceStream) async throws -> XAPIBannerDecoder.Banner {
        let prompts = plan.profile.login
        let deadline = Deadline.after(seconds: plan.profile.timeouts.login)
        let decoder = XAPIBannerDecoder(usernamePrompts: prompts.username, passwordPrompts: prompts.password,
                                        stopAtStatus: isSerialConsole)
        var collected: [String] = []
        if isSerialConsole {
            try await stream.send("\n", deadline: deadline)
            let probe = Deadline.after(seconds: prompts.serialProbeSeconds).capped(at: deadline)
            do {
                let first = try await stream.receive(decoder, deadline: probe)
                if first.outcome == .ready || first.outcome == .statusRecord {
                    return first
                }
                return try await dialogue(stream, decoder: decoder, first: first, deadline: deadline)
            } catch let error as TransportError where error.kind == .timedOut {
                // Silence: no login required on this serial port.
                return XAPIBannerDecoder.Banner(outcome: .ready, lines: collected)
            }
        }
        let first = try await stream.receive(decoder, deadline: deadline)
        collected = first.lines
        return try await dialogue(stream, decoder: decoder, first: first, deadline: deadline)
    }

    /// Answers prompts until the ready `OK`, or fails on `Login incorrect` / a repeated prompt.
    private func dialogue(_ stream: DeviceStream, decoder: XAPIBannerDecoder, first: XAPIBannerDecoder.Banner,
                          deadline: Deadline) async throws -> XAPIBannerDecoder.Banner {
        var banner = first
        var sentUsername = false, sentPassword = false
        var lines = first.lines
        while true {
            switch banner.outcome {
            case .ready, .statusRecord:
                return XAPIBannerDecoder.Banner(outcome: banner.outcome, lines: lines)
            case .loginIncorrect:
                throw TransportError(.authenticationFailed,
                                     "\(stream.transport.peerDescription) answered \"Login incorrect\" for user \"\(plan.credentials?.username ?? "")\"")
            case .usernamePrompt:
                if sentPassword {
                    throw TransportError(.authenticationFailed, "\(stream.transport.peerDescription) asked for the login again after the password")
                }
                guard let credentials = plan.credentials else { throw missingCredential() }
                sentUsername = true
                try await stream.send(credentials.username + "\n", deadline: deadline)
            case .passwordPrompt:
                if sentPassword {
                    throw TransportError(.authenticationFailed, "\(stream.transport.peerDescription) asked for the password again")
                }
                guard let credentials = plan.credentials else { throw missingCredential() }
                _ = sentUsername
                sentPassword = true
                try await stream.send(bytes: credentials.password.clearBytes + [10], deadline: deadline)
            }
            banner = try await stream.receive(decoder, deadline: deadline)
            lines += banner.lines
        }
    }

    private func missingCredential() -> HNTTError {
        HNTTError(.badInput, "the codec asks for a login but the inventory names no credential for it",
                  device: plan.device.id,
                  fix: "add `credential: NAME` to the device and store it with `hntt secret set NAME --username USER --password-stdin`")
    }
}
