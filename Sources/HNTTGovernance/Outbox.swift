import Crypto
import Foundation
import GRDB
import HNTTCore

/// One record for the province hub: its place in the gateway's outbox (gapless, the hub's
/// idempotency key), what it is, its body (canonical JSON, never a secret) and the hash that chains
/// it to the entry before.
public struct OutboxEntry: Codable, Sendable, Equatable {
    public let sequence: Int64
    public let kind: String
    public let body: String
    public let previousHash: String
    public let hash: String

    enum CodingKeys: String, CodingKey {
        case sequence, kind, body
        case previousHash = "previous_hash"
        case hash
    }

    public init(sequence: Int64, kind: String, body: String, previousHash: String, hash: String) {
        self.sequence = sequence
        self.kind = kind
        self.body = body
        self.previousHash = previousHash
        self.hash = hash
    }

    public static func link(previous: String, sequence: Int64, kind: String, body: String) -> String {
        HashChain.link(previous: previous, fields: [String(sequence), kind, body])
    }

    /// True when the hash is the one its fields give.
    public var isIntact: Bool {
        OutboxEntry.link(previous: previousHash, sequence: sequence, kind: kind, body: body) == hash
    }
}

/// What a gateway signs with its Ed25519 key for the hub: the bytes its signature covers.
public protocol GatewaySigned {
    var signedBytes: Data { get }
    var signature: String { get set }
}

extension GatewaySigned {
    public func signed(with key: Curve25519.Signing.PrivateKey) throws -> Self {
        var copy = self
        copy.signature = try key.signature(for: signedBytes).base64EncodedString()
        return copy
    }

    /// True when the signature is `publicKey`'s (base64, raw Ed25519) over ``signedBytes``.
    public func verify(publicKey: String) -> Bool {
        guard let raw = Data(base64Encoded: publicKey),
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw),
            let signature = Data(base64Encoded: signature)
        else { return false }
        return key.isValidSignature(signature, for: signedBytes)
    }
}

/// A run of outbox entries as the gateway sends it, signed with the gateway's Ed25519 key.
public struct Segment: Codable, Sendable, GatewaySigned {
    public let gateway: String
    public let entries: [OutboxEntry]
    /// Base64 Ed25519 signature over ``signedBytes``.
    public var signature: String

    public init(gateway: String, entries: [OutboxEntry], signature: String = "") {
        self.gateway = gateway
        self.entries = entries
        self.signature = signature
    }

    /// What the signature covers: the gateway and each entry's place, kind and hashes (the hash covers the body).
    public var signedBytes: Data {
        let lines = entries.map { "\($0.sequence)\u{1F}\($0.kind)\u{1F}\($0.previousHash)\u{1F}\($0.hash)" }
        return Data((["hntt-segment-v1", gateway] + lines).joined(separator: "\n").utf8)
    }
}

/// The hub this gateway joined (`hntt hub join`), and how far the hub has acknowledged the outbox.
public struct HubLink: Sendable, Equatable {
    public let url: String
    public let gateway: String
    public let publicKey: String
    public let joinedAt: String
    public let delivered: Int64
    public let pulled: Int64
    public let lastAttemptAt: String?
    public let lastError: String?
}

/// The gateway's outbox: everything the province needs, copied in order from the logbook, the audit log,
/// the drift results, the snapshots (summaries only) and the bookings, as hash-chained entries. Copying is
/// one transaction, so a crash loses nothing and copies nothing twice.
public struct Outbox: Sendable {
    let database: GovernanceDatabase

    public init(database: GovernanceDatabase) { self.database = database }

    static let sources = ["logbook", "audit", "drift_result", "snapshot", "booking"]

