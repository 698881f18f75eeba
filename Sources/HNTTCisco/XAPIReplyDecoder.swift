@_spi(Driver) import HNTTTransport

/// The result block of an xCommand (`*r <Name> (status=…)` … `** end`).
public struct XAPIResult: Sendable, Equatable {
    public let name: String
    public let status: String
    public var fields: [(path: [String], value: String)]

    public var succeeded: Bool { status.caseInsensitiveCompare("OK") }

    /// The first field whose path is `path` (case-insensitive).
    public func field(_ path: String) -> String? {
        let words = path.split(separator: " ").map { $0.lowercased() }
        return fields.first { $0.path.map { $0.lowercased() } == words }?.value
    }

    public static func == (a: XAPIResult, b: XAPIResult) -> Bool {
        a.name == b.name && a.status == b.status && a.fields.map(\.path) == b.fields.map(\.path)
            && a.fields.map(\.value) == b.fields.map(\.value)
    }
}

extension String {
    func caseInsensitiveCompare(_ other: String) -> Bool { lowercased() == other.lowercased() }
}

/// One complete reply to one terminal-mode request.
public struct XAPIReply: Sendable {
    /// How the reply ended.
    public enum Terminal: Sendable, Equatable {
        case ok, error, notRecognized
        /// A `login:` prompt appeared: the codec rebooted or the serial session was reset.
        case loginPrompt
        /// The deadline passed first (the reply is what arrived until then).
        case incomplete
    }

    public var terminal: Terminal = .incomplete
    /// The `*s`/`*c` records that answer the request.
    public var records: [XAPIRecord] = []
    /// The command's result block, if any.
    public var result: XAPIResult?
    /// Unsolicited feedback (`*s`, `*e`, `*c` for other paths) that arrived meanwhile.
    public var feedback: [XAPIRecord] = []
    /// True when `ERROR` came before a command's result block: the block may still follow.
    public var resultMayFollow = false
    /// The last lines that were not xAPI at all, for error messages.
    public var strayText: [String] = []
    /// Every non-empty line of the reply as received (for `hntt exec`), bounded.
    public var lines: [String] = []
}

/// Assembles one reply from TSH terminal output, whatever the order in which its parts arrive.
///
/// - A query (`xStatus`, `xConfiguration`) ends at `OK`/`ERROR`; its records are those under
///   the queried path, everything else is feedback.
/// - An xCommand ends when both its `OK`/`ERROR` and its `*r` block have arrived, in either order
///   (TC prints `OK` first, CE/RoomOS last); `ERROR` without a block ends it too, flagged
///   ``XAPIReply/resultMayFollow``.
/// - `Command not recognized.` ends any request.
public struct XAPIReplyDecoder: StreamDecoder {
    /// What kind of request the reply answers.
    public enum Request: Sendable, Equatable {
        /// `xStatus <prefix>`: `*s` records under `prefix`.
        case status(prefix: [String])
        /// `xConfiguration [<prefix>]`: `*c` records under `prefix`.
        case configuration(prefix: [String])
        /// `xCommand …`: a `*r` result block.
        case command
        /// Session commands (`echo off`, `xPreferences …`): just `OK`/`ERROR`.
        case plain
        /// Only a result block that may trail an `ERROR` (see ``XAPIReply/resultMayFollow``).
        case trailingResult
    }

    public let request: Request
    /// The command as sent, so that an echo of it is not mistaken for output.
    public let sentCommand: String
    private let splitter = TextLineSplitter()
    private var reply = XAPIReply()
    private var block: [XAPIRecord] = []
    private var currentResult: XAPIResult?
    private var resultClosed = false
    private var terminalSeen: XAPIReply.Terminal?
    private var lineCount = 0
    /// A reply longer than this is a device gone mad; stop reading.
    public static let maximumLines = 200_000

    public init(request: Request, sentCommand: String = "") {
        self.request = request
        self.sentCommand = sentCommand.trimmingWhitespace().lowercased()
    }

