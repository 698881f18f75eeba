import Foundation

/// The VISCA behaviour of a chain of cameras (docs/protocols/visca-and-serial.md §1.3–1.6): AddressSet numbers
/// the chain, IF_Clear answers, commands get an ACK then a Completion after the motors moved,
/// inquiries get their answer, errors follow Sony's tables (a preset recall in standby is "not
/// executable"), and the configured faults happen.
enum VISCACameraLogic {
    /// The reply packets to one packet, each with the delay before it.
    static func respond(to packet: [UInt8], in data: inout VISCACameraData) -> [(delay: Double, bytes: [UInt8])] {
        data.commandLog.append(packet.map { String(format: "%02X", $0) }.joined(separator: " "))
        if packet == [0x88, 0x30, 0x01, 0xFF] {
            data.addressSets += 1
            for index in data.cameras.indices { data.cameras[index].address = index + 1 }
            return [(data.ackDelay, [0x88, 0x30, UInt8(data.cameras.count + 1), 0xFF])]
        }
        if packet == [0x88, 0x01, 0x00, 0x01, 0xFF] { return [(data.ackDelay, packet)] }
        guard packet.count >= 3, packet[0] & 0xF8 == 0x80, packet[0] != 0x88 else { return [] }
        let address = Int(packet[0] & 0x07)
        // Nobody answers an address no camera has.
        guard let index = data.cameras.firstIndex(where: { $0.address == address && address != 0 }) else { return [] }
        let reply = UInt8((address + 8) << 4)   // camera 1 answers 90, camera 2 A0 …
        var out: [(Double, [UInt8])] = []
        if data.networkChangeNext {
            data.networkChangeNext = false
            out.append((0, [reply, 0x38, 0xFF]))
        }
        if let code = data.errorNext {
            data.errorNext = nil
            return out + [(data.ackDelay, [reply, 0x60 | (packet[1] == 0x01 ? 0x01 : 0x00), code, 0xFF])]
        }
        let body = Array(packet[1..<(packet.count - 1)])
        var camera = data.cameras[index]
        defer { data.cameras[index] = camera }
        let ack: [UInt8] = [reply, 0x41, 0xFF]
        let done: [UInt8] = [reply, 0x51, 0xFF]
        func answer(_ bytes: [UInt8]) -> [(Double, [UInt8])] {
            out + [(data.ackDelay, [reply, 0x50] + bytes + [0xFF])]
        }
        func executed() -> [(Double, [UInt8])] { out + [(data.ackDelay, ack), (data.completionDelay, done)] }
        let notExecutable: [(Double, [UInt8])] = out + [(data.ackDelay, [reply, 0x61, 0x41, 0xFF])]
        switch body {
        case [0x01, 0x04, 0x00, 0x02]:
            camera.poweredOn = true
            return executed()
        case [0x01, 0x04, 0x00, 0x03]:
            camera.poweredOn = false
            return executed()
        case [0x01, 0x06, 0x04]:
            guard camera.poweredOn else { return notExecutable }
            camera.pan = 0
            camera.tilt = 0
            camera.presetInUse = nil
            return executed()
        case _ where body.count == 5 && Array(body[0..<3]) == [0x01, 0x04, 0x3F]:
            let number = Int(body[4])
            switch body[3] {
            case 0x01:
                guard camera.poweredOn else { return notExecutable }
                camera.presets[number] = [camera.pan, camera.tilt, camera.zoom]
                camera.presetInUse = number
                return executed()
            case 0x02:
                guard camera.poweredOn else { return notExecutable }
                let position = camera.presets[number] ?? [0, 0, 0]
                (camera.pan, camera.tilt, camera.zoom) = (position[0], position[1], position[2])
                camera.presetInUse = number
                return executed()
            case 0x00:
                camera.presets[number] = nil
                return executed()
            default: break
            }
        case _ where body.count == 13 && Array(body[0..<3]) == [0x01, 0x06, 0x02]:
            guard camera.poweredOn else { return notExecutable }
            camera.pan = nibbles(body[5..<9])
            camera.tilt = nibbles(body[9..<13])
            camera.presetInUse = nil
            return executed()
        case [0x09, 0x04, 0x00]: return answer([camera.poweredOn ? 0x02 : 0x03])
        case [0x09, 0x06, 0x12]:
            guard camera.poweredOn else { return notExecutable }
            return answer(nibbleBytes(camera.pan) + nibbleBytes(camera.tilt))
        case [0x09, 0x04, 0x47]:
            guard camera.poweredOn else { return notExecutable }
            return answer(nibbleBytes(camera.zoom))
        case [0x09, 0x04, 0x3F]: return answer([UInt8(camera.presetInUse ?? 0)])
        case [0x09, 0x00, 0x02]:
            return answer([
                UInt8(camera.vendor >> 8), UInt8(camera.vendor & 0xFF), UInt8(camera.model >> 8),
                UInt8(camera.model & 0xFF), 0x01, 0x00, 0x02,
            ])
        default: break
        }
        return out + [(data.ackDelay, [reply, 0x60, 0x02, 0xFF])]   // syntax error
    }

    static func nibbles(_ bytes: ArraySlice<UInt8>) -> Int {
        let value = bytes.reduce(0) { $0 << 4 | Int($1 & 0x0F) }
        return value >= 0x8000 ? value - 0x10000 : value
    }

    static func nibbleBytes(_ value: Int) -> [UInt8] {
        let v = value & 0xFFFF
        return [UInt8(v >> 12 & 0xF), UInt8(v >> 8 & 0xF), UInt8(v >> 4 & 0xF), UInt8(v & 0xF)]
    }
}