    /// Copies what was written since the last call into the outbox; returns the number of new entries.
    @discardableResult
    public func collect(limit: Int = 5000) async throws -> Int {
        try await database.writer.write { db in
            var cursors: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT source, last_id FROM outbox_cursor") {
                cursors[row["source"]] = row["last_id"]
            }
            var added = 0
            for source in Outbox.sources {
                let rows = try Row.fetchAll(
                    db, sql: "SELECT * FROM \(source) WHERE id > ? ORDER BY id LIMIT ?",
                    arguments: [cursors[source] ?? 0, limit])
                for row in rows {
                    try Outbox.append(db, kind: Outbox.kind(of: source), body: Outbox.body(source, row))
                    added += 1
                }
                if let last = rows.last {
                    try db.execute(
                        sql: "INSERT OR REPLACE INTO outbox_cursor (source, last_id) VALUES (?, ?)",
                        arguments: [source, last["id"] as Int64])
                }
            }
            // A booking cancelled after it was copied is copied again, with its new status.
            let cancelled = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM booking WHERE status = 'cancelled' AND id <= ? AND id NOT IN (
                      SELECT CAST(json_extract(body, '$.id') AS INTEGER) FROM outbox
                      WHERE kind = 'booking' AND json_extract(body, '$.status') = 'cancelled')
                    ORDER BY id
                    """, arguments: [cursors["booking"] ?? 0])
            for row in cancelled {
                try Outbox.append(db, kind: "booking", body: Outbox.body("booking", row))
                added += 1
            }
            return added
        }
    }

    static func kind(of source: String) -> String {
        switch source {
        case "drift_result": return "drift"
        default: return source
        }
    }

    static func append(_ db: Database, kind: String, body: String) throws {
        let last = try Row.fetchOne(db, sql: "SELECT sequence, hash FROM outbox ORDER BY sequence DESC LIMIT 1")
        let sequence = (last?["sequence"] as Int64? ?? 0) + 1
        let previous: String = last?["hash"] ?? HashChain.genesis
        let hash = OutboxEntry.link(previous: previous, sequence: sequence, kind: kind, body: body)
        try db.execute(
            sql: "INSERT INTO outbox (sequence, kind, body, previous_hash, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [sequence, kind, body, previous, hash, timestamp()])
    }

    /// The record as the hub receives it. Logbook and audit entries keep their exact stored fields and
    /// hashes, so the hub verifies their chains itself; drift results carry the changed keys, never values;
    /// snapshots only their summary.
    static func body(_ source: String, _ row: Row) throws -> String {
        var fields: [String: Any] = ["id": row["id"] as Int64]
        func copy(_ names: [String]) {
            for name in names {
                switch (row[name] as DatabaseValue).storage {
                case .null: fields[name] = NSNull()
                case .int64(let value): fields[name] = value
                case .double(let value): fields[name] = value
                case .string(let value): fields[name] = value
                case .blob(let value): fields[name] = value.base64EncodedString()
                }
            }
        }
        switch source {
        case "logbook": copy(["at", "room", "kind", "refers_to", "payload", "previous_hash", "hash"])
        case "audit":
            copy(["at", "os_user", "operator", "device", "action", "outcome", "detail", "previous_hash", "hash"])
        case "drift_result":
            copy(["device", "checked_at", "status", "baseline_version", "error"])
            let changes = (try? JSONSerialization.jsonObject(with: Data((row["changes"] as String? ?? "[]").utf8)))
            fields["keys"] = (changes as? [[String: Any]] ?? []).compactMap { $0["key"] as? String }
        case "snapshot":
            copy(["device", "taken_at", "software", "content_hash"])
            let settings = try? JSONSerialization.jsonObject(with: Data((row["settings"] as String? ?? "[]").utf8))
            fields["settings"] = (settings as? [Any])?.count ?? 0
        default:
            copy(["room", "starts_at", "ends_at", "organizer", "chair", "title", "status", "cancel_reason"])
        }
        let data = try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// Entries the hub has not acknowledged, oldest first.
    public func pending(after delivered: Int64, limit: Int) async throws -> [OutboxEntry] {
        try await database.writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM outbox WHERE sequence > ? ORDER BY sequence LIMIT ?",
                arguments: [delivered, limit]
            ).map {
                OutboxEntry(
                    sequence: $0["sequence"], kind: $0["kind"], body: $0["body"], previousHash: $0["previous_hash"],
                    hash: $0["hash"])
            }
        }
    }

    public func count() async throws -> Int64 {
        try await database.writer.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM outbox") ?? 0 }
    }

    // MARK: The hub link

    public func link() async throws -> HubLink? {
        try await database.writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM hub_link WHERE id = 1").map {
                HubLink(
                    url: $0["url"], gateway: $0["gateway"], publicKey: $0["public_key"], joinedAt: $0["joined_at"],
                    delivered: $0["delivered"], pulled: $0["pulled"], lastAttemptAt: $0["last_attempt_at"],
                    lastError: $0["last_error"])
            }
        }
    }

    public func join(url: String, gateway: String, publicKey: String) async throws {
        try await database.writer.write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO hub_link (id, url, gateway, public_key, joined_at, delivered)
                    VALUES (1, ?, ?, ?, ?, 0)
                    """, arguments: [url, gateway, publicKey, timestamp()])
        }
    }

    /// The last publication taken from the hub (applied or refused, both audited).
    public func pulled(_ id: Int64) async throws {
        try await database.writer.write { db in
            try db.execute(sql: "UPDATE hub_link SET pulled = MAX(pulled, ?) WHERE id = 1", arguments: [id])
        }
    }

    /// Records an attempt: the sequence the hub acknowledged, or the error.
    public func attempted(delivered: Int64?, error: String?) async throws {
        try await database.writer.write { db in
            try db.execute(
                sql: """
                    UPDATE hub_link SET delivered = MAX(delivered, COALESCE(?, delivered)), last_attempt_at = ?,
                    last_error = ? WHERE id = 1
                    """, arguments: [delivered, timestamp(), error])
        }
    }
}

