import Crypto
import Foundation
import HNTTGateway

/// A logged-in user: the bearer token (or the cookie's value), its CSRF token and when it ends.
public struct Session: Sendable {
    public let token: String
    public let csrf: String
    public let account: UserAccount
    public let expiresAt: Date
}

/// The service's sessions, in memory: a restart logs everyone out, which a gateway can afford.
public actor Sessions {
    private var sessions: [String: Session] = [:]
    private let lifetime: TimeInterval

    public init(lifetime: TimeInterval = 8 * 3600) { self.lifetime = lifetime }

    public func open(for account: UserAccount) -> Session {
        purge()
        let session = Session(
            token: Sessions.randomToken(), csrf: Sessions.randomToken(), account: account,
            expiresAt: Date().addingTimeInterval(lifetime))
        sessions[Sessions.key(session.token)] = session
        return session
    }

    /// The session of `token`, if it has not expired.
    public func session(_ token: String) -> Session? {
        guard let session = sessions[Sessions.key(token)] else { return nil }
        guard session.expiresAt > Date() else {
            sessions[Sessions.key(token)] = nil
            return nil
        }
        return session
    }

    public func close(_ token: String) { sessions[Sessions.key(token)] = nil }

    /// Ends every session of a removed account or a changed password.
    public func closeAll(of name: String) { sessions = sessions.filter { $0.value.account.name != name } }

    private func purge() { sessions = sessions.filter { $0.value.expiresAt > Date() } }

    /// Kept by hash, so a memory dump holds no usable token.
    private static func key(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

/// Failed logins, per user name and per address: after `limit` failures within `window`, further
/// attempts are refused until the window has passed, even with the right password.
public actor LoginThrottle {
    private var failures: [String: [Date]] = [:]
    private let limit: Int
    private let window: TimeInterval

    public init(limit: Int = 5, window: TimeInterval = 300) {
        self.limit = limit
        self.window = window
    }

    /// Seconds to wait before the next attempt for this user or address; 0 when one may try.
    public func wait(user: String, address: String) -> Int {
        let now = Date()
        var longest: TimeInterval = 0
        for key in ["u:" + user.lowercased(), "a:" + address] {
            let recent = (failures[key] ?? []).filter { now.timeIntervalSince($0) < window }
            failures[key] = recent
            if recent.count >= limit, let oldest = recent.first {
                longest = max(longest, window - now.timeIntervalSince(oldest))
            }
        }
        return Int(longest.rounded(.up))
    }

    public func failed(user: String, address: String) {
        for key in ["u:" + user.lowercased(), "a:" + address] { failures[key, default: []].append(Date()) }
    }

    public func succeeded(user: String) { failures["u:" + user.lowercased()] = nil }
}
