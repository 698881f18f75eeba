import CLibSSH2
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// How an SSH connection decides whether the server's host key is the device's.
public enum HostKeyPolicy: Sendable, Equatable {
    /// Accept only this fingerprint (`SHA256:` + base64 without padding, as OpenSSH prints it).
    case pinned(String)
    /// No pin yet: refuse, reporting the key so a person can check it and pin it.
    case refuseUnknown
    /// Accept any key and report it: only for `hntt trust-host`, which shows it to a person.
    case discover
}

/// An interactive shell over SSH through libssh2, without a PTY (a PTY would echo input and turn
/// `\r\n` into `\r\r\n`), with stderr merged into the stream.
///
/// libssh2 runs non-blocking: when it would block, the actor parks on the ``IOReactor`` in the
/// directions libssh2 asks for, so no thread waits and every step honours its deadline. All
/// libssh2 handles stay inside this actor (libssh2 sessions must be used by one thread at a time).
public actor SSHTransport: ByteTransport {
    public nonisolated let host: String
    public nonisolated let port: UInt16
    public nonisolated var peerDescription: String { "ssh \(host):\(port)" }
    private let credentials: LoginCredentials?
    private let hostKeyPolicy: HostKeyPolicy

    private var fd: Int32 = -1
    private var session: OpaquePointer?
    private var channel: OpaquePointer?
    /// The fingerprint the server presented, once the handshake is done.
    public private(set) var presentedFingerprint: String?
    /// The algorithms negotiated, for diagnostics of old codecs.
    public private(set) var negotiatedMethods: String?

    /// `libssh2_init` is not thread-safe and must run once per process; a static let runs once.
    private static let libraryReady: Int32 = libssh2_init(0)

    public init(host: String, port: UInt16, credentials: LoginCredentials?, hostKeyPolicy: HostKeyPolicy) {
        self.host = host
        self.port = port
        self.credentials = credentials
        self.hostKeyPolicy = hostKeyPolicy
    }

    /// Connects only far enough to see the server's host key, and returns its fingerprint
    /// (for `hntt trust-host`, which shows it to a person before pinning).
    public static func probeHostKey(host: String, port: UInt16, deadline: Deadline) async throws -> String {
        let probe = SSHTransport(host: host, port: port, credentials: nil, hostKeyPolicy: .discover)
        return try await probe.handshakeOnly(deadline: deadline)
    }

    private func handshakeOnly(deadline: Deadline) async throws -> String {
        guard SSHTransport.libraryReady == 0 else { throw TransportError(.system, "libssh2 could not be initialised") }
        fd = try await TCPTransport.connect(host: host, port: port, deadline: deadline)
        do {
            try await handshake(deadline: deadline)
            try verifyHostKey()
        } catch {
            await close()
            throw error
        }
        guard let fingerprint = presentedFingerprint else {
            throw TransportError(.protocolViolation, "\(peerDescription) presented no host key")
        }
        await close()
        return fingerprint
    }

    public func open(deadline: Deadline) async throws {
        guard session == nil else { return }
        guard SSHTransport.libraryReady == 0 else {
            throw TransportError(.system, "libssh2 could not be initialised")
        }
        fd = try await TCPTransport.connect(host: host, port: port, deadline: deadline)
        do {
            try await handshake(deadline: deadline)
            try verifyHostKey()
            try await authenticate(deadline: deadline)
            try await openShell(deadline: deadline)
        } catch {
            await close()
            throw error
        }
    }

    private func handshake(deadline: Deadline) async throws {
        guard let session = hntt_session_init(nil) else {
            throw TransportError(.system, "libssh2 could not create a session")
        }
        self.session = session
        libssh2_session_set_blocking(session, 0)
        try await retry(deadline, "negotiating SSH with \(peerDescription)") {
            libssh2_session_handshake(session, $0)
        }
        let names = [LIBSSH2_METHOD_KEX, LIBSSH2_METHOD_HOSTKEY, LIBSSH2_METHOD_CRYPT_CS, LIBSSH2_METHOD_MAC_CS]
        negotiatedMethods = names.compactMap { method in
            libssh2_session_methods(session, method).map { String(cString: $0) }
        }.joined(separator: " | ")
    }

    private func verifyHostKey() throws {
        guard let session, let hash = libssh2_hostkey_hash(session, LIBSSH2_HOSTKEY_HASH_SHA256) else {
            throw TransportError(.protocolViolation, "\(peerDescription) presented no host key")
        }
        let digest = Data(bytes: hash, count: 32)
        let fingerprint = SSHTransport.fingerprintString(digest)
        presentedFingerprint = fingerprint
        switch hostKeyPolicy {
        case .discover:
            return
        case .refuseUnknown:
            throw TransportError(
                .hostKeyUnknown,
                "the SSH host key of \(peerDescription) is not pinned (it presents \(fingerprint))")
        case .pinned(let expected):
            guard SSHTransport.normalise(expected) == fingerprint else {
                throw TransportError(
                    .hostKeyMismatch,
                    "the SSH host key of \(peerDescription) has CHANGED: pinned \(SSHTransport.normalise(expected)), presented \(fingerprint)"
                )
            }
        }
    }

    /// `SHA256:` + base64 without padding, as `ssh-keygen -lf` prints it.
    public static func fingerprintString(_ digest: Data) -> String {
        "SHA256:" + digest.base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    /// Accepts a pin with or without the `SHA256:` prefix or base64 padding.
    public static func normalise(_ pin: String) -> String {
        var body = pin.trimmingCharacters(in: .whitespaces)
        if body.lowercased().hasPrefix("sha256:") { body = String(body.dropFirst(7)) }
        while body.hasSuffix("=") { body.removeLast() }
        return "SHA256:" + body
    }

    private func authenticate(deadline: Deadline) async throws {
        guard let session else { return }
        let username = credentials?.username ?? "admin"
        let userLength = UInt32(username.utf8.count)
        var methodList: String?
        while true {
            if let list = libssh2_userauth_list(session, username, userLength) {
                methodList = String(cString: list)
                break
            }
            if libssh2_userauth_authenticated(session) != 0 { return }   // "none" was accepted
            let code = libssh2_session_last_errno(session)
            guard code == LIBSSH2_ERROR_EAGAIN else {
                throw TransportError(
                    .protocolViolation, "\(peerDescription) did not list its login methods (\(lastError()))")
            }
            try await waitForSocket(deadline, "asking \(peerDescription) for its login methods")
        }
        let methods = Set((methodList ?? "").split(separator: ",").map(String.init))
        let password = credentials?.password ?? SecretText("")
        var tried: [String] = []
        if methods.contains("keyboard-interactive") {
            tried.append("keyboard-interactive")
            if try await keyboardInteractive(username: username, password: password, deadline: deadline) { return }
        }
        if methods.contains("password") {
            tried.append("password")
            let bytes = password.clearBytes
            let rc = try await retryCode(deadline, "logging in to \(peerDescription)") { _ in
                bytes.withUnsafeBufferPointer { buffer in
                    buffer.withMemoryRebound(to: CChar.self) { chars in
                        libssh2_userauth_password_ex(
                            session, username, userLength, chars.baseAddress,
                            UInt32(bytes.count), nil)
                    }
                }
            }
            if rc == 0 { return }
        }
        if tried.isEmpty {
            throw TransportError(
                .authenticationFailed,
                "\(peerDescription) offers only \(methodList ?? "no") login methods; hntt logs in with a password")
        }
        throw TransportError(
            .authenticationFailed,
            "\(peerDescription) refused the login of user \"\(username)\" (\(tried.joined(separator: ", ")))")
    }

    /// Answers every keyboard-interactive prompt with the password; true if accepted.
    private func keyboardInteractive(username: String, password: SecretText, deadline: Deadline) async throws -> Bool {
        guard let session else { return false }
        let bytes = password.clearBytes
        let clear = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
        let box = UnsafeMutablePointer<hntt_kbdint_secret>.allocate(capacity: 1)
        defer {
            memset(clear, 0, bytes.count + 1)
            clear.deallocate()
            box.deallocate()
            hntt_set_abstract(session, nil)
        }
        for (index, byte) in bytes.enumerated() { clear[index] = CChar(bitPattern: byte) }
        clear[bytes.count] = 0
        box.initialize(to: hntt_kbdint_secret(bytes: clear, length: UInt32(bytes.count)))
        hntt_set_abstract(session, box)
        let rc = try await retryCode(deadline, "logging in to \(peerDescription)") { _ in
            hntt_userauth_kbdint(session, username, UInt32(username.utf8.count))
        }
        return rc == 0
    }

    private func openShell(deadline: Deadline) async throws {
        guard let session else { return }
        while true {
            if let opened = hntt_channel_open_session(session) {
                channel = opened
                break
            }
            let code = libssh2_session_last_errno(session)
            guard code == LIBSSH2_ERROR_EAGAIN else {
                throw TransportError(
                    .protocolViolation, "\(peerDescription) refused a session channel (\(lastError()))")
            }
            try await waitForSocket(deadline, "opening a channel on \(peerDescription)")
        }
        guard let channel else { return }
        try await retry(deadline, "configuring the channel on \(peerDescription)") { _ in hntt_merge_stderr(channel) }
        try await retry(deadline, "starting the shell on \(peerDescription)") { _ in hntt_channel_shell(channel) }
    }

    public func write(_ bytes: [UInt8], deadline: Deadline) async throws {
        guard let channel else { throw TransportError(.closed, "\(peerDescription) is not connected") }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { chars in
                    libssh2_channel_write_ex(channel, 0, chars.baseAddress! + offset, bytes.count - offset)
                }
            }
            if n >= 0 {
                offset += n
                continue
            }
            if n == Int(LIBSSH2_ERROR_EAGAIN) {
                try await waitForSocket(deadline, "sending to \(peerDescription)")
                continue
            }
            throw TransportError(.closed, "\(peerDescription): the connection was lost while sending (\(lastError()))")
        }
    }

    public func read(deadline: Deadline) async throws -> [UInt8] {
        guard let channel else { throw TransportError(.closed, "\(peerDescription) is not connected") }
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            try Task.checkCancellation()
            let n = buffer.withUnsafeMutableBufferPointer { raw in
                raw.withMemoryRebound(to: CChar.self) { chars in
                    libssh2_channel_read_ex(channel, 0, chars.baseAddress, chars.count)
                }
            }
            if n > 0 { return Array(buffer[0..<n]) }
            if n == 0 || n == Int(LIBSSH2_ERROR_EAGAIN) {
                if libssh2_channel_eof(channel) != 0 {
                    throw TransportError(.closed, "\(peerDescription) closed the session")
                }
                try await waitForSocket(deadline, "waiting for \(peerDescription) to answer")
                continue
            }
            throw TransportError(.closed, "\(peerDescription): the connection was lost (\(lastError()))")
        }
    }

    /// Tears down within a second at most, then just drops the socket (libssh2 can hang on a
    /// peer that vanished: libssh2#395, #344).
    public func close() async {
        let deadline = Deadline.after(seconds: 1)
        if let channel {
            _ = try? await retry(deadline, "closing the channel") { _ in libssh2_channel_close(channel) }
            _ = libssh2_channel_free(channel)
        }
        channel = nil
        if let session {
            _ = try? await retry(deadline, "disconnecting") { _ in hntt_session_disconnect(session, "bye") }
            _ = libssh2_session_free(session)
        }
        session = nil
        if fd >= 0 {
            IOReactor.shared.forget(fd: fd)
            Glibc.close(fd)
        }
        fd = -1
    }

    // MARK: - Non-blocking plumbing

    /// Repeats `call` while it says EAGAIN; any other negative result throws.
    private func retry(_ deadline: Deadline, _ what: String, _ call: (Int32) -> Int32) async throws {
        let rc = try await retryCode(deadline, what, call)
        if rc < 0 { throw failure(rc, while: what) }
    }

    /// Repeats `call` while it says EAGAIN; returns its final code, except that socket and
    /// timeout failures throw.
    private func retryCode(_ deadline: Deadline, _ what: String, _ call: (Int32) -> Int32) async throws -> Int32 {
        while true {
            let rc = call(fd)
            if rc != LIBSSH2_ERROR_EAGAIN {
                if rc == LIBSSH2_ERROR_SOCKET_RECV || rc == LIBSSH2_ERROR_SOCKET_SEND
                    || rc == LIBSSH2_ERROR_SOCKET_DISCONNECT || rc == LIBSSH2_ERROR_SOCKET_TIMEOUT
                {
                    throw failure(rc, while: what)
                }
                return rc
            }
            try await waitForSocket(deadline, what)
        }
    }

    private func failure(_ rc: Int32, while what: String) -> TransportError {
        switch rc {
        // No banner is a peer that hung up before speaking SSH (a busy sshd, a codec at its session
        // limit): a dropped connection, which the device session tries once more.
        case LIBSSH2_ERROR_SOCKET_RECV, LIBSSH2_ERROR_SOCKET_SEND, LIBSSH2_ERROR_SOCKET_DISCONNECT,
            LIBSSH2_ERROR_BANNER_RECV:
            return TransportError(.closed, "\(peerDescription) dropped the connection while \(what)")
        case LIBSSH2_ERROR_KEX_FAILURE:
            return TransportError(
                .protocolViolation,
                "\(peerDescription): no common SSH algorithms while \(what) (\(lastError())); the device may need a legacy algorithm profile"
            )
        default:
            return TransportError(.protocolViolation, "\(peerDescription): SSH failed while \(what) (\(lastError()))")
        }
    }

    private func waitForSocket(_ deadline: Deadline, _ what: String) async throws {
        guard let session else { throw TransportError(.closed, "\(peerDescription) is not connected") }
        let directions = libssh2_session_block_directions(session)
        var interest: IOReactor.Interest = []
        if directions & LIBSSH2_SESSION_BLOCK_INBOUND != 0 { interest.insert(.readable) }
        if directions & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 { interest.insert(.writable) }
        if interest.isEmpty { interest = .readable }
        try await IOReactor.shared.wait(fd: fd, for: interest, deadline: deadline, what: what)
    }

    private func lastError() -> String {
        guard let session else { return "no session" }
        var message: UnsafeMutablePointer<CChar>?
        var length: Int32 = 0
        let code = libssh2_session_last_error(session, &message, &length, 0)
        let text = message.map { String(cString: $0) } ?? ""
        return "libssh2 \(code): \(text)"
    }
}
