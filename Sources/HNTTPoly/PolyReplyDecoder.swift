@_spi(Driver) import HNTTTransport

/// One reply of the Poly API, with the asynchronous lines that arrived around it.
public struct PolyReply: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// The expected answer: one line, or a block's lines without its markers.
        case answer([String])
        case error(String)
        case info(String)
        /// The deadline passed first.
        case incomplete
    }

    public var outcome: Outcome = .incomplete
    public var events: [PolyEvent] = []
    /// The codec echoed the command line before answering (LAN sessions, HDX serial).
    public var echoed = false
    /// Lines that were neither the answer nor an event (for error messages).
    public var strayText: [String] = []

    /// The answer's first line, if the reply was an answer.
    public var firstLine: String? {
        if case .answer(let lines) = outcome { return lines.first } else { return nil }
    }
}

/// Whether a session echoes each command line before its reply (docs/protocols/poly-and-others.md §1.4, §2.3a):
/// LAN sessions do, serial Group Series sessions do not, HDX does on serial too.
public enum PolyEcho: Sendable, Equatable {
    /// No echo: the first matching line answers.
    case absent
    /// The echo comes first and is dropped once; lines before it are left over from earlier.
    case expected
    /// Not known yet (session set-up): a first line equal to the command is taken as its echo.
    case detect
}

/// Assembles one Poly reply: splits at any `\r`/`\n`, drops the `-> ` prompt and the echo of the
/// command (once, at the start); routes `notification:`/`cs:`/`listen …` lines to events wherever
/// they arrive; ends at the expected answer, an `error:` or an `info:` line.
///
/// A query's own text (`mute near get`, `autoanswer get`) is never its answer, whatever the echo
/// mode says, so a prefix matcher cannot take the echo for the reply.
public struct PolyReplyDecoder: StreamDecoder {
    /// What answers the command.
    public enum Expectation: Sendable {
        /// One line the predicate accepts (`mute near on`, `dialing manual`, `notify … success`).
        case line(@Sendable (String) -> Bool)
        /// Lines between `begin` and `end` markers (`callinfo begin` … `callinfo end`), or one line
        /// the predicate accepts instead (`system is not in a call`).
        case block(begin: String, end: String, instead: @Sendable (String) -> Bool)
        /// Every line up to and including the first the predicate accepts (`whoami` through
        /// `SNMP Enabled: …`).
        case linesThrough(@Sendable (String) -> Bool)
        /// Every line until the deadline (a reply without an end marker, like `getcallstate`).
        case untilQuiet
    }

    private let expectation: Expectation
    private let sentCommand: String
    private let sentIsQuery: Bool
    private let echo: PolyEcho
    private var echoPending: Bool
    /// Any line other than an event seen yet (the echo can only be the first).
    private var seenLine = false
    private let splitter = TextLineSplitter()
    private var reply = PolyReply()
    private var block: [String]?
    private var collected: [String] = []

    public init(_ expectation: Expectation, sentCommand: String, echo: PolyEcho) {
        self.expectation = expectation
        self.sentCommand = PolyReplyDecoder.normalised(sentCommand)
        self.echo = echo
        echoPending = echo != .absent
        sentIsQuery = PolyReplyDecoder.isQuery(self.sentCommand)
    }

    public init(_ expectation: Expectation, sentCommand: String, deviceEchoes: Bool) {
        self.init(expectation, sentCommand: sentCommand, echo: deviceEchoes ? .expected : .absent)
    }

