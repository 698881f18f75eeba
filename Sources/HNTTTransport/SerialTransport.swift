import CHNTTSystem

#if canImport(Glibc)
    import Glibc
#endif

/// An RS-232 line (or a pseudo-terminal standing in for one): raw 8N1, no flow control, opened
/// exclusively so that two processes never interleave commands on one device.
public actor SerialTransport: ByteTransport {
    public nonisolated let path: String
    public nonisolated let baud: Int
    public nonisolated var peerDescription: String { "serial \(path)" }
    private var fd: Int32 = -1

    /// Baud rates termios can set.
    public static let supportedBauds: [Int: speed_t] = [
        1200: speed_t(B1200), 2400: speed_t(B2400), 4800: speed_t(B4800), 9600: speed_t(B9600),
        19200: speed_t(B19200), 38400: speed_t(B38400), 57600: speed_t(B57600),
        115200: speed_t(B115200), 230400: speed_t(B230400),
    ]

    public init(path: String, baud: Int) {
        self.path = path
        self.baud = baud
    }

    public func open(deadline: Deadline) async throws {
        guard fd < 0 else { return }
        guard let speed = SerialTransport.supportedBauds[baud] else {
            let known = SerialTransport.supportedBauds.keys.sorted().map(String.init).joined(separator: ", ")
            throw TransportError(.system, "baud rate \(baud) is not supported on \(path); use one of \(known)")
        }
        // A port held with TIOCEXCL refuses a second open with EBUSY (except to root): that is
        // another hntt's turn too, so it is waited for like the flock below.
        var descriptor: Int32 = -1
        while true {
            descriptor = Glibc.open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
            if descriptor >= 0 { break }
            let code = errno
            guard code == EBUSY else { throw TransportError(.system, "cannot open \(path): \(errnoText(code))") }
            if deadline.hasPassed {
                throw TransportError(.busy, "\(path) is in use by another process; wait for it or stop it")
            }
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        // Exclusive: flock keeps other hntt processes out (they wait their turn until the
        // deadline: several cameras of one chain share the port), TIOCEXCL other programs.
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            if deadline.hasPassed {
                Glibc.close(descriptor)
                throw TransportError(.busy, "\(path) is in use by another process; wait for it or stop it")
            }
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        _ = hntt_set_exclusive(descriptor, 1)
        var tio = termios()
        guard tcgetattr(descriptor, &tio) == 0 else {
            Glibc.close(descriptor)
            throw TransportError(.system, "\(path) is not a serial line: \(errnoText())")
        }
        cfmakeraw(&tio)
        tio.c_cflag |= tcflag_t(CLOCAL) | tcflag_t(CREAD) | tcflag_t(CS8)
        tio.c_cflag &= ~(tcflag_t(CRTSCTS) | tcflag_t(CSTOPB) | tcflag_t(PARENB))
        withUnsafeMutableBytes(of: &tio.c_cc) { cc in
            // VMIN 1: with O_NONBLOCK an idle line reads EAGAIN, and 0 means a real hang-up.
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        cfsetispeed(&tio, speed)
        cfsetospeed(&tio, speed)
        guard tcsetattr(descriptor, TCSANOW, &tio) == 0 else {
            Glibc.close(descriptor)
            throw TransportError(.system, "cannot configure \(path) for \(baud) 8N1: \(errnoText())")
        }
        tcflush(descriptor, TCIFLUSH)
        fd = descriptor
    }

    public func write(_ bytes: [UInt8], deadline: Deadline) async throws {
        guard fd >= 0 else { throw TransportError(.closed, "\(path) is not open") }
        try await DescriptorIO.writeAll(fd: fd, bytes: bytes, deadline: deadline, peer: peerDescription)
    }

    public func read(deadline: Deadline) async throws -> [UInt8] {
        guard fd >= 0 else { throw TransportError(.closed, "\(path) is not open") }
        return try await DescriptorIO.readSome(fd: fd, deadline: deadline, peer: peerDescription)
    }

    public func close() async {
        guard fd >= 0 else { return }
        _ = hntt_set_exclusive(fd, 0)
        flock(fd, LOCK_UN)
        IOReactor.shared.forget(fd: fd)
        Glibc.close(fd)
        fd = -1
    }
}
