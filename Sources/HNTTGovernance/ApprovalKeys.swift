import Crypto
import Foundation
import GRDB
import HNTTCore

/// The department's Ed25519 approval keys: made once by the department (`hntt authority init`),
/// the public half trusted by each gateway (`hntt trust add`). Only a trusted key can approve a
/// baseline (and, later, a change order).
public enum ApprovalKeys {
    public static let privateFileName = "approval-key.private"
    public static let publicFileName = "approval-key.public"

    /// Writes a new key pair into `directory` (private key 0600); returns the public key (base64).
    public static func createPair(in directory: String) throws -> String {
        let data = DataDirectory(path: directory)
        let privateFile = data.file(privateFileName)
        if FileManager.default.fileExists(atPath: privateFile) {
            throw HNTTError(
                .badInput, "\(privateFile) exists already; refusing to overwrite an approval key",
                fix: "choose another --out folder, or move the old key away first if it is really to be replaced")
        }
        let key = Curve25519.Signing.PrivateKey()
        let publicKey = key.publicKey.rawRepresentation.base64EncodedString()
        try data.writePrivate(
            Data((key.rawRepresentation.base64EncodedString() + "\n").utf8), to: privateFileName, mode: 0o600)
        try data.writePrivate(Data((publicKey + "\n").utf8), to: publicFileName, mode: 0o644)
        return publicKey
    }

    /// Reads a private key file (base64 of the raw 32 bytes).
    public static func loadPrivate(_ path: String) throws -> Curve25519.Signing.PrivateKey {
        guard let text = FileManager.default.contents(atPath: path).flatMap({ String(data: $0, encoding: .utf8) }),
            let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)),
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        else {
            throw HNTTError(
                .badInput, "\(path) is not an hntt approval private key",
                fix: "use the approval-key.private file made by `hntt authority init`")
        }
        return key
    }

    /// Reads a public key file, or a base64 key given directly.
    public static func loadPublic(_ pathOrKey: String) throws -> String {
        let text =
            FileManager.default.contents(atPath: pathOrKey).flatMap { String(data: $0, encoding: .utf8) } ?? pathOrKey
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let raw = Data(base64Encoded: trimmed), (try? Curve25519.Signing.PublicKey(rawRepresentation: raw)) != nil
        else {
            throw HNTTError(
                .badInput, "\(pathOrKey) is not an hntt approval public key",
                fix: "use the approval-key.public file made by `hntt authority init`")
        }
        return trimmed
    }
}

/// A key the gateway trusts.
public struct TrustedKey: Sendable, Equatable {
    public let name: String
    public let publicKey: String
    public let addedAt: String

    public init(name: String, publicKey: String, addedAt: String) {
        self.name = name
        self.publicKey = publicKey
        self.addedAt = addedAt
    }
}

/// The gateway's trust store of approval keys (in the database).
public struct TrustStore: Sendable {
    let database: GovernanceDatabase

    public init(database: GovernanceDatabase) { self.database = database }

    public func add(name: String, publicKey: String) async throws {
        guard !name.isEmpty, name.count <= 100 else {
            throw HNTTError(
                .badInput, "a trusted key needs a name", fix: "pass --name, e.g. --name \"So KHCN Thanh Hoa 2026\"")
        }
        do {
            try await database.writer.write { db in
                try db.execute(
                    sql: "INSERT INTO trusted_key (name, public_key, added_at) VALUES (?, ?, ?)",
                    arguments: [name, publicKey, timestamp()])
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw HNTTError(
                .badInput, "the trust store has this name or this key already",
                fix: "list it with `hntt trust list`; remove the old entry first to replace it")
        }
    }

    public func remove(name: String) async throws {
        let removed = try await database.writer.write { db -> Int in
            try db.execute(sql: "DELETE FROM trusted_key WHERE name = ?", arguments: [name])
            return db.changesCount
        }
        if removed == 0 { throw HNTTError(.badInput, "no trusted key named \"\(name)\"", fix: "see `hntt trust list`") }
    }

    public func list() async throws -> [TrustedKey] {
        try await database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM trusted_key ORDER BY name").map {
                TrustedKey(name: $0["name"], publicKey: $0["public_key"], addedAt: $0["added_at"])
            }
        }
    }

    /// The trusted key with this public key, if any.
    public func key(publicKey: String) async throws -> TrustedKey? {
        try await list().first { $0.publicKey == publicKey }
    }
}
