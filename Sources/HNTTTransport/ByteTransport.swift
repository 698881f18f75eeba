/// A raw, bidirectional byte stream to one device: SSH channel, telnet, serial line, raw TCP.
///
/// Small on purpose: transports move bytes and keep deadlines; they know nothing of any device
/// protocol. Buffering and "read until a pattern" live once, in ``DeviceStream``.
public protocol ByteTransport: Sendable {
    /// A short human description of the peer, for messages ("ssh 10.0.0.5:22").
    var peerDescription: String { get }
    /// Connects (and for SSH, authenticates) by `deadline`.
    func open(deadline: Deadline) async throws
    /// Writes every byte by `deadline`.
    func write(_ bytes: [UInt8], deadline: Deadline) async throws
    /// Returns at least one byte, or throws `.closed` at end of stream and `.timedOut` at `deadline`.
    func read(deadline: Deadline) async throws -> [UInt8]
    /// Releases the connection; never blocks for long and never throws.
    func close() async
}

/// Decodes a frame (a prompt, a reply block, a packet) from the bytes received so far.
///
/// `decode` is called whenever new bytes arrive; it consumes what it used from `buffer` and
/// returns the frame once complete, or nil to wait for more. A value type, so a decoder's state
/// travels with the call and never needs a lock.
public protocol StreamDecoder: Sendable {
    associatedtype Frame: Sendable
    /// Consumes complete input from `buffer`; returns the frame when done, nil for "need more".
    mutating func decode(_ buffer: inout [UInt8]) throws -> Frame?
    /// Called when the deadline passes with the frame incomplete: a decoder may accept what it
    /// has (for example a reply whose terminator is optional) instead of a timeout.
    mutating func decodeAtDeadline(_ buffer: inout [UInt8]) -> Frame?
}

extension StreamDecoder {
    public mutating func decodeAtDeadline(_ buffer: inout [UInt8]) -> Frame? { nil }
}

/// Waits for the first of several text patterns, leaving what follows in the buffer.
public struct PatternDecoder: StreamDecoder {
    /// What was found, and the text received before and including it.
    public struct Match: Sendable, Equatable {
        /// Index into the patterns.
        public let index: Int
        /// All text up to and including the match.
        public let text: String
    }

    private let patterns: [[UInt8]]
    private let caseInsensitive: Bool

    public init(_ patterns: [String], caseInsensitive: Bool = false) {
        self.caseInsensitive = caseInsensitive
        self.patterns = patterns.map { Array((caseInsensitive ? $0.lowercased() : $0).utf8) }
    }

    public mutating func decode(_ buffer: inout [UInt8]) throws -> Match? {
        let haystack = caseInsensitive ? buffer.map(asciiLower) : buffer
        var best: (index: Int, end: Int)?
        for (index, pattern) in patterns.enumerated() {
            if let range = haystack.firstRange(of: pattern), best == nil || range.upperBound < best!.end {
                best = (index, range.upperBound)
            }
        }
        guard let best else { return nil }
        let text = String(decoding: buffer[..<best.end], as: UTF8.self)
        buffer.removeFirst(best.end)
        return Match(index: best.index, text: text)
    }
}

@inline(__always) func asciiLower(_ byte: UInt8) -> UInt8 {
    (byte >= 65 && byte <= 90) ? byte + 32 : byte
}

