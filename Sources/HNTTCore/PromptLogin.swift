@_spi(Driver) import HNTTTransport

/// The words of a vendor's login dialogue: prompts and failure lines come from the device
/// profile, what "ready" looks like from the driver (it is protocol knowledge).
public struct LoginGrammar: Sendable {
    public var usernamePrompts: [String]
    public var passwordPrompts: [String]
    /// A line containing one of these means the login was refused.
    public var failureMarkers: [String]
    /// A complete line that means the session is ready (Cisco `OK`, Poly `SNMP Enabled: …`).
    public var isReadyLine: @Sendable (String) -> Bool
    /// A prompt without a line end that means the session is ready (Poly `-> `).
    public var readyPrompts: [String]

    public init(
        usernamePrompts: [String], passwordPrompts: [String], failureMarkers: [String], readyPrompts: [String] = [],
        isReadyLine: @escaping @Sendable (String) -> Bool
    ) {
        self.usernamePrompts = usernamePrompts
        self.passwordPrompts = passwordPrompts
        self.failureMarkers = failureMarkers
        self.readyPrompts = readyPrompts
        self.isReadyLine = isReadyLine
    }

    /// The prompts and failure lines of `profile`, with the driver's idea of ready.
    public init(profile: DeviceProfile, readyPrompts: [String] = [], isReadyLine: @escaping @Sendable (String) -> Bool)
    {
        self.init(
            usernamePrompts: profile.login.username, passwordPrompts: profile.login.password,
            failureMarkers: profile.login.failure, readyPrompts: readyPrompts, isReadyLine: isReadyLine)
    }
}

/// Reads a login dialogue up to the next step: a prompt to answer, a refusal, or readiness.
/// Prompts often come without a line end, and split across reads; both are handled.
public struct LoginDecoder: StreamDecoder {
    public enum Step: Sendable, Equatable {
        case ready, usernamePrompt, passwordPrompt
        /// The device refused; the line that said so.
        case refused(String)
    }

    /// A step and the banner lines that came before it.
    public struct Frame: Sendable, Equatable {
        public var step: Step
        public var lines: [String]
    }

    private let grammar: LoginGrammar
    private let splitter = TextLineSplitter()
    private var lines: [String] = []

    public init(grammar: LoginGrammar) { self.grammar = grammar }

    public mutating func decode(_ buffer: inout [UInt8]) throws -> Frame? {
        while let raw = try splitter.takeLine(from: &buffer) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if grammar.isReadyLine(line) { return Frame(step: .ready, lines: lines + [line]) }
            if grammar.failureMarkers.contains(where: { line.localizedCaseInsensitiveContains($0) }) {
                return Frame(step: .refused(line), lines: lines)
            }
            if let prompt = promptStep(line) { return Frame(step: prompt, lines: lines) }
            if !line.isEmpty {
                lines.append(String(line.prefix(200)))
                if lines.count > 200 { lines.removeFirst() }
            }
        }
        let partial = splitter.partialLine(buffer).trimmingCharacters(in: .whitespaces)
        if let prompt = promptStep(partial) {
            buffer.removeAll()
            return Frame(step: prompt, lines: lines)
        }
        return nil
    }

    private func promptStep(_ text: String) -> Step? {
        guard !text.isEmpty else { return nil }
        let lower = text.lowercased()
        if grammar.usernamePrompts.contains(where: { lower.hasSuffix($0.lowercased()) }) { return .usernamePrompt }
        if grammar.passwordPrompts.contains(where: { lower.hasSuffix($0.lowercased()) }) { return .passwordPrompt }
        if grammar.readyPrompts.contains(where: { lower.hasSuffix($0.lowercased()) }) { return .ready }
        return nil
    }
}

/// Logs in through prompts on the byte stream, for every vendor and transport.
///
/// On SSH the server has authenticated already and only the banner is read (a device that still
/// prompts inside the channel is answered the same way). A serial console first gets a line end:
/// a port without login shows no prompt, and a short silence (`serial_probe_seconds`) means the
/// session is ready as it is.
public struct PromptLogin: Sendable {
    public let plan: ConnectionPlan
    public let grammar: LoginGrammar

    public init(plan: ConnectionPlan, grammar: LoginGrammar) {
        self.plan = plan
        self.grammar = grammar
    }

    /// The device's console: a serial line, directly or through a serial server's raw TCP port.
    public var isSerialConsole: Bool { plan.device.isSerialConsole }

    /// Runs the dialogue; returns the banner lines (ending with the ready line, if any).
    public func run(on stream: DeviceStream) async throws -> [String] {
        let deadline = Deadline.after(seconds: plan.profile.timeouts.login)
        let decoder = LoginDecoder(grammar: grammar)
        var first: LoginDecoder.Frame
        if isSerialConsole {
            try await stream.send(bytes: Array(stream.lineEnd.utf8), deadline: deadline)
            let probe = Deadline.after(seconds: plan.profile.login.serialProbeSeconds).capped(at: deadline)
            do {
                first = try await stream.receive(decoder, deadline: probe, budget: plan.profile.limits.loginBytes)
            } catch let error as TransportError where error.kind == .timedOut {
                return []   // silence: the port needs no login, or the session is still logged in
            }
        } else {
            first = try await stream.receive(decoder, deadline: deadline, budget: plan.profile.limits.loginBytes)
        }
        var lines = first.lines
        var step = first.step
        var sentPassword = false
        while true {
            switch step {
            case .ready:
                return lines
            case .refused(let line):
                throw TransportError(
                    .authenticationFailed,
                    "\(stream.transport.peerDescription) answered \"\(TextSafety.quoted(line, limit: 120))\" for user \"\(plan.credentials?.username ?? "")\""
                )
            case .usernamePrompt:
                if sentPassword {
                    throw TransportError(
                        .authenticationFailed,
                        "\(stream.transport.peerDescription) asked for the login again after the password")
                }
                guard let credentials = plan.credentials else { throw missingCredential() }
                try await stream.sendLine(credentials.username, deadline: deadline)
            case .passwordPrompt:
                if sentPassword {
                    throw TransportError(
                        .authenticationFailed, "\(stream.transport.peerDescription) asked for the password again")
                }
                guard let credentials = plan.credentials else { throw missingCredential() }
                sentPassword = true
                try await stream.send(
                    bytes: credentials.password.clearBytes + Array(stream.lineEnd.utf8), deadline: deadline)
            }
            let next = try await stream.receive(decoder, deadline: deadline, budget: plan.profile.limits.loginBytes)
            lines += next.lines
            step = next.step
        }
    }

    private func missingCredential() -> HNTTError {
        HNTTError(
            .badInput, "the device asks for a login but the inventory names no credential for it",
            device: plan.device.id,
            fix:
                "add `credential: NAME` to the device and store it with `hntt secret set NAME --username USER --password-stdin`"
        )
    }
}