    public mutating func decode(_ buffer: inout [UInt8]) throws -> XAPIReply? {
        while let line = try splitter.takeLine(from: &buffer) {
            lineCount += 1
            if lineCount > XAPIReplyDecoder.maximumLines {
                throw FramingError(detail: "sent more than \(XAPIReplyDecoder.maximumLines) lines in one reply")
            }
            if let done = consume(line) { return done }
        }
        let partial = splitter.partialLine(buffer).trimmingWhitespace().lowercased()
        if partial.hasSuffix("login:") {
            buffer.removeAll()
            return finish(.loginPrompt)
        }
        return nil
    }

    public mutating func decodeAtDeadline(_ buffer: inout [UInt8]) -> XAPIReply? {
        let partial = splitter.partialLine(buffer).trimmingWhitespace()
        if !partial.isEmpty { remember(partial) }
        return finish(.incomplete)
    }

    private mutating func consume(_ line: String) -> XAPIReply? {
        if !line.isEmpty && reply.lines.count < 100_000 { reply.lines.append(line) }
        let record = XAPIRecord.parse(line)
        switch record {
        case .ok, .error:
            let terminal: XAPIReply.Terminal = record == .ok ? .ok : .error
            if currentResult != nil && !resultClosed { closeBlock() }
            terminalSeen = terminal
            return completeIfReady()
        case .notRecognized:
            return finish(.notRecognized)
        case .blockEnd:
            closeBlock()
            return completeIfReady()
        case .resultHeader(let name, let status):
            if currentResult != nil { closeBlock() }
            currentResult = XAPIResult(name: name, status: status, fields: [])
            resultClosed = false
        case .resultField(let path, let value):
            if currentResult != nil, !resultClosed {
                currentResult?.fields.append((path, value))
            } else {
                block.append(record)
            }
        case .text(let text):
            if text.isEmpty { break }
            // An unprefixed continuation line of a TC result block: `CallId: 2`, `Reason: …`.
            if currentResult != nil, !resultClosed, text.contains(":") {
                let (path, value) = XAPIRecord.splitPathValue(text)
                currentResult?.fields.append((path, value ?? ""))
            } else if text.lowercased() != sentCommand {
                remember(text)
            }
        case .status, .configuration, .event, .otherRecord:
            block.append(record)
        case .loginIncorrect, .loginSuccessful:
            remember(line)
        }
        return nil
    }

    private mutating func remember(_ text: String) {
        reply.strayText.append(String(text.prefix(120)))
        if reply.strayText.count > 5 { reply.strayText.removeFirst() }
    }

    /// Ends the current block: a result block becomes the reply's result (the first one wins);
    /// records are sorted into answer and feedback.
    private mutating func closeBlock() {
        if let result = currentResult, !resultClosed {
            if reply.result == nil {
                reply.result = result
            } else {
                reply.feedback.append(.resultHeader(name: result.name, status: result.status))
            }
            resultClosed = true
            currentResult = nil
        }
        for record in block {
            if answers(record) { reply.records.append(record) } else { reply.feedback.append(record) }
        }
        block.removeAll()
    }

    private func answers(_ record: XAPIRecord) -> Bool {
        switch (request, record) {
        case (.status(let prefix), .status(let path, _, _)): return XAPIReplyDecoder.path(path, startsWith: prefix)
        case (.configuration(let prefix), .configuration(let path, _)):
            return XAPIReplyDecoder.path(path, startsWith: prefix)
        default: return false
        }
    }

    static func path(_ path: [String], startsWith prefix: [String]) -> Bool {
        guard path.count >= prefix.count else { return false }
        return zip(path, prefix).allSatisfy { $0.lowercased() == $1.lowercased() }
    }

    private mutating func completeIfReady() -> XAPIReply? {
        switch request {
        case .command:
            guard let terminal = terminalSeen else { return nil }
            if reply.result != nil { return finish(terminal) }
            if terminal == .error {
                reply.resultMayFollow = true
                return finish(terminal)
            }
            return nil   // OK came first (TC): the *r block is still to come
        case .trailingResult:
            return reply.result != nil ? finish(.ok) : nil
        case .status, .configuration, .plain:
            guard let terminal = terminalSeen else { return nil }
            if terminal == .error && reply.result == nil { reply.resultMayFollow = true }
            return finish(terminal)
        }
    }

    private mutating func finish(_ terminal: XAPIReply.Terminal) -> XAPIReply {
        closeBlock()
        reply.terminal = terminal
        return reply
    }
}
