@_spi(Driver) import HNTTCore
@_spi(Driver) import HNTTTransport

/// What a VISCA exchange waits for.
public enum VISCAExchange: Sendable {
    /// ACK, then Completion in the same socket (an ACK-less Completion is accepted too).
    case command
    /// One inquiry answer (inquiries get no ACK).
    case inquiry
}

/// Deadlines of one exchange.
public struct VISCATimeouts: Sendable {
    /// For the ACK (or the inquiry answer): cameras answer within about 130 ms (obs-ptz).
    public var ack: Double
    /// For the Completion: a preset recall can take seconds of motor travel.
    public var completion: Double

    public init(ack: Double, completion: Double) {
        self.ack = ack
        self.completion = completion
    }
}

/// The camera refused: a VISCA error reply.
public struct VISCARefusal: Error, Sendable, Equatable {
    public let code: UInt8
    public var description: String { VISCAReply.describe(errorCode: code) }
}

/// A path to one or more cameras: a serial chain, a serial server, a clone's raw port, or Sony's
/// VISCA over IP. Sends one packet at a time and waits for its outcome.
public protocol VISCALink: Sendable {
    /// Sends `packet` to the camera at `address` and returns the inquiry data (empty for a command).
    func execute(_ packet: [UInt8], address: Int, exchange: VISCAExchange, timeouts: VISCATimeouts) async throws
        -> [UInt8]
    /// Ends the link (the next exchange opens it again).
    func close() async
}

/// Takes one VISCA packet from a byte stream.
struct VISCAPacketDecoder: StreamDecoder {
    private let framer = VISCAFramer()
    mutating func decode(_ buffer: inout [UInt8]) throws -> [UInt8]? { framer.takePacket(from: &buffer) }
}

/// VISCA over a byte stream (RS-232 chain, serial server, a clone's raw TCP port, raw UDP):
/// packets end at `FF`, whatever the reads. On first use, and after a Network Change, the chain
/// is numbered (AddressSet) and its buffers cleared (IF_Clear), as Sony asks (§1.4).
public actor VISCAStreamLink: VISCALink {
    private let makeTransport: @Sendable () -> any ByteTransport
    private let numbersChain: Bool
    private let connectTimeout: Double
    private var stream: DeviceStream?
    private var chainReady = false
    /// One exchange at a time on the line, whichever camera it is for.
    private let turn = AsyncMutex()
    /// How many cameras the last AddressSet counted (nil when the chain did not answer).
    public private(set) var camerasOnChain: Int?

    /// `numbersChain`: run AddressSet/IF_Clear (serial lines and serial servers; not a single IP camera).
    public init(numbersChain: Bool, connectTimeout: Double, makeTransport: @escaping @Sendable () -> any ByteTransport)
    {
        self.numbersChain = numbersChain
        self.connectTimeout = connectTimeout
        self.makeTransport = makeTransport
    }

    public func execute(
        _ packet: [UInt8], address: Int, exchange: VISCAExchange,
        timeouts: VISCATimeouts
    ) async throws -> [UInt8] {
        try await turn.withLock {
            try await executeInTurn(packet, address: address, exchange: exchange, timeouts: timeouts)
        }
    }

    private func executeInTurn(
        _ packet: [UInt8], address: Int, exchange: VISCAExchange,
        timeouts: VISCATimeouts
    ) async throws -> [UInt8] {
        let stream = try await opened()
        if numbersChain && !chainReady { try await numberChain(stream) }
        do {
            return try await run(packet, on: stream, address: address, exchange: exchange, timeouts: timeouts)
        } catch let error as TransportError where error.kind != .timedOut {
            await close()
            throw error
        }
    }

    public func close() async {
        await stream?.close()
        stream = nil
        chainReady = false
    }

    private func opened() async throws -> DeviceStream {
        if let stream { return stream }
        let stream = DeviceStream(transport: makeTransport())
        try await stream.open(deadline: .after(seconds: connectTimeout))
        self.stream = stream
        return stream
    }

    /// AddressSet then IF_Clear, each answered within a second; a chain that stays silent (a
    /// camera with a fixed address switch, a clone) is used with the inventory's addresses.
    private func numberChain(_ stream: DeviceStream) async throws {
        chainReady = true
        try await stream.send(bytes: VISCACommand.addressSet, deadline: .after(seconds: 1))
        camerasOnChain = try await waitFor(stream, within: 1) { reply in
            if case .addressSet(let next) = reply { return next - 1 }
            return nil
        }
        try await stream.send(bytes: VISCACommand.interfaceClear, deadline: .after(seconds: 1))
        _ = try await waitFor(stream, within: 1) { $0 == .interfaceClear ? true : nil }
    }

    /// The first reply `match` accepts, or nil when none comes within `seconds`.
    private func waitFor<T>(_ stream: DeviceStream, within seconds: Double, _ match: (VISCAReply) -> T?) async throws
        -> T?
    {
        let deadline = Deadline.after(seconds: seconds)
        while true {
            do {
                let reply = VISCAReply.parse(try await stream.receive(VISCAPacketDecoder(), deadline: deadline))
                if case .networkChange = reply { continue }
                if let value = match(reply) { return value }
            } catch let error as TransportError where error.kind == .timedOut {
                return nil
            }
        }
    }

    private func run(
        _ packet: [UInt8], on stream: DeviceStream, address: Int, exchange: VISCAExchange,
        timeouts: VISCATimeouts
    ) async throws -> [UInt8] {
        attempts: for _ in 0..<20 {
            try await stream.send(bytes: packet, deadline: .after(seconds: timeouts.ack))
            var deadline = Deadline.after(seconds: timeouts.ack)
            var socket: Int?
            while true {
                let reply = VISCAReply.parse(try await stream.receive(VISCAPacketDecoder(), deadline: deadline))
                switch reply {
                case .networkChange:
                    chainReady = false   // renumber before the next exchange
                case .error(address, _, 0x03):
                    try await Task.sleep(nanoseconds: 50_000_000)   // buffer full: back off, send again
                    continue attempts
                case .error(address, let s, let code) where socket == nil || s == socket || s == 0:
                    throw VISCARefusal(code: code)
                case .ack(address, let s) where exchange == .command && socket == nil:
                    socket = s
                    deadline = .after(seconds: timeouts.completion)
                case .completion(address, let s) where exchange == .command && (socket == nil || s == socket):
                    return []
                case .inquiry(address, let data) where exchange == .inquiry:
                    return data
                default:
                    break   // another camera's late reply, a stray: never let it wedge the queue
                }
            }
        }
        throw VISCARefusal(code: 0x03)
    }
}
