import Foundation
import HNTTCore
import HNTTGateway
import HNTTTransport
import PostgresNIO

/// The hub's accounts: the gateway service's model (``Role``, bcrypt, the same password rules) with the
/// province's roles only: viewers read, approvers also publish, admins also manage the accounts.
public struct HubAccounts: Sendable {
    let database: HubDatabase
    var logger: Logger { HubDatabase.logger }
    public static let roles: [Role] = [.viewer, .approver, .admin]

    public init(database: HubDatabase) { self.database = database }

    /// Adds an account, or replaces the role and password of one with this name.
    public func add(_ name: String, role: Role, password: SecretText) async throws {
        guard HubAccounts.roles.contains(role) else {
            throw HNTTError(
                .badInput, "the hub has no \(role.rawValue) accounts",
                fix: "use one of " + HubAccounts.roles.map(\.rawValue).joined(separator: ", ")
                    + " (technicians work on their gateway)")
        }
        try Gateway.checkUserName(name)
        let hash = try await Gateway.hash(password)
        try await HubDatabase.mapped {
            try await database.client.query(
                """
                INSERT INTO hub_account (name, role, password_hash) VALUES (\(name), \(role.rawValue), \(hash))
                ON CONFLICT (name) DO UPDATE SET role = EXCLUDED.role, password_hash = EXCLUDED.password_hash
                """, logger: logger)
        }
    }

    public func users() async throws -> [UserAccount] {
        try await HubDatabase.mapped {
            var found: [UserAccount] = []
            for try await (name, role) in try await database.client.query(
                "SELECT name, role FROM hub_account ORDER BY name", logger: logger
            ).decode((String, String).self) {
                found.append(UserAccount(name: name, role: Role(rawValue: role) ?? .viewer, unit: nil))
            }
            return found
        }
    }

    /// The account when the password is its own; the same work is done for an unknown name.
    public func authenticate(_ name: String, password: SecretText) async throws -> UserAccount? {
        let stored = try await HubDatabase.mapped {
            var found: (String, String)?
            for try await row in try await database.client.query(
                "SELECT role, password_hash FROM hub_account WHERE name = \(name)", logger: logger
            ).decode((String, String).self) {
                found = row
            }
            return found
        }
        guard try await Gateway.verify(password, hash: stored?.1), let (role, _) = stored,
            let role = Role(rawValue: role)
        else { return nil }
        return UserAccount(name: name, role: role, unit: nil)
    }
}