/// The file `hntt hub enroll` writes and `hntt hub join` reads: where the hub is, who the gateway is at
/// the hub, and a one-time secret that proves it the first time.
public struct Enrolment: Codable, Sendable, Equatable {
    public let hub: String
    public let gateway: String
    public let secret: String

    public init(hub: String, gateway: String, secret: String) {
        self.hub = hub
        self.gateway = gateway
        self.secret = secret
    }
}

/// `POST /hub/v1/enrol`: the gateway registers its own public key with the enrolment's secret.
public struct JoinRequest: Codable, Sendable {
    public let gateway: String
    public let secret: String
    public let publicKey: String

    enum CodingKeys: String, CodingKey {
        case gateway, secret
        case publicKey = "public_key"
    }

    public init(gateway: String, secret: String, publicKey: String) {
        self.gateway = gateway
        self.secret = secret
        self.publicKey = publicKey
    }
}

/// The hub's answer to a segment.
public struct SegmentReceipt: Codable, Sendable {
    public let accepted: Int
    public let duplicates: Int
    /// The last sequence the hub holds for the gateway.
    public let lastSequence: Int64

    enum CodingKeys: String, CodingKey {
        case accepted, duplicates
        case lastSequence = "last_sequence"
    }

    public init(accepted: Int, duplicates: Int, lastSequence: Int64) {
        self.accepted = accepted
        self.duplicates = duplicates
        self.lastSequence = lastSequence
    }
}

/// `POST /hub/v1/publications`: the gateway asks for what the hub published for it after `after`,
/// signed with its key (the documents are the department's, but only their gateway reads them).
public struct PullRequest: Codable, Sendable, GatewaySigned {
    public let gateway: String
    public let after: Int64
    /// When it was asked (ISO 8601): the hub refuses a request older than 5 minutes.
    public let at: String
    public var signature: String

    public init(gateway: String, after: Int64, at: String, signature: String = "") {
        self.gateway = gateway
        self.after = after
        self.at = at
        self.signature = signature
    }

    public var signedBytes: Data { Data("hntt-pull-v1\n\(gateway)\n\(after)\n\(at)".utf8) }
}

/// A document the hub carries to one gateway: a signed baseline, verified there against its own trust store.
public struct Publication: Codable, Sendable, Equatable {
    public let id: Int64
    public let kind: String
    public let document: String

    public init(id: Int64, kind: String, document: String) {
        self.id = id
        self.kind = kind
        self.document = document
    }
}

/// The gateway's own Ed25519 key for the hub (`hub-key.private` in the data folder, mode 0600),
/// made when it joins: the hub knows a gateway by it.
public enum GatewayKey {
    public static let fileName = "hub-key.private"

    public static func loadOrCreate(_ data: DataDirectory) throws -> Curve25519.Signing.PrivateKey {
        let path = data.file(fileName)
        if FileManager.default.fileExists(atPath: path) { return try load(data) }
        try data.ensureExists()
        let key = Curve25519.Signing.PrivateKey()
        guard
            FileManager.default.createFile(
                atPath: path, contents: Data((key.rawRepresentation.base64EncodedString() + "\n").utf8),
                attributes: [.posixPermissions: 0o600])
        else {
            throw HNTTError(.badFile, "cannot write \(path)", fix: "check the data folder's permissions")
        }
        return key
    }

    public static func load(_ data: DataDirectory) throws -> Curve25519.Signing.PrivateKey {
        let path = data.file(fileName)
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)),
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        else {
            throw HNTTError(
                .badFile, "this gateway's hub key \(path) is missing or damaged",
                fix:
                    "join the hub again with a new enrolment file"
                    + " (`hntt hub enroll` on the hub, `hntt hub join FILE` here)"
            )
        }
        return key
    }
}
