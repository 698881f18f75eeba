import Foundation
import HNTTTestSupport
import Testing

@_spi(Driver) @testable import HNTTTransport

/// A pty pair: tests write to `master`; the transport opens `slavePath` as a serial line.
final class PTYPair: @unchecked Sendable {
    let master: Int32
    let slave: Int32
    let slavePath: String

    init() throws {
        var master: Int32 = -1
        var slave: Int32 = -1
        var name = [CChar](repeating: 0, count: 256)
        guard openpty(&master, &slave, &name, nil, nil) == 0 else { throw TransportError(.system, "openpty") }
        self.master = master
        self.slave = slave
        slavePath = name.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    func write(_ text: String) { _ = text.withCString { Glibc.write(master, $0, strlen($0)) } }

    func read() -> String {
        var buffer = [UInt8](repeating: 0, count: 1024)
        var pfd = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, 2000) > 0 else { return "" }
        let n = Glibc.read(master, &buffer, buffer.count)
        return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
    }

    deinit {
        close(master)
        close(slave)
    }
}

@Suite("RS-232 transport on a real pseudo-terminal")
struct SerialTransportTests {
    @Test("bytes go both ways and a fragmented reply is reassembled")
    func roundTrip() async throws {
        let pty = try PTYPair()
        let serial = SerialTransport(path: pty.slavePath, baud: 115200)
        try await serial.open(deadline: .after(seconds: 2))
        try await serial.write(Array("xStatus Standby\r\n".utf8), deadline: .after(seconds: 2))
        #expect(pty.read() == "xStatus Standby\r\n")
        let stream = DeviceStream(transport: serial)
        let writer = Thread {
            for piece in ["*s Stand", "by State: O", "ff\r\n** e", "nd\r\nOK\r\n"] {
                pty.write(piece)
                usleep(2000)
            }
        }
        writer.start()
        let reply = try await stream.receive(untilAny: ["OK\r\n"], deadline: .after(seconds: 5))
        #expect(reply.text == "*s Standby State: Off\r\n** end\r\nOK\r\n")
        await stream.close()
    }

    @Test("a second open of a port waits for its turn, and is refused as busy at its deadline")
    func exclusive() async throws {
        let pty = try PTYPair()
        let first = SerialTransport(path: pty.slavePath, baud: 9600)
        try await first.open(deadline: .after(seconds: 2))
        let second = SerialTransport(path: pty.slavePath, baud: 9600)
        await #expect(
            throws: TransportError(.busy, "\(pty.slavePath) is in use by another process; wait for it or stop it")
        ) {
            try await second.open(deadline: .after(seconds: 0.3))
        }
        let waiting = Task { try await second.open(deadline: .after(seconds: 5)) }
        await first.close()
        try await waiting.value   // gets the port once the first lets go, within its deadline
        await second.close()
    }

    @Test("the line is raw 8N1 without flow control at the requested speed")
    func termiosSettings() async throws {
        let pty = try PTYPair()
        let serial = SerialTransport(path: pty.slavePath, baud: 38400)
        try await serial.open(deadline: .after(seconds: 2))
        var tio = termios()
        #expect(tcgetattr(pty.slave, &tio) == 0)
        #expect(cfgetospeed(&tio) == speed_t(B38400))
        #expect(tio.c_cflag & tcflag_t(CRTSCTS) == 0)
        #expect(tio.c_cflag & tcflag_t(PARENB) == 0)
        #expect(tio.c_cflag & tcflag_t(CSTOPB) == 0)
        #expect(tio.c_cflag & tcflag_t(CSIZE) == tcflag_t(CS8))
        #expect(tio.c_lflag & tcflag_t(ICANON) == 0)
        #expect(tio.c_lflag & tcflag_t(ECHO) == 0)
        await serial.close()
    }

    @Test("a silent line times out at the deadline; a bad baud rate or path is a clear error")
    func timeoutsAndErrors() async throws {
        let pty = try PTYPair()
        let serial = SerialTransport(path: pty.slavePath, baud: 9600)
        try await serial.open(deadline: .after(seconds: 2))
        let started = Date()
        await #expect(throws: TransportError.self) { _ = try await serial.read(deadline: .after(seconds: 0.3)) }
        #expect(Date().timeIntervalSince(started) < hangBound, "a 0.3 s deadline must not turn into a hang")
        await serial.close()
        await #expect(throws: TransportError.self) {
            try await SerialTransport(path: pty.slavePath, baud: 12345).open(deadline: .after(seconds: 1))
        }
        await #expect(throws: TransportError.self) {
            try await SerialTransport(path: "/dev/hntt-missing", baud: 9600).open(deadline: .after(seconds: 1))
        }
    }
}
