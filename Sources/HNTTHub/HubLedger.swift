import Crypto
import Foundation
import HNTTCore
import HNTTGovernance
import PostgresNIO

/// A gateway as the hub knows it.
public struct GatewayRecord: Sendable, Equatable {
    public let id: String
    public let joined: Bool
    public let lastSequence: Int64
    public let lastSyncAt: Date?
    /// `logbook chain broken at entry 5 (…)`; nil while the chain is whole.
    public let chainProblem: String?
    public let logbookEntries: Int64
}

/// Why the hub refused a request; the service maps it to its HTTP status.
public enum HubRefusal: Error, Sendable, Equatable {
    /// Not enrolled, a used or wrong secret, a key that does not match (403).
    case notTrusted(String)
    /// A gap in the sequence: the hub needs earlier entries first (409).
    case gap(expected: Int64, got: Int64)
    /// The chain is broken; recorded and shown on the hub (422).
    case broken(String)
    /// Not a segment at all (400).
    case malformed(String)

    public var message: String {
        switch self {
        case .notTrusted(let why), .broken(let why), .malformed(let why): return why
        case .gap(let expected, let got): return "sequence \(got) came before \(expected): a gap; send from \(expected)"
        }
    }
}

/// The hub's records: enrolment, ingestion of the gateways' segments with every check, the status of
/// each gateway. Each operation is one transaction.
public struct HubLedger: Sendable {
    let database: HubDatabase
    var logger: Logger { HubDatabase.logger }

    public init(database: HubDatabase) { self.database = database }

    /// Enrols a gateway: a one-time secret for its enrolment file. Enrolling again replaces an unused secret.
    public func enrol(gateway: String, hubURL: String) async throws -> Enrolment {
        guard Inventory.isGatewayID(gateway) else {
            throw HNTTError(
                .badInput, "gateway id \"\(gateway)\" is not valid",
                fix: "use lower-case letters, digits and dashes, e.g. xa-trieu-son")
        }
        let secret = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let hash = HubLedger.hash(secret)
        try await HubDatabase.mapped {
            let rows = try await database.client.query(
                """
                INSERT INTO gateway (id, secret_hash) VALUES (\(gateway), \(hash))
                ON CONFLICT (id) DO UPDATE SET secret_hash = EXCLUDED.secret_hash WHERE gateway.public_key IS NULL
                RETURNING id
                """, logger: logger)
            var updated = false
            for try await _ in rows { updated = true }
            guard updated else {
                throw HNTTError(
                    .badInput, "gateway \(gateway) has already joined the hub",
                    fix: "to replace its key, remove it from the hub first; or enrol it under a new id")
            }
        }
        return Enrolment(hub: hubURL, gateway: gateway, secret: secret)
    }

    static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Registers the gateway's key with its one-time secret. The same key again is accepted (a retried join).
    public func join(_ request: JoinRequest) async throws {
        guard let raw = Data(base64Encoded: request.publicKey), raw.count == 32 else {
            throw HubRefusal.malformed("the public key is not a base64 Ed25519 key")
        }
        try await HubDatabase.mapped {
            try await database.client.withTransaction(logger: logger) { connection in
                let rows = try await connection.query(
                    "SELECT secret_hash, public_key FROM gateway WHERE id = \(request.gateway) FOR UPDATE",
                    logger: logger)
                var found: (String?, String?)?
                for try await row in rows.decode((String?, String?).self) { found = row }
                guard let (secretHash, publicKey) = found else {
                    throw HubRefusal.notTrusted("gateway \(request.gateway) is not enrolled at this hub")
                }
                if let publicKey {
                    guard publicKey == request.publicKey else {
                        throw HubRefusal.notTrusted("gateway \(request.gateway) has joined with another key")
                    }
                    return
                }
                guard let secretHash, secretHash == HubLedger.hash(request.secret) else {
                    throw HubRefusal.notTrusted("the enrolment secret for \(request.gateway) does not match")
                }
                try await connection.query(
                    """
                    UPDATE gateway SET public_key = \(request.publicKey), secret_hash = NULL, joined_at = now()
                    WHERE id = \(request.gateway)
                    """, logger: logger)
            }
        }
    }