/// A camera chain served on a byte stream (a pty as the RS-232 line, or TCP as a serial server).
final class VISCAStreamSession: @unchecked Sendable {
    private let store: VISCACameraStore
    private let link: SimulatorLink
    private let endsConnection: Bool

    init(store: VISCACameraStore, link: SimulatorLink, endsConnection: Bool) {
        self.store = store
        self.link = link
        self.endsConnection = endsConnection
    }

    func run() {
        defer { if endsConnection { link.close() } }
        var buffer: [UInt8] = []
        while let bytes = link.readBytes() {
            buffer += bytes
            while let end = buffer.firstIndex(of: 0xFF) {
                let packet = Array(buffer[...end])
                buffer.removeFirst(end + 1)
                let (replies, faults) = store.update { data in
                    (VISCACameraLogic.respond(to: packet, in: &data), data.faults)
                }
                if faults.silent { continue }
                for (delay, reply) in replies {
                    if delay > 0 { usleep(UInt32(delay * 1_000_000)) }
                    if faults.splitWrites {
                        for byte in reply {
                            link.write([byte])
                            usleep(200)
                        }
                    } else {
                        link.write(reply)
                    }
                }
            }
            if buffer.count > 64 { buffer.removeAll() }
        }
    }
}

/// A camera on UDP: Sony's VISCA over IP (8-byte header, RESET, sequence numbers; a retransmitted
/// number already executed is answered "abnormality in the sequence number") or raw packets.
public final class VISCAUDPCamera: @unchecked Sendable {
    public let port: UInt16
    private let fd: Int32
    private let store: VISCACameraStore
    private let sonyHeader: Bool
    private let lock = NSLock()
    private var stopped = false
    private var lastSequence: UInt32?

    public init(store: VISCACameraStore, sonyHeader: Bool, port: UInt16 = 0) throws {
        self.store = store
        self.sonyHeader = sonyHeader
        (fd, self.port) = try bindLoopback(type: SOCK_DGRAM, port: port)
        store.update { data in for index in data.cameras.indices { data.cameras[index].address = 1 } }
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    private func serve() {
        defer { close(fd) }   // here, not in stop(): no other thread polls it then
        var buffer = [UInt8](repeating: 0, count: 2048)
        while !lock.withLock({ stopped }) {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 100) > 0 else { continue }
            var peer = sockaddr_storage()
            var peerLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let n = withUnsafeMutablePointer(to: &peer) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    recvfrom(fd, &buffer, buffer.count, 0, $0, &peerLength)
                }
            }
            guard n > 0 else { continue }
            let datagram = Array(buffer[0..<n])
            let dropRequest = store.update { data -> Bool in
                guard data.dropRequests > 0 else { return false }
                data.dropRequests -= 1
                return true
            }
            if dropRequest { continue }
            for (delay, reply) in replies(to: datagram) {
                if delay > 0 { usleep(UInt32(delay * 1_000_000)) }
                let drop = store.update { data -> Bool in
                    guard data.dropReplies > 0 else { return false }
                    data.dropReplies -= 1
                    return true
                }
                if drop || store.read({ $0.faults.silent }) { continue }
                _ = withUnsafePointer(to: &peer) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, reply, reply.count, 0, $0, peerLength)
                    }
                }
            }
        }
    }

    private func replies(to datagram: [UInt8]) -> [(Double, [UInt8])] {
        guard sonyHeader else {
            return store.update { VISCACameraLogic.respond(to: datagram, in: &$0) }
        }
        guard datagram.count >= 9 else { return [] }
        let type = UInt16(datagram[0]) << 8 | UInt16(datagram[1])
        let sequence = datagram[4..<8].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let payload = Array(datagram[8...])
        func wrap(_ type: UInt16, _ payload: [UInt8]) -> [UInt8] {
            [
                UInt8(type >> 8), UInt8(type & 0xFF), UInt8(payload.count >> 8), UInt8(payload.count & 0xFF),
                UInt8(sequence >> 24 & 0xFF), UInt8(sequence >> 16 & 0xFF), UInt8(sequence >> 8 & 0xFF),
                UInt8(sequence & 0xFF),
            ] + payload
        }
        switch type {
        case 0x0200 where payload == [0x01]:
            lastSequence = nil
            return [(0, wrap(0x0201, [0x01]))]
        case 0x0100, 0x0110:
            if sequence == lastSequence { return [(0, wrap(0x0201, [0x0F, 0x01]))] }
            lastSequence = sequence
            return store.update { VISCACameraLogic.respond(to: payload, in: &$0) }.map {
                ($0.delay, wrap(0x0111, $0.bytes))
            }
        default:
            return [(0, wrap(0x0201, [0x0F, 0x02]))]
        }
    }

    /// Stops serving; the socket closes within 100 ms, on the serving thread.
    public func stop() {
        lock.withLock { stopped = true }
    }

    deinit { stop() }
}

/// A simulated chain of VISCA cameras.
public typealias VISCASimulator = SimulatedCodec<VISCACameraData>

extension SimulatedCodec where State == VISCACameraData {
    public convenience init(store: VISCACameraStore) {
        self.init(store: store) { store, link, _, endsConnection in
            VISCAStreamSession(store: store, link: link, endsConnection: endsConnection).run()
        }
    }

    public convenience init(_ data: VISCACameraData) { self.init(store: VISCACameraStore(data)) }
}