    /// Lower case, single spaces: how an echo is compared with the line sent.
    static func normalised(_ line: String) -> String {
        line.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    /// A command that reads (`… get`, `version`, `callinfo all`, `advnetstats 0`): its reply is
    /// never the command's own text.
    static func isQuery(_ command: String) -> Bool {
        let words = command.split(separator: " ")
        guard let verb = words.first else { return false }
        return words.contains("get") || words.contains("list")
            || ["version", "whoami", "callinfo", "getcallstate", "netstats", "advnetstats", "status", "uptime"]
                .contains(verb)
    }

    public mutating func decode(_ buffer: inout [UInt8]) throws -> PolyReply? {
        while let raw = try splitter.takeLine(from: &buffer) {
            guard let line = PolyLine.parse(raw) else { continue }
            // The echo is compared before the line is classified: `listen sleep` echoed looks like an event.
            if let done = consume(
                line, isOwnText: PolyReplyDecoder.normalised(PolyLine.withoutPrompt(raw)) == sentCommand)
            {
                return done
            }
        }
        return nil
    }

    public mutating func decodeAtDeadline(_ buffer: inout [UInt8]) -> PolyReply? {
        if case .untilQuiet = expectation {
            reply.outcome = .answer(collected)
            return reply
        }
        if case .linesThrough = expectation, !collected.isEmpty {
            reply.outcome = .answer(collected)   // a firmware that ends the block differently
            return reply
        }
        if let partial = PolyLine.parse(splitter.partialLine(buffer)), case .text(let text) = partial {
            remember(text)
        }
        reply.outcome = .incomplete
        return reply
    }

    private mutating func consume(_ line: PolyLine, isOwnText: Bool) -> PolyReply? {
        if echoPending && isOwnText && (echo == .expected || !seenLine) {
            echoPending = false   // the echo; the acknowledgement (often the same text) follows
            reply.echoed = true
            seenLine = true
            return nil
        }
        if case .event(let event) = line {
            reply.events.append(event)
            return nil
        }
        let text: String
        switch line {
        case .error(let t), .info(let t), .text(let t): text = t
        case .event: return nil
        }
        defer { seenLine = true }
        if echo == .expected && echoPending {
            remember(text)   // left over from before this command: the echo marks where its reply begins
            return nil
        }
        echoPending = false
        if isOwnText && sentIsQuery {
            remember(text)   // an echo nobody expected: a query is never answered by its own text
            return nil
        }
        switch line {
        case .event:
            return nil
        case .error(let text):
            return finish(.error(text))
        case .info(let text):
            if accepts(text) { return finish(.answer([text])) }
            return finish(.info(text))
        case .text(let text):
            switch expectation {
            case .line(let accepts):
                if accepts(text) { return finish(.answer([text])) }
            case .block(let begin, let end, let instead):
                if block != nil {
                    if text.lowercased() == end.lowercased() { return finish(.answer(block ?? [])) }
                    block?.append(text)
                    return nil
                }
                if text.lowercased() == begin.lowercased() {
                    block = []
                    return nil
                }
                if instead(text) { return finish(.answer([text])) }
            case .linesThrough(let last):
                collected.append(text)
                if last(text) { return finish(.answer(collected)) }
                return nil
            case .untilQuiet:
                collected.append(text)
                return nil
            }
            remember(text)
            return nil
        }
    }

    private func accepts(_ text: String) -> Bool {
        if case .line(let accepts) = expectation { return accepts(text) }
        return false
    }

    private mutating func remember(_ text: String) {
        reply.strayText.append(String(text.prefix(120)))
        if reply.strayText.count > 5 { reply.strayText.removeFirst() }
    }

    private mutating func finish(_ outcome: PolyReply.Outcome) -> PolyReply {
        reply.outcome = outcome
        return reply
    }
}

/// After a dial's `dialing …`, reads the call's progress until it is connected or has ended.
public struct PolyCallProgressDecoder: StreamDecoder {
    /// What became of the call.
    public struct Progress: Sendable, Equatable {
        public var callID: String?
        public var connected = false
        public var ended = false
        /// The cause code of a `disconnected` notification (17 = user busy, Q.850).
        public var cause: String?
        public var events: [PolyEvent] = []
    }

    private let splitter = TextLineSplitter()
    private var progress: Progress

    private let earlierCalls: Set<String>

    /// Starts from the events that came with the dial's acknowledgement, ignoring calls that
    /// existed before the dial (their late events are still in the stream).
    public init(startingWith events: [PolyEvent], ignoring earlierCalls: Set<String>) {
        progress = Progress()
        self.earlierCalls = earlierCalls
        for event in events { _ = apply(event) }
    }

    /// The progress so far, when the events with the acknowledgement already settle it.
    public var settled: Progress? { progress.connected || progress.ended ? progress : nil }

    public mutating func decode(_ buffer: inout [UInt8]) throws -> Progress? {
        while let raw = try splitter.takeLine(from: &buffer) {
            guard case .event(let event)? = PolyLine.parse(raw) else { continue }
            if apply(event) { return progress }
        }
        return nil
    }

    public mutating func decodeAtDeadline(_ buffer: inout [UInt8]) -> Progress? { progress }

    /// Applies one event; true when the call is settled.
    private mutating func apply(_ event: PolyEvent) -> Bool {
        progress.events.append(event)
        if let id = event.callID, earlierCalls.contains(id) { return false }
        switch event {
        case .callStatus(let id, _, let status, let cause):
            if progress.callID == nil && status != "disconnected" || progress.callID == id {
                progress.callID = id
                if status == "connected" { progress.connected = true }
                if status == "disconnected" {
                    progress.ended = true
                    progress.cause = cause
                }
            }
        case .callState(let id, let state):
            guard state != "inactive" else { return false }
            if progress.callID == nil { progress.callID = id }
            if id == progress.callID && (state == "complete" || state == "connected") { progress.connected = true }
        case .active(let id):
            if progress.callID == nil || progress.callID == id {
                progress.callID = id
                progress.connected = true
            }
        case .ended(let id):
            if progress.callID == nil || progress.callID == id {
                progress.callID = id
                progress.ended = true
            }
        default:
            break
        }
        return progress.connected || progress.ended
    }
}
