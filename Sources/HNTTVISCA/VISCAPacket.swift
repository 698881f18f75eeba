@_spi(Driver) import HNTTTransport

/// A VISCA reply from a camera (docs/protocols/visca-and-serial.md §1.3, §1.4, §1.6), classified by shape.
public enum VISCAReply: Sendable, Equatable {
    /// `z0 4y FF`: the command is accepted into socket y.
    case ack(from: Int, socket: Int)
    /// `z0 5y FF` (exactly 3 bytes): the command in socket y is done.
    case completion(from: Int, socket: Int)
    /// `z0 50 <data…> FF`: an inquiry's answer.
    case inquiry(from: Int, data: [UInt8])
    /// `z0 6y ee FF`: an error.
    case error(from: Int, socket: Int, code: UInt8)
    /// `z0 38 FF`: power or cabling changed on the chain; AddressSet must run again.
    case networkChange(from: Int)
    /// `88 30 0w FF`: the AddressSet broadcast came back; w − 1 cameras are on the chain.
    case addressSet(next: Int)
    /// `88 01 00 01 FF`: the IF_Clear broadcast came back.
    case interfaceClear
    /// Anything else (clones' oddities): logged and skipped, never allowed to wedge the queue.
    case stray([UInt8])

    /// Classifies one packet (terminator included).
    public static func parse(_ packet: [UInt8]) -> VISCAReply {
        guard packet.count >= 3, packet.last == 0xFF else { return .stray(packet) }
        let header = packet[0]
        if header == 0x88 {
            if packet.count == 4 && packet[1] == 0x30 { return .addressSet(next: Int(packet[2] & 0x0F)) }
            if packet == [0x88, 0x01, 0x00, 0x01, 0xFF] { return .interfaceClear }
            return .stray(packet)
        }
        // Replies come from address z − 8, z = 8…F (accept every z, as the notes advise).
        guard header & 0x8F == 0x80 else { return .stray(packet) }
        let from = Int((header >> 4) & 0x07)
        let kind = packet[1] & 0xF0
        let socket = Int(packet[1] & 0x0F)
        switch (kind, packet.count) {
        case (0x40, 3): return .ack(from: from, socket: socket)
        case (0x50, 3): return .completion(from: from, socket: socket)
        case (0x50, _) where socket == 0: return .inquiry(from: from, data: Array(packet[2..<(packet.count - 1)]))
        case (0x60, 4): return .error(from: from, socket: socket, code: packet[2])
        case (0x30, 3) where packet[1] == 0x38: return .networkChange(from: from)
        default: return .stray(packet)
        }
    }

    /// What an error code means, for a technician (Sony's tables, §1.3).
    public static func describe(errorCode code: UInt8) -> String {
        switch code {
        case 0x01: return "message length error (the command was longer than 14 bytes)"
        case 0x02: return "syntax error (the camera does not know this command or its values)"
        case 0x03: return "command buffer full (the camera is still executing two commands)"
        case 0x04: return "command cancelled"
        case 0x05: return "no socket (nothing to cancel)"
        case 0x41: return "command not executable now (for example a preset recall while the camera is in standby)"
        default: return "error code \(String(code, radix: 16))"
        }
    }
}

/// Splits a byte stream into VISCA packets: only `FF` ends a packet (parameters never contain
/// it), so fragmented reads and coalesced packets frame the same.
public struct VISCAFramer: Sendable {
    /// A packet longer than this is garbage: VISCA packets are 3–16 bytes.
    public static let maximumPacket = 16

    public init() {}

    /// Removes and returns the first complete packet of `buffer`, or nil if there is none yet.
    /// Garbage longer than a packet without `FF` is dropped up to the next `FF`.
    public func takePacket(from buffer: inout [UInt8]) -> [UInt8]? {
        guard let end = buffer.firstIndex(of: 0xFF) else {
            if buffer.count > 64 { buffer.removeAll() }   // a line noise burst: nothing to keep
            return nil
        }
        let packet = Array(buffer[...end])
        buffer.removeFirst(end + 1)
        return packet
    }
}

/// VISCA command and inquiry packets for the operations hntt needs (§1.4–1.6).
public enum VISCACommand {
    public static func powerOn(_ address: Int) -> [UInt8] { [head(address), 0x01, 0x04, 0x00, 0x02, 0xFF] }
    public static func powerOff(_ address: Int) -> [UInt8] { [head(address), 0x01, 0x04, 0x00, 0x03, 0xFF] }
    public static func home(_ address: Int) -> [UInt8] { [head(address), 0x01, 0x06, 0x04, 0xFF] }