    /// Takes a segment: signed by the gateway's key, following what the hub holds, every chain whole.
    /// Entries the hub already holds are counted as duplicates and stored once.
    public func ingest(_ segment: Segment) async throws -> SegmentReceipt {
        guard !segment.entries.isEmpty, segment.entries.count <= 5000 else {
            throw HubRefusal.malformed("a segment holds 1 to 5000 entries")
        }
        for (previous, next) in zip(segment.entries, segment.entries.dropFirst())
        where next.sequence != previous.sequence + 1 {
            throw HubRefusal.malformed("the segment's sequences are not consecutive at \(next.sequence)")
        }
        do {
            return try await HubDatabase.mapped {
                try await database.client.withTransaction(logger: logger) { connection in
                    try await ingest(segment, on: connection)
                }
            }
        } catch HubRefusal.broken(let problem) {
            try? await HubDatabase.mapped {
                try await database.client.query(
                    """
                    UPDATE gateway SET chain_problem = \(problem), chain_problem_at = now()
                    WHERE id = \(segment.gateway) AND chain_problem IS NULL
                    """, logger: logger)
            }
            throw HubRefusal.broken(problem)
        }
    }

    struct ChainState {
        var lastSequence: Int64
        var lastHash: String
        var logbookID: Int64
        var logbookHash: String
        var auditID: Int64
        var auditHash: String
    }

    private func ingest(_ segment: Segment, on connection: PostgresConnection) async throws -> SegmentReceipt {
        let rows = try await connection.query(
            """
            SELECT public_key, last_sequence, last_hash, logbook_last_id, logbook_last_hash, audit_last_id,
              audit_last_hash
            FROM gateway WHERE id = \(segment.gateway) FOR UPDATE
            """, logger: logger)
        var state: ChainState?
        var publicKey: String?
        for try await (key, sequence, hash, logbookID, logbookHash, auditID, auditHash) in rows.decode(
            (String?, Int64, String, Int64, String, Int64, String).self)
        {
            publicKey = key
            state = ChainState(
                lastSequence: sequence, lastHash: hash, logbookID: logbookID, logbookHash: logbookHash,
                auditID: auditID, auditHash: auditHash)
        }
        guard var state, let publicKey else {
            throw HubRefusal.notTrusted("gateway \(segment.gateway) has not joined this hub")
        }
        guard segment.verify(publicKey: publicKey) else {
            throw HubRefusal.notTrusted("the segment is not signed with the key gateway \(segment.gateway) joined with")
        }
        let first = segment.entries[0].sequence
        guard first <= state.lastSequence + 1 else {
            throw HubRefusal.gap(expected: state.lastSequence + 1, got: first)
        }
        var duplicates = 0
        var accepted = 0
        for entry in segment.entries {
            if entry.sequence <= state.lastSequence {
                let stored = try await connection.query(
                    "SELECT hash FROM outbox_entry WHERE gateway = \(segment.gateway) AND sequence = \(entry.sequence)",
                    logger: logger)
                var hash: String?
                for try await value in stored.decode(String.self) { hash = value }
                guard hash == entry.hash else {
                    throw HubRefusal.broken(
                        "chain broken at outbox entry \(entry.sequence) (it differs from the one received before)")
                }
                duplicates += 1
                continue
            }
            guard entry.previousHash == state.lastHash, entry.isIntact else {
                throw HubRefusal.broken("chain broken at outbox entry \(entry.sequence)")
            }
            try await store(entry, gateway: segment.gateway, state: &state, on: connection)
            state.lastSequence = entry.sequence
            state.lastHash = entry.hash
            accepted += 1
        }
        try await connection.query(
            """
            UPDATE gateway SET last_sequence = \(state.lastSequence), last_hash = \(state.lastHash),
              logbook_last_id = \(state.logbookID), logbook_last_hash = \(state.logbookHash),
              audit_last_id = \(state.auditID), audit_last_hash = \(state.auditHash), last_sync_at = now()
            WHERE id = \(segment.gateway)
            """, logger: logger)
        return SegmentReceipt(accepted: accepted, duplicates: duplicates, lastSequence: state.lastSequence)
    }

