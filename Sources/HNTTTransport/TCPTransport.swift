import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP connection: the raw transport to a serial server (Moxa, iTach) or a device's raw port,
/// and the carrier under telnet and SSH.
public actor TCPTransport: ByteTransport {
    public nonisolated let host: String
    public nonisolated let port: UInt16
    public nonisolated var peerDescription: String { "\(host):\(port)" }
    private var fd: Int32 = -1

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// The connected descriptor, for layers (SSH) that drive it themselves.
    public var descriptor: Int32 { fd }

    public func open(deadline: Deadline) async throws {
        guard fd < 0 else { return }
        fd = try await TCPTransport.connect(host: host, port: port, deadline: deadline)
    }

    public func write(_ bytes: [UInt8], deadline: Deadline) async throws {
        guard fd >= 0 else { throw TransportError(.closed, "\(peerDescription): not connected") }
        try await DescriptorIO.writeAll(fd: fd, bytes: bytes, deadline: deadline, peer: peerDescription)
    }

    public func read(deadline: Deadline) async throws -> [UInt8] {
        guard fd >= 0 else { throw TransportError(.closed, "\(peerDescription): not connected") }
        return try await DescriptorIO.readSome(fd: fd, deadline: deadline, peer: peerDescription)
    }

    public func close() async {
        if fd >= 0 {
            IOReactor.shared.forget(fd: fd)
            Glibc.close(fd)
        }
        fd = -1
    }

    /// Opens a non-blocking TCP connection by `deadline`. Numeric addresses resolve inline; a host
    /// name is resolved on a short-lived thread, since getaddrinfo blocks.
    public static func connect(host: String, port: UInt16, deadline: Deadline) async throws -> Int32 {
        let peer = "\(host):\(port)"
        let addresses = try await resolve(host: host, port: port, deadline: deadline)
        var lastError = TransportError(.connectFailed, "cannot connect to \(peer): no address")
        for address in addresses {
            let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw TransportError(.system, "cannot create a socket: \(errnoText())") }
            do {
                try DescriptorIO.setNonBlocking(fd)
                var one: Int32 = 1
                _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                let rc = address.storage.withUnsafeBytes { raw in
                    Glibc.connect(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), address.length)
                }
                if rc != 0 {
                    guard errno == EINPROGRESS else {
                        throw TransportError(.connectFailed, "cannot connect to \(peer): \(errnoText())")
                    }
                    try await IOReactor.shared.wait(
                        fd: fd, for: .writable, deadline: deadline,
                        what: "connecting to \(peer)")
                    var soError: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length)
                    if soError != 0 {
                        throw TransportError(.connectFailed, "cannot connect to \(peer): \(errnoText(soError))")
                    }
                }
                return fd
            } catch let error as TransportError {
                Glibc.close(fd)
                if error.kind != .connectFailed { throw error }
                lastError = error
            } catch {
                Glibc.close(fd)
                throw error
            }
        }
        throw lastError
    }

    struct ResolvedAddress: @unchecked Sendable {
        var family: Int32
        var storage: [UInt8]
        var length: socklen_t
    }

    static func resolve(host: String, port: UInt16, deadline: Deadline) async throws -> [ResolvedAddress] {
        if let numeric = try? lookup(host: host, port: port, numericOnly: true), !numeric.isEmpty {
            return numeric
        }
        // Names need DNS, which blocks, and may block longer than the connection may take.
        let timedOut: @Sendable () -> any Error = {
            TransportError(.timedOut, "cannot resolve \(host) before the connect timeout")
        }
        return try await onOwnThread(by: deadline, timedOut: timedOut) {
            try lookup(host: host, port: port, numericOnly: false)
        }
    }

    static func lookup(host: String, port: UInt16, numericOnly: Bool) throws -> [ResolvedAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = numericOnly ? AI_NUMERICHOST : 0
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &result)
        guard rc == 0, let first = result else {
            throw TransportError(.connectFailed, "cannot resolve \(host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(first) }
        var addresses: [ResolvedAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            let length = Int(info.pointee.ai_addrlen)
            let bytes = Array(UnsafeRawBufferPointer(start: info.pointee.ai_addr, count: length))
            addresses.append(
                ResolvedAddress(
                    family: info.pointee.ai_family, storage: bytes,
                    length: info.pointee.ai_addrlen))
            cursor = info.pointee.ai_next
        }
        return addresses
    }
}