/// A buffered conversation with one device over any ``ByteTransport``.
///
/// Drivers talk to this, never to a transport directly: it keeps the bytes that arrived after a
/// frame for the next one, so a reply split at any byte, or two replies in one read, decode the
/// same. Owned by one driver at a time (an actor), as the SSH rules require.
public actor DeviceStream {
    public nonisolated let transport: any ByteTransport
    /// What ends a command line for this device (`\n` for Cisco, `\r` for Poly).
    public nonisolated let lineEnd: String
    /// The least time between two sends; some devices drop commands that come faster (Poly: 200 ms).
    public nonisolated let minimumSendInterval: Double
    private var buffer: [UInt8] = []
    private var lastSend: Deadline?
    /// Every byte received, kept only when a caller asks for a transcript (diagnostics, tests).
    private var transcript: [UInt8]?

    public init(
        transport: any ByteTransport, lineEnd: String = "\n", minimumSendInterval: Double = 0,
        keepTranscript: Bool = false
    ) {
        self.transport = transport
        self.lineEnd = lineEnd
        self.minimumSendInterval = minimumSendInterval
        self.transcript = keepTranscript ? [] : nil
    }

    public func open(deadline: Deadline) async throws {
        try await transport.open(deadline: deadline)
    }

    /// Sends one command line, ended with ``lineEnd``, after the device's pacing interval.
    @_spi(Driver)
    public func sendLine(_ line: String, deadline: Deadline) async throws {
        try await send(bytes: Array((line + lineEnd).utf8), deadline: deadline)
    }

    /// Sends raw bytes (a password, a probe), paced like a line.
    @_spi(Driver)
    public func send(bytes: [UInt8], deadline: Deadline) async throws {
        if minimumSendInterval > 0, let lastSend {
            let wait = minimumSendInterval - (Deadline.now.uptimeNanoseconds &- lastSend.uptimeNanoseconds).secondsValue
            if wait > 0 { try await Task.sleep(nanoseconds: UInt64(wait * 1e9)) }
        }
        try await transport.write(bytes, deadline: deadline)
        lastSend = .now
    }

    /// Reads until `decoder` yields a frame, or throws at `deadline` or once more than `budget` bytes
    /// arrived without one (a device that floods costs at most its budget or its deadline).
    @_spi(Driver)
    public func receive<D: StreamDecoder>(
        _ decoder: D, deadline: Deadline, budget: Int = DeviceStream.maximumPendingBytes
    ) async throws -> D.Frame {
        var decoder = decoder
        if let frame = try decoder.decode(&buffer) { return frame }
        var received = 0
        while true {
            // Checked while data keeps arriving too: a device that floods never reaches the
            // transport's own wait, so its deadline would never fire there.
            if deadline.hasPassed {
                if let frame = decoder.decodeAtDeadline(&buffer) { return frame }
                throw TransportError(
                    .timedOut, "\(transport.peerDescription) kept sending without giving the answer expected")
            }
            let chunk: [UInt8]
            do {
                chunk = try await transport.read(deadline: deadline)
            } catch let error as TransportError where error.kind == .timedOut {
                if let frame = decoder.decodeAtDeadline(&buffer) { return frame }
                throw error
            }
            buffer.append(contentsOf: chunk)
            transcript?.append(contentsOf: chunk)
            received += chunk.count
            if let frame = try decoder.decode(&buffer) { return frame }
            if received > budget || buffer.count > DeviceStream.maximumPendingBytes {
                buffer.removeAll()
                throw TransportError(
                    .protocolViolation,
                    "\(transport.peerDescription) sent over \(DeviceStream.describe(bytes: min(budget, DeviceStream.maximumPendingBytes))) without the answer expected"
                )
            }
        }
    }

    /// The most a reply may hold before it is complete: far above any device's configuration dump,
    /// far below what a flooding device would make hntt keep in memory.
    public static let maximumPendingBytes = 4 << 20

    static func describe(bytes: Int) -> String {
        bytes >= 1 << 20 ? "\(bytes >> 20) MiB" : "\(bytes >> 10) KiB"
    }

    /// Waits for the first of `patterns`.
    @_spi(Driver)
    public func receive(
        untilAny patterns: [String], deadline: Deadline,
        caseInsensitive: Bool = false
    ) async throws -> PatternDecoder.Match {
        try await receive(PatternDecoder(patterns, caseInsensitive: caseInsensitive), deadline: deadline)
    }

    /// Drops whatever is buffered (for example a banner nobody asked about).
    @_spi(Driver)
    public func discardBuffered() { buffer.removeAll() }

    /// Takes in what has already arrived, without waiting (a bounded amount); false when the
    /// peer has closed the connection meanwhile (a codec that drops its session on sleep).
    @_spi(Driver)
    public func pollArrived() async -> Bool {
        for _ in 0..<16 {
            do {
                let chunk = try await transport.read(deadline: .now)
                buffer.append(contentsOf: chunk)
                transcript?.append(contentsOf: chunk)
            } catch let error as TransportError where error.kind == .timedOut {
                return true
            } catch {
                return false
            }
        }
        return true
    }

    /// Removes and returns the buffered bytes up to the last line end: lines that arrived after
    /// the previous reply was complete (late events, a repeated acknowledgement). An unfinished
    /// line (a prompt) stays for the next reply.
    @_spi(Driver)
    public func takeCompleteLines() -> [UInt8] {
        guard let last = buffer.lastIndex(where: { $0 == 10 || $0 == 13 }) else { return [] }
        let taken = Array(buffer[...last])
        buffer.removeFirst(last + 1)
        return taken
    }

    /// What is buffered but not yet consumed, as text (diagnostics).
    public var pendingText: String { String(decoding: buffer, as: UTF8.self) }

    /// Everything received so far, when the stream keeps a transcript.
    public var receivedTranscript: [UInt8] { transcript ?? [] }

    public func close() async { await transport.close() }
}

extension UInt64 {
    /// Nanoseconds as seconds.
    var secondsValue: Double { Double(self) / 1e9 }
}