    /// Checks the record's own chain (logbook, audit) against what the hub holds, and stores it.
    private func store(
        _ entry: OutboxEntry, gateway: String, state: inout ChainState, on connection: PostgresConnection
    )
        async throws
    {
        guard let object = try? JSONSerialization.jsonObject(with: Data(entry.body.utf8)) as? [String: Any] else {
            throw HubRefusal.broken("chain broken at outbox entry \(entry.sequence) (its body is not JSON)")
        }
        let record = RecordFields(object)
        switch entry.kind {
        case "logbook":
            let fields = [
                record.text("at"), record.text("room"), record.text("kind"),
                record.number("refers_to").map(String.init) ?? "",
                record.text("payload"),
            ]
            try check(chain: "logbook", record, fields: fields, lastID: &state.logbookID, lastHash: &state.logbookHash)
            let payload = record.text("payload")
            try await connection.query(
                """
                INSERT INTO logbook_entry (gateway, id, at, room, kind, refers_to, payload, hash)
                VALUES (\(gateway), \(record.number("id") ?? 0), \(record.text("at")), \(record.text("room")),
                  \(record.text("kind")), \(record.number("refers_to")), \(payload)::jsonb, \(record.text("hash")))
                """, logger: logger)
        case "audit":
            let fields = ["at", "os_user", "operator", "device", "action", "outcome", "detail"].map(record.text)
            try check(chain: "audit", record, fields: fields, lastID: &state.auditID, lastHash: &state.auditHash)
            try await connection.query(
                """
                INSERT INTO audit_entry (gateway, id, at, device, action, outcome)
                VALUES (\(gateway), \(record.number("id") ?? 0), \(record.text("at")), \(record.text("device")),
                  \(record.text("action")), \(record.text("outcome")))
                """, logger: logger)
        case "drift":
            let keys = String(
                decoding: (try? JSONSerialization.data(withJSONObject: object["keys"] as? [String] ?? []))
                    ?? Data("[]".utf8),
                as: UTF8.self)
            try await connection.query(
                """
                INSERT INTO drift_result (gateway, id, device, checked_at, status, keys)
                VALUES (\(gateway), \(record.number("id") ?? 0), \(record.text("device")), \(record.text("checked_at")),
                  \(record.text("status")), \(keys)::jsonb)
                """, logger: logger)
            try await connection.query(
                """
                INSERT INTO device_drift (gateway, device, result_id, status, checked_at)
                VALUES (\(gateway), \(record.text("device")), \(record.number("id") ?? 0), \(record.text("status")),
                  \(record.text("checked_at")))
                ON CONFLICT (gateway, device) DO UPDATE
                SET result_id = EXCLUDED.result_id, status = EXCLUDED.status, checked_at = EXCLUDED.checked_at
                WHERE device_drift.result_id < EXCLUDED.result_id
                """, logger: logger)
        case "booking":
            try await connection.query(
                """
                INSERT INTO booking (gateway, id, room, starts_at, ends_at, organizer, status)
                VALUES (\(gateway), \(record.number("id") ?? 0), \(record.text("room")), \(record.text("starts_at")),
                  \(record.text("ends_at")), \(record.text("organizer")), \(record.text("status")))
                ON CONFLICT (gateway, id) DO UPDATE SET status = EXCLUDED.status
                """, logger: logger)
        default: break
        }
        try await connection.query(
            """
            INSERT INTO outbox_entry (gateway, sequence, kind, body, hash)
            VALUES (\(gateway), \(entry.sequence), \(entry.kind), \(entry.body), \(entry.hash))
            """, logger: logger)
    }

    /// A logbook or audit entry follows the last one the hub holds, and its hash is its fields'.
    private func check(
        chain: String, _ record: RecordFields, fields: [String], lastID: inout Int64, lastHash: inout String
    )
        throws
    {
        let id = record.number("id") ?? 0
        let previous = record.text("previous_hash")
        let hash = record.text("hash")
        if id != lastID + 1 {
            throw HubRefusal.broken(
                "\(chain) chain broken at entry \(lastID + 1) (entry \(lastID + 1)"
                    + "\(id > lastID + 2 ? "–\(id - 1)" : "") is missing)"
            )
        }
        if previous != lastHash {
            throw HubRefusal.broken("\(chain) chain broken at entry \(id) (it does not follow entry \(lastID))")
        }
        if HashChain.link(previous: previous, fields: fields) != hash {
            throw HubRefusal.broken("\(chain) chain broken at entry \(id) (it was changed after it was written)")
        }
        lastID = id
        lastHash = hash
    }

    /// What the hub carries to gateways.
    public enum PublicationKind: String, Sendable, CaseIterable {
        case baseline, order

