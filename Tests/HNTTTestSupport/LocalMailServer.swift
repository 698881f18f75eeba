import Foundation

/// A real SMTP server on loopback for the alert tests: Python's aiosmtpd (`scripts/install-deps
/// --tests` installs it) keeping every message in a maildir.
public final class LocalMailServer: @unchecked Sendable {
    public let port: UInt16
    private let maildir: URL
    private let process: ChildProcess.Running

    public init() throws {
        maildir = FileManager.default.temporaryDirectory.appendingPathComponent("hntt-mail-\(UUID().uuidString)")
        port = try LocalMailServer.freePort()
        process = try ChildProcess.start(
            "/usr/bin/env",
            [
                "python3", "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(port)", "-c", "aiosmtpd.handlers.Mailbox",
                maildir.path,
            ])
        let end = Date() + 20
        while !LocalMailServer.accepts(port) {
            guard Date() < end else {
                throw ChildProcess.Failure(
                    description: "aiosmtpd did not listen on \(port); install it with scripts/install-deps --tests")
            }
            usleep(50_000)
        }
    }

    /// The messages received so far, as sent (headers and body).
    public func messages() -> [String] {
        let folder = maildir.appendingPathComponent("new")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().compactMap { try? String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8) }
    }

    /// The decoded text of each message's base64 body.
    public func texts() -> [String] {
        messages().compactMap { message in
            guard let split = message.range(of: "\n\n") ?? message.range(of: "\r\n\r\n") else { return nil }
            let body = message[split.upperBound...].filter { !$0.isWhitespace }
            return Data(base64Encoded: String(body)).map { String(decoding: $0, as: UTF8.self) }
        }
    }

    public func stop() {
        process.stop(with: SIGKILL)   // aiosmtpd ignores SIGTERM
        TestFiles.remove(maildir)
    }

    /// A TCP port that is free right now on 127.0.0.1.
    public static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else {
            throw ChildProcess.Failure(description: "no free port: \(String(cString: strerror(errno)))")
        }
        return UInt16(bigEndian: address.sin_port)
    }

    static func accepts(_ port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
