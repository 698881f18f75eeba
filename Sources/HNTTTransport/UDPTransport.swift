#if canImport(Glibc)
    import Glibc
#endif

/// A connected UDP socket: each `write` is one datagram, each `read` returns one datagram.
/// For VISCA over IP (Sony, UDP 52381) and clones' raw VISCA over UDP (1259).
public actor UDPTransport: ByteTransport {
    public nonisolated let host: String
    public nonisolated let port: UInt16
    public nonisolated var peerDescription: String { "udp \(host):\(port)" }
    private var fd: Int32 = -1

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    public func open(deadline: Deadline) async throws {
        guard fd < 0 else { return }
        let addresses = try await TCPTransport.resolve(host: host, port: port, deadline: deadline)
        guard let address = addresses.first else { throw TransportError(.connectFailed, "cannot resolve \(host)") }
        let socketFD = socket(address.family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socketFD >= 0 else { throw TransportError(.system, "cannot create a UDP socket: \(errnoText())") }
        do {
            try DescriptorIO.setNonBlocking(socketFD)
            let rc = address.storage.withUnsafeBytes { raw in
                Glibc.connect(socketFD, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), address.length)
            }
            guard rc == 0 else {
                throw TransportError(.connectFailed, "cannot address \(peerDescription): \(errnoText())")
            }
        } catch {
            Glibc.close(socketFD)
            throw error
        }
        fd = socketFD
    }

    public func write(_ bytes: [UInt8], deadline: Deadline) async throws {
        guard fd >= 0 else { throw TransportError(.closed, "\(peerDescription) is not open") }
        while true {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n >= 0 { return }
            switch errno {
            case EAGAIN, EWOULDBLOCK, EINTR:
                try await IOReactor.shared.wait(
                    fd: fd, for: .writable, deadline: deadline, what: "sending to \(peerDescription)")
            case ECONNREFUSED:
                throw TransportError(.connectFailed, "nothing answers on \(peerDescription) (port unreachable)")
            default:
                throw TransportError(.system, "sending to \(peerDescription) failed: \(errnoText())")
            }
        }
    }

    public func read(deadline: Deadline) async throws -> [UInt8] {
        guard fd >= 0 else { throw TransportError(.closed, "\(peerDescription) is not open") }
        var buffer = [UInt8](repeating: 0, count: 2048)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n >= 0 { return Array(buffer[0..<n]) }
            switch errno {
            case EAGAIN, EWOULDBLOCK, EINTR:
                try await IOReactor.shared.wait(
                    fd: fd, for: .readable, deadline: deadline,
                    what: "waiting for \(peerDescription) to answer")
            case ECONNREFUSED:
                throw TransportError(.connectFailed, "nothing answers on \(peerDescription) (port unreachable)")
            default:
                throw TransportError(.system, "reading from \(peerDescription) failed: \(errnoText())")
            }
        }
    }

    public func close() async {
        if fd >= 0 {
            IOReactor.shared.forget(fd: fd)
            Glibc.close(fd)
        }
        fd = -1
    }
}