        /// The kind of a signed document: a change order or a baseline, else why it is neither.
        public static func of(_ text: String) throws -> PublicationKind {
            if let order = try? ChangeOrder.load(text: text, name: "the change order") {
                guard order.signature != nil else {
                    throw HNTTError(
                        .badInput, "the change order is not signed",
                        fix: "the department signs it first (`hntt change sign`)")
                }
                return .order
            }
            let document = try BaselineDocument.load(text: text, name: "the baseline")
            guard document.signature != nil else {
                throw HNTTError(
                    .badInput, "the baseline is not signed",
                    fix: "the department signs it first (`hntt baseline sign`)")
            }
            return .baseline
        }
    }

    /// Publishes a signed baseline or change order for one gateway to pull. The hub only carries it: it checks
    /// that the document is signed, and the gateway verifies the signature against its own trust store.
    public func publish(_ text: String, for gateway: String) async throws -> Int64 {
        let kind = try PublicationKind.of(text)
        return try await HubDatabase.mapped {
            var known = false
            for try await _ in try await database.client.query(
                "SELECT 1 FROM gateway WHERE id = \(gateway)", logger: logger)
            {
                known = true
            }
            guard known else {
                throw HNTTError(.badInput, "no gateway \(gateway) at this hub", fix: "see `hntt hub status`")
            }
            var id: Int64 = 0
            for try await value in try await database.client.query(
                """
                INSERT INTO publication (gateway, kind, document) VALUES (\(gateway), \(kind.rawValue), \(text))
                RETURNING id
                """,
                logger: logger
            ).decode(Int64.self) {
                id = value
            }
            return id
        }
    }

    /// What was published for the gateway after `after`, for a request signed with its key in the last 5 minutes.
    public func publications(_ request: PullRequest, now: Date = Date()) async throws -> [Publication] {
        guard let at = ISO8601DateFormatter().date(from: request.at), abs(now.timeIntervalSince(at)) < 300 else {
            throw HubRefusal.notTrusted("the request's time is not within 5 minutes of the hub's")
        }
        return try await HubDatabase.mapped {
            var key: String?
            for try await value in try await database.client.query(
                "SELECT public_key FROM gateway WHERE id = \(request.gateway)", logger: logger
            ).decode(String?.self) {
                key = value
            }
            guard let key, request.verify(publicKey: key) else {
                throw HubRefusal.notTrusted(
                    "the request is not signed with the key gateway \(request.gateway) joined with")
            }
            var found: [Publication] = []
            for try await (id, kind, document) in try await database.client.query(
                """
                SELECT id, kind, document FROM publication WHERE gateway = \(request.gateway) AND id > \(request.after)
                ORDER BY id LIMIT 100
                """, logger: logger
            ).decode((Int64, String, String).self) {
                found.append(Publication(id: id, kind: kind, document: document))
            }
            return found
        }
    }

    /// Every gateway with its last sync and the state of its chains.
    public func gateways() async throws -> [GatewayRecord] {
        try await HubDatabase.mapped {
            let rows = try await database.client.query(
                """
                SELECT g.id, g.public_key IS NOT NULL, g.last_sequence, g.last_sync_at, g.chain_problem,
                  (SELECT count(*) FROM logbook_entry l WHERE l.gateway = g.id)
                FROM gateway g ORDER BY g.id
                """, logger: logger)
            var records: [GatewayRecord] = []
            for try await (id, joined, sequence, sync, problem, logbook) in rows.decode(
                (String, Bool, Int64, Date?, String?, Int64).self)
            {
                records.append(
                    GatewayRecord(
                        id: id, joined: joined, lastSequence: sequence, lastSyncAt: sync, chainProblem: problem,
                        logbookEntries: logbook))
            }
            return records
        }
    }
}

/// A record's fields by name, as the gateway wrote them (numbers as numbers, text as text).
struct RecordFields {
    let object: [String: Any]

    init(_ object: [String: Any]) { self.object = object }

    func text(_ name: String) -> String { object[name] as? String ?? "" }
    func number(_ name: String) -> Int64? { (object[name] as? NSNumber)?.int64Value }
}

extension Inventory {
    /// A gateway's id at the hub: like a room's.
    public static func isGatewayID(_ id: String) -> Bool { id.count <= 64 && isValidID(id) }
}
