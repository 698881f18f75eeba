import Crypto
import Foundation
import GRDB
import HNTTCore

/// One audited attempt.
public struct AuditEntry: Sendable, Equatable {
    public let id: Int64
    public let at: String
    /// The account that ran hntt, and the technician's own name (`--operator`).
    public let osUser: String
    public let operatorName: String
    public let device: String
    public let action: String
    /// `done`, `failed`, `allowed` or `refused`.
    public let outcome: String
    public let detail: String
    public let previousHash: String
    public let hash: String

    public init(
        id: Int64, at: String, osUser: String, operatorName: String, device: String, action: String,
        outcome: String, detail: String, previousHash: String, hash: String
    ) {
        self.id = id
        self.at = at
        self.osUser = osUser
        self.operatorName = operatorName
        self.device = device
        self.action = action
        self.outcome = outcome
        self.detail = detail
        self.previousHash = previousHash
        self.hash = hash
    }
}

/// An append-only, hash-chained record of every attempt to act on a device or on the gateway's
/// approvals: who (OS user and operator), what, when, with what outcome and why.
///
/// Each entry's hash covers its fields and the previous entry's hash, so an edited, deleted or
/// reordered entry breaks the chain at a place ``verify()`` names; the newest entry is also kept
/// outside the database (``ChainAnchors``), so deleting the newest entries is named too.
public struct AuditLog: Sendable {
    public static let genesis = HashChain.genesis
    let database: GovernanceDatabase

    public init(database: GovernanceDatabase) { self.database = database }

    /// Appends an entry; the chain is extended inside one write transaction, on the database's own queue.
    @discardableResult
    public func append(
        device: String, action: String, outcome: String, detail: String, operatorName: String?,
        osUser: String = AuditLog.currentUser, at date: Date = Date()
    ) async throws -> AuditEntry {
        let at = timestamp(date)
        let entry = try await database.writer.write { db in
            try AuditLog.insert(
                db, device: device, action: action, outcome: outcome, detail: detail,
                operatorName: operatorName ?? "", osUser: osUser, at: at)
        }
        try await database.anchor("audit", entry.id, entry.hash)
        return entry
    }

    private static func insert(
        _ db: Database, device: String, action: String, outcome: String, detail: String,
        operatorName: String, osUser: String, at: String
    ) throws -> AuditEntry {
        let previous =
            try String.fetchOne(db, sql: "SELECT hash FROM audit ORDER BY id DESC LIMIT 1") ?? AuditLog.genesis
        let hash = AuditLog.hash(
            previous: previous, at: at, osUser: osUser, operatorName: operatorName, device: device,
            action: action, outcome: outcome, detail: detail)
        try db.execute(
            sql: """
                INSERT INTO audit (at, os_user, operator, device, action, outcome, detail, previous_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [at, osUser, operatorName, device, action, outcome, detail, previous, hash])
        return AuditEntry(
            id: db.lastInsertedRowID, at: at, osUser: osUser, operatorName: operatorName, device: device,
            action: action, outcome: outcome, detail: detail, previousHash: previous, hash: hash)
    }

    public func list(device: String? = nil, limit: Int = 100) async throws -> [AuditEntry] {
        try await database.writer.read { db in
            let rows =
                device == nil
                ? try Row.fetchAll(
                    db, sql: "SELECT * FROM (SELECT * FROM audit ORDER BY id DESC LIMIT ?) ORDER BY id",
                    arguments: [limit])
                : try Row.fetchAll(
                    db,
                    sql: "SELECT * FROM (SELECT * FROM audit WHERE device = ? ORDER BY id DESC LIMIT ?) ORDER BY id",
                    arguments: [device, limit])
            return rows.map(AuditLog.decode)
        }
    }

    /// The first place the chain is broken, in words, or nil when it is whole.
    public func verify() async throws -> String? {
        let entries = try await database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit ORDER BY id").map(AuditLog.decode)
        }
        let links = entries.map {
            HashChain.Link(
                id: $0.id, previous: $0.previousHash, hash: $0.hash,
                fields: [$0.at, $0.osUser, $0.operatorName, $0.device, $0.action, $0.outcome, $0.detail])
        }
        return HashChain.firstBreak(links) ?? database.anchors.problem("audit", links: links)
    }

    static func hash(
        previous: String, at: String, osUser: String, operatorName: String, device: String, action: String,
        outcome: String, detail: String
    ) -> String {
        HashChain.link(previous: previous, fields: [at, osUser, operatorName, device, action, outcome, detail])
    }

    static func decode(_ row: Row) -> AuditEntry {
        AuditEntry(
            id: row["id"], at: row["at"], osUser: row["os_user"], operatorName: row["operator"], device: row["device"],
            action: row["action"], outcome: row["outcome"], detail: row["detail"], previousHash: row["previous_hash"],
            hash: row["hash"])
    }

    /// The account running this process.
    public static var currentUser: String {
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "uid \(geteuid())"
    }
}
