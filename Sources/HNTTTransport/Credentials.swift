/// A password that cannot leak by accident: printing, interpolating or dumping it shows stars.
///
/// Điều 3.1 keeps accounts secret. The clear text is reachable only through ``withClearText(_:)``,
/// so every place that needs it is easy to find in a review.
public struct SecretText: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    private let clear: [UInt8]

    public init(_ clear: String) { self.clear = Array(clear.utf8) }

    /// Gives the clear text to `body`; never store it.
    public func withClearText<T>(_ body: (String) throws -> T) rethrows -> T {
        try body(String(decoding: clear, as: UTF8.self))
    }

    /// The clear bytes, for wire protocols.
    public var clearBytes: [UInt8] { clear }

    public var isEmpty: Bool { clear.isEmpty }
    public var description: String { "********" }
    public var debugDescription: String { "********" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}

/// A username and password for a device login.
public struct LoginCredentials: Sendable, Equatable, CustomStringConvertible {
    public let username: String
    public let password: SecretText

    public init(username: String, password: SecretText) {
        self.username = username
        self.password = password
    }

    public var description: String { "\(username) / ********" }
}
