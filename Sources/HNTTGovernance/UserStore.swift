import Foundation
import GRDB
import HNTTCore

/// One account of the service, as stored: the password only as a slow hash.
public struct StoredUser: Sendable, Equatable {
    public let name: String
    public let role: String
    public let unit: String?
    public let passwordHash: String
    public let createdAt: String
    public let changedAt: String
}

/// The service's accounts (table `users`).
public struct UserStore: Sendable {
    let database: GovernanceDatabase

    public init(database: GovernanceDatabase) { self.database = database }

    /// Adds an account; false when the name is taken.
    public func add(name: String, role: String, unit: String?, passwordHash: String) async throws -> Bool {
        let now = timestamp()
        return try await database.writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO users (name, role, unit, password_hash, created_at, changed_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(name) DO NOTHING
                    """, arguments: [name, role, unit, passwordHash, now, now])
            return db.changesCount == 1
        }
    }

    /// Removes an account; false when there was none.
    public func remove(name: String) async throws -> Bool {
        try await database.writer.write { db in
            try db.execute(sql: "DELETE FROM users WHERE name = ?", arguments: [name])
            return db.changesCount == 1
        }
    }

    /// Replaces an account's password hash; false when there is no such account.
    public func setPasswordHash(name: String, _ hash: String) async throws -> Bool {
        try await database.writer.write { db in
            try db.execute(
                sql: "UPDATE users SET password_hash = ?, changed_at = ? WHERE name = ?",
                arguments: [hash, timestamp(), name])
            return db.changesCount == 1
        }
    }

    public func user(_ name: String) async throws -> StoredUser? {
        try await database.writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM users WHERE name = ?", arguments: [name]).map(StoredUser.init)
        }
    }

    public func all() async throws -> [StoredUser] {
        try await database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM users ORDER BY name").map(StoredUser.init)
        }
    }
}

extension StoredUser {
    init(row: Row) {
        self.init(
            name: row["name"], role: row["role"], unit: row["unit"], passwordHash: row["password_hash"],
            createdAt: row["created_at"], changedAt: row["changed_at"])
    }
}