    /// Preset recall (`02`) or set (`01`); Sony encodes the number as `0p` (0–15), PTZOptics and
    /// clones as a full byte (0–254, never `FF`).
    public static func preset(_ address: Int, store: Bool, number: Int, fullByte: Bool) -> [UInt8] {
        [head(address), 0x01, 0x04, 0x3F, store ? 0x01 : 0x02, fullByte ? UInt8(number) : UInt8(number & 0x0F), 0xFF]
    }

    public static func powerInquiry(_ address: Int) -> [UInt8] { [head(address), 0x09, 0x04, 0x00, 0xFF] }
    public static func panTiltInquiry(_ address: Int) -> [UInt8] { [head(address), 0x09, 0x06, 0x12, 0xFF] }
    public static func zoomInquiry(_ address: Int) -> [UInt8] { [head(address), 0x09, 0x04, 0x47, 0xFF] }
    public static func presetInquiry(_ address: Int) -> [UInt8] { [head(address), 0x09, 0x04, 0x3F, 0xFF] }
    public static func versionInquiry(_ address: Int) -> [UInt8] { [head(address), 0x09, 0x00, 0x02, 0xFF] }

    /// Broadcast AddressSet: the first camera takes address 1 and passes 2 on (§1.4).
    public static let addressSet: [UInt8] = [0x88, 0x30, 0x01, 0xFF]
    /// Broadcast IF_Clear: empties every camera's command buffers.
    public static let interfaceClear: [UInt8] = [0x88, 0x01, 0x00, 0x01, 0xFF]

    static func head(_ address: Int) -> UInt8 { 0x80 | UInt8(address & 0x07) }

    /// A 16-bit value from four nibble bytes `0p 0q 0r 0s`, signed for pan/tilt.
    public static func nibbles(_ bytes: ArraySlice<UInt8>, signed: Bool) -> Int? {
        guard bytes.count == 4, bytes.allSatisfy({ $0 <= 0x0F }) else { return nil }
        let value = bytes.reduce(0) { $0 << 4 | Int($1) }
        return signed && value >= 0x8000 ? value - 0x10000 : value
    }

    /// Four nibble bytes for a 16-bit value (two's complement for negatives).
    public static func nibbleBytes(_ value: Int) -> [UInt8] {
        let v = value & 0xFFFF
        return [UInt8(v >> 12 & 0xF), UInt8(v >> 8 & 0xF), UInt8(v >> 4 & 0xF), UInt8(v & 0xF)]
    }
}

/// Sony VISCA over IP (UDP 52381): an 8-byte header in front of each VISCA packet (§2.1).
public enum VISCAOverIP {
    public static let command: UInt16 = 0x0100
    public static let inquiry: UInt16 = 0x0110
    public static let reply: UInt16 = 0x0111
    public static let deviceSetting: UInt16 = 0x0120
    public static let controlCommand: UInt16 = 0x0200
    public static let controlReply: UInt16 = 0x0201

    /// One datagram: payload type, length and sequence number, big-endian, then the payload.
    public static func datagram(type: UInt16, sequence: UInt32, payload: [UInt8]) -> [UInt8] {
        [
            UInt8(type >> 8), UInt8(type & 0xFF), UInt8(payload.count >> 8), UInt8(payload.count & 0xFF),
            UInt8(sequence >> 24 & 0xFF), UInt8(sequence >> 16 & 0xFF), UInt8(sequence >> 8 & 0xFF),
            UInt8(sequence & 0xFF),
        ]
            + payload
    }

    /// The RESET control command: sequence numbers start again at 0.
    public static func reset(sequence: UInt32) -> [UInt8] {
        datagram(type: controlCommand, sequence: sequence, payload: [0x01])
    }

    /// A parsed datagram, or nil when it is too short or its length field lies.
    public static func parse(_ datagram: [UInt8]) -> (type: UInt16, sequence: UInt32, payload: [UInt8])? {
        guard datagram.count >= 9 else { return nil }
        let type = UInt16(datagram[0]) << 8 | UInt16(datagram[1])
        let length = Int(datagram[2]) << 8 | Int(datagram[3])
        let sequence = datagram[4..<8].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard length >= 1, length <= 16, datagram.count == 8 + length else { return nil }
        return (type, sequence, Array(datagram[8...]))
    }
}
