#if canImport(Glibc)
    import Glibc
#endif

/// Non-blocking reads and writes on a descriptor, parking on the ``IOReactor`` instead of blocking.
/// Shared by every descriptor-backed transport (TCP, serial, telnet).
enum DescriptorIO {
    static let chunkSize = 16 * 1024

    static func setNonBlocking(_ fd: Int32) throws {
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else {
            throw TransportError(.system, "cannot make descriptor non-blocking: \(errnoText())")
        }
    }

    /// At least one byte; `.closed` at EOF or when the line dies (EIO on a pty, ECONNRESET).
    static func readSome(fd: Int32, deadline: Deadline, peer: String) async throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        while true {
            try Task.checkCancellation()
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n > 0 { return Array(buffer[0..<n]) }
            if n == 0 { throw TransportError(.closed, "\(peer) closed the connection") }
            try await waitOrFail(
                errno, fd: fd, for: .readable, deadline: deadline, peer: peer,
                what: "waiting for \(peer) to answer", verb: "reading from")
        }
    }

    static func writeAll(fd: Int32, bytes: [UInt8], deadline: Deadline, peer: String) async throws {
        var offset = 0
        while offset < bytes.count {
            try Task.checkCancellation()
            let n = bytes.withUnsafeBytes { raw in
                Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
            }
            if n > 0 {
                offset += n
                continue
            }
            try await waitOrFail(
                errno, fd: fd, for: .writable, deadline: deadline, peer: peer,
                what: "sending to \(peer)", verb: "writing to")
        }
    }

    /// After a failed read or write: waits for readiness if it would block, else throws
    /// `.closed` for a lost line and `.system` for anything else.
    private static func waitOrFail(
        _ code: Int32, fd: Int32, for interest: IOReactor.Interest, deadline: Deadline,
        peer: String, what: String, verb: String
    ) async throws {
        switch code {
        case EAGAIN, EWOULDBLOCK, EINTR:
            try await IOReactor.shared.wait(fd: fd, for: interest, deadline: deadline, what: what)
        case EIO, ECONNRESET, EPIPE, ENOTCONN:
            throw TransportError(.closed, "\(peer): the connection was lost (\(errnoText(code)))")
        default:
            throw TransportError(.system, "\(verb) \(peer) failed: \(errnoText(code))")
        }
    }
}
