/// What went wrong below the protocol: the byte stream itself.
///
/// Drivers and the CLI add the device and the fix; this type only says what happened to the bytes,
/// in words a technician can act on. It never carries a password.
public struct TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of failure a caller reacts to differently.
    public enum Kind: String, Sendable, Equatable {
        /// Nothing (or not enough) arrived before the deadline.
        case timedOut
        /// The peer closed the connection, or the line went dead (EOF, EIO, reset).
        case closed
        /// The TCP connection could not be made (refused, no route, DNS).
        case connectFailed
        /// The device refused the credentials.
        case authenticationFailed
        /// The SSH host key is not pinned.
        case hostKeyUnknown
        /// The SSH host key differs from the pinned one.
        case hostKeyMismatch
        /// The serial port is held by another process.
        case busy
        /// The local system refused (open, termios, socket options).
        case system
        /// The peer broke the transport protocol (SSH handshake, telnet framing).
        case protocolViolation
    }

    public let kind: Kind
    /// One sentence for a person, without secrets.
    public let detail: String

    public init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        self.detail = detail
    }

    public var description: String { detail }
}

#if canImport(Glibc)
    import Glibc

    /// The text of an errno value, for messages.
    func errnoText(_ code: Int32 = errno) -> String {
        String(cString: strerror(code))
    }
#endif
