/// RFC 854 framing: separates data from option negotiation, byte by byte, so a command split
/// across reads is still understood.
///
/// hntt needs no telnet option, so every DO is answered WONT and every WILL is answered DONT
/// (RFC 854 "refuse"). A codec's `IAC DO TERMINAL-TYPE …` at connect is refused this way, and then
/// it prints `login:`. Refusals are sent once per option and direction, so two peers that
/// both refuse cannot loop.
public struct TelnetCodec: Sendable {
    // swift-format-ignore: AlwaysUseLowerCamelCase
    public static let IAC: UInt8 = 255
    // swift-format-ignore: AlwaysUseLowerCamelCase
    public static let DONT: UInt8 = 254
    // swift-format-ignore: AlwaysUseLowerCamelCase
    public static let DO: UInt8 = 253
    // swift-format-ignore: AlwaysUseLowerCamelCase
    public static let WONT: UInt8 = 252
    // swift-format-ignore: AlwaysUseLowerCamelCase
    public static let WILL: UInt8 = 251
    // swift-format-ignore: AlwaysUseLowerCamelCase
    public static let SB: UInt8 = 250
    // swift-format-ignore: AlwaysUseLowerCamelCase
    public static let SE: UInt8 = 240

    private enum State: Sendable {
        case data, iac
        case option(UInt8)
        case subnegotiation, subnegotiationIAC, carriageReturn
    }
    private var state: State = .data
    private var refused: Set<UInt16> = []

    public init() {}

    /// Splits `input` into application data and the negotiation replies to send back.
    public mutating func decode(_ input: [UInt8]) -> (data: [UInt8], replies: [UInt8]) {
        var data: [UInt8] = []
        var replies: [UInt8] = []
        data.reserveCapacity(input.count)
        for byte in input {
            switch state {
            case .data, .carriageReturn:
                let afterCR = { if case .carriageReturn = state { return true } else { return false } }()
                if byte == TelnetCodec.IAC {
                    state = .iac
                } else if afterCR && byte == 0 {
                    state = .data   // CR NUL is a bare CR in NVT
                } else {
                    data.append(byte)
                    state = byte == 13 ? .carriageReturn : .data
                }
            case .iac:
                switch byte {
                case TelnetCodec.IAC:
                    data.append(TelnetCodec.IAC)
                    state = .data
                case TelnetCodec.DO, TelnetCodec.DONT, TelnetCodec.WILL, TelnetCodec.WONT: state = .option(byte)
                case TelnetCodec.SB: state = .subnegotiation
                default: state = .data   // NOP, GA, AYT, …: no data
                }
            case .option(let verb):
                state = .data
                let answer: UInt8?
                switch verb {
                case TelnetCodec.DO: answer = TelnetCodec.WONT
                case TelnetCodec.WILL: answer = TelnetCodec.DONT
                default: answer = nil   // WONT/DONT: we are already off; no reply (RFC 854)
                }
                if let answer, refused.insert(UInt16(answer) << 8 | UInt16(byte)).inserted {
                    replies += [TelnetCodec.IAC, answer, byte]
                }
            case .subnegotiation:
                if byte == TelnetCodec.IAC { state = .subnegotiationIAC }
            case .subnegotiationIAC:
                state = byte == TelnetCodec.SE ? .data : .subnegotiation
            }
        }
        return (data, replies)
    }

    /// Escapes data for the wire: a 255 byte is doubled.
    public static func encode(_ data: [UInt8]) -> [UInt8] {
        guard data.contains(IAC) else { return data }
        var out: [UInt8] = []
        out.reserveCapacity(data.count + 4)
        for byte in data {
            out.append(byte)
            if byte == IAC { out.append(IAC) }
        }
        return out
    }
}

/// Telnet over TCP: a TCP connection with RFC 854 negotiation answered and IAC escaping undone.
/// Login prompts are the driver's business (they differ per vendor and come from the profile).
public actor TelnetTransport: ByteTransport {
    private let tcp: TCPTransport
    private var codec = TelnetCodec()
    public nonisolated let peerDescription: String

    public init(host: String, port: UInt16) {
        tcp = TCPTransport(host: host, port: port)
        peerDescription = "telnet \(host):\(port)"
    }

    public func open(deadline: Deadline) async throws {
        try await tcp.open(deadline: deadline)
    }

    public func write(_ bytes: [UInt8], deadline: Deadline) async throws {
        try await tcp.write(TelnetCodec.encode(bytes), deadline: deadline)
    }

    public func read(deadline: Deadline) async throws -> [UInt8] {
        while true {
            let raw = try await tcp.read(deadline: deadline)
            let (data, replies) = codec.decode(raw)
            if !replies.isEmpty { try await tcp.write(replies, deadline: deadline) }
            if !data.isEmpty { return data }
        }
    }

    public func close() async { await tcp.close() }
}
