@_spi(Driver) import HNTTTransport

/// Sony VISCA over IP on UDP 52381 (§2.1): an 8-byte header with a sequence number per message,
/// RESET before the first, and retransmission with the same sequence number when a reply is
/// lost. The camera is always address 1 over IP.
///
/// Sony's table for a retransmitted message: a lost command gets its ACK; a lost ACK or
/// Completion gets "abnormality in the sequence number" — the command was performed; a lost
/// inquiry reply gets the same error, and the inquiry is sent again with a new number.
public actor VISCAOverIPLink: VISCALink {
    private let transport: any ByteTransport
    private let connectTimeout: Double
    private let retries: Int
    private var opened = false
    private var sequence: UInt32 = 0
    private let turn = AsyncMutex()
    /// Retransmissions made so far (diagnostics, tests).
    public private(set) var retransmissions = 0

    public init(transport: any ByteTransport, connectTimeout: Double, retries: Int = 3) {
        self.transport = transport
        self.connectTimeout = connectTimeout
        self.retries = retries
    }

    public func execute(
        _ packet: [UInt8], address: Int, exchange: VISCAExchange,
        timeouts: VISCATimeouts
    ) async throws -> [UInt8] {
        try await turn.withLock { try await executeInTurn(packet, exchange: exchange, timeouts: timeouts) }
    }

    private func executeInTurn(_ packet: [UInt8], exchange: VISCAExchange, timeouts: VISCATimeouts) async throws
        -> [UInt8]
    {
        if !opened { try await open() }
        sequence &+= 1
        var current = sequence
        var resent = false
        for attempt in 0...retries {
            let type = exchange == .command ? VISCAOverIP.command : VISCAOverIP.inquiry
            if attempt > 0 { retransmissions += 1 }
            try await transport.write(
                VISCAOverIP.datagram(type: type, sequence: current, payload: packet),
                deadline: .after(seconds: timeouts.ack))
            do {
                return try await awaitOutcome(sequence: current, exchange: exchange, timeouts: timeouts)
            } catch let lost as LostReply {
                resent = true
                _ = lost   // nothing came in time: retransmit with the same number
            } catch let error as SequenceAbnormality {
                _ = error
                if exchange == .command && resent { return [] }   // performed; only its reply was lost
                sequence &+= 1
                current = sequence   // an inquiry: ask again under a new number
            } catch is MessageAbnormality {
                try await reset()
                sequence &+= 1
                current = sequence
            }
        }
        throw TransportError(.timedOut, "no answer from \(transport.peerDescription) after \(retries + 1) tries")
    }

    public func close() async {
        await transport.close()
        opened = false
    }

    private struct LostReply: Error {}
    private struct SequenceAbnormality: Error {}
    private struct MessageAbnormality: Error {}

    private func open() async throws {
        try await transport.open(deadline: .after(seconds: connectTimeout))
        opened = true
        try await reset()
    }

    /// RESET: the camera's expected sequence number goes back to 0.
    private func reset() async throws {
        sequence = 0
        try await transport.write(VISCAOverIP.reset(sequence: 0), deadline: .after(seconds: connectTimeout))
        let deadline = Deadline.after(seconds: 1)
        while true {
            do {
                let datagram = try await transport.read(deadline: deadline)
                if let parsed = VISCAOverIP.parse(datagram), parsed.type == VISCAOverIP.controlReply { return }
            } catch let error as TransportError where error.kind == .timedOut {
                return   // some cameras do not acknowledge RESET; go on
            }
        }
    }

    private func awaitOutcome(sequence: UInt32, exchange: VISCAExchange, timeouts: VISCATimeouts) async throws
        -> [UInt8]
    {
        var deadline = Deadline.after(seconds: timeouts.ack)
        var acknowledged = false
        while true {
            let datagram: [UInt8]
            do {
                datagram = try await transport.read(deadline: deadline)
            } catch let error as TransportError where error.kind == .timedOut {
                throw LostReply()
            }
            guard let parsed = VISCAOverIP.parse(datagram) else { continue }
            if parsed.type == VISCAOverIP.controlReply {
                if parsed.payload == [0x0F, 0x01] { throw SequenceAbnormality() }
                if parsed.payload == [0x0F, 0x02] { throw MessageAbnormality() }
                continue
            }
            // Late replies to an earlier number are skipped; some cameras echo no number (quirk), taken as ours.
            guard parsed.type == VISCAOverIP.reply, parsed.sequence == sequence || parsed.sequence == 0 else {
                continue
            }
            switch VISCAReply.parse(parsed.payload) {
            case .ack where exchange == .command && !acknowledged:
                acknowledged = true
                deadline = .after(seconds: timeouts.completion)
            case .completion where exchange == .command:
                return []
            case .inquiry(_, let data) where exchange == .inquiry:
                return data
            case .error(_, _, let code):
                throw VISCARefusal(code: code)
            default:
                continue
            }
        }
    }
}
