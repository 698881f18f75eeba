import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A hostile device on 127.0.0.1: whoever connects gets noise lines without end and never a login
/// prompt. Blocking threads of its own, never the transports under test.
public final class FloodingServer: @unchecked Sendable {
    public let port: UInt16
    private let listener: Int32
    private let stopped = NSLock()
    private var isStopped = false

    public init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(listener, 16) == 0 else { throw FloodingServerError() }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        self.listener = listener
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    private var running: Bool { stopped.withLock { !isStopped } }

    private func acceptLoop() {
        while running {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            Thread { [self] in
                let line = Array("noise noise noise noise noise noise noise noise noise noise\r\n".utf8)
                while running {
                    if line.withUnsafeBytes({ send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) < 0 {
                        break
                    }
                }
                close(client)
            }.start()
        }
    }

    /// Stops serving; safe to call twice (a second close could hit a descriptor number reused by
    /// another test, a database for instance).
    public func stop() {
        let first = stopped.withLock { () -> Bool in
            defer { isStopped = true }
            return !isStopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}

public struct FloodingServerError: Error {}
