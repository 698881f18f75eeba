import Foundation
import GRDB
import HNTTCore

/// One logbook entry (sổ ghi biên bản, Điều 4): a session run, an incident, a technician's
/// signature, a correction, a fix written after the incident. Entries are never edited: a correction or a signature is a new
/// entry that refers to the old one. The book is hash-chained like the audit log.
public struct LogbookEntry: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case session, incident, signature, correction, fix
        /// The room left an official session (shutdown): the session's real end.
        case sessionEnd = "session-end"
        /// A scheduled job of a booking: its result, or that it was missed.
        case job
    }

    public let id: Int64
    public let at: String
    public let room: String
    public let kind: Kind
    public let refersTo: Int64?
    /// The entry's content: session type, organizer, chair site, operator, unit, times,
    /// quality, incident and fix, signer … (strings, as written).
    public let payload: [String: String]
    public let previousHash: String
    public let hash: String

    public init(
        id: Int64, at: String, room: String, kind: Kind, refersTo: Int64?, payload: [String: String],
        previousHash: String, hash: String
    ) {
        self.id = id
        self.at = at
        self.room = room
        self.kind = kind
        self.refersTo = refersTo
        self.payload = payload
        self.previousHash = previousHash
        self.hash = hash
    }
}

extension LogbookEntry {
    /// When a session ended: for an official session, the shutdown that closed it (a
    /// `session-end` entry), else the end of the procedure run that wrote it.
    public func sessionEndedAt(in entries: [LogbookEntry]) -> String? {
        entries.lazy.filter { $0.refersTo == id }.compactMap { $0.content(SessionEndContent.self)?.endedAt }.first
            ?? session?.endedAt
    }
}

/// The logbook of every room, in the database.
public struct Logbook: Sendable {
    let database: GovernanceDatabase

    public init(database: GovernanceDatabase) { self.database = database }

    @discardableResult
    public func append(
        room: String, kind: LogbookEntry.Kind, refersTo: Int64? = nil, payload: [String: String],
        at date: Date = Date()
    ) async throws -> LogbookEntry {
        let text = Logbook.encode(payload)
        let entry = try await database.writer.write { db in
            let previous =
                try String.fetchOne(db, sql: "SELECT hash FROM logbook ORDER BY id DESC LIMIT 1") ?? HashChain.genesis
            let at = timestamp(date)
            let hash = HashChain.link(
                previous: previous,
                fields: Logbook.fields(
                    at: at, room: room, kind: kind.rawValue,
                    refersTo: refersTo, payload: text))
            try db.execute(
                sql:
                    "INSERT INTO logbook (at, room, kind, refers_to, payload, previous_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [at, room, kind.rawValue, refersTo, text, previous, hash])
            return LogbookEntry(
                id: db.lastInsertedRowID, at: at, room: room, kind: kind, refersTo: refersTo, payload: payload,
                previousHash: previous, hash: hash)
        }
        try await database.anchor("logbook", entry.id, entry.hash)
        return entry
    }

    /// Entries of a room (or all), between two times (ISO 8601 prefixes compare as text).
    public func list(room: String? = nil, from: String? = nil, to: String? = nil) async throws -> [LogbookEntry] {
        try await database.writer.read { db in
            var sql = "SELECT * FROM logbook WHERE 1 = 1"
            var arguments: [any DatabaseValueConvertible] = []
            if let room {
                sql += " AND room = ?"
                arguments.append(room)
            }
            if let from {
                sql += " AND at >= ?"
                arguments.append(from)
            }
            if let to {
                sql += " AND at <= ?"
                arguments.append(to + "\u{FFFF}")
            }
            return try Row.fetchAll(db, sql: sql + " ORDER BY id", arguments: StatementArguments(arguments)).compactMap(
                Logbook.decode)
        }
    }

    public func entry(_ id: Int64) async throws -> LogbookEntry {
        guard
            let entry = try await database.writer.read({ db in
                try Row.fetchOne(db, sql: "SELECT * FROM logbook WHERE id = ?", arguments: [id]).flatMap(Logbook.decode)
            })
        else {
            throw HNTTError(.badInput, "there is no logbook entry \(id)", fix: "list them with `hntt log list`")
        }
        return entry
    }

    /// The first place the chain is broken, or nil.
    public func verify() async throws -> String? {
        let rows = try await database.writer.read { db in try Row.fetchAll(db, sql: "SELECT * FROM logbook ORDER BY id")
        }
        let links = rows.map { row in
            let refersTo: Int64? = row["refers_to"]
            return HashChain.Link(
                id: row["id"], previous: row["previous_hash"], hash: row["hash"],
                fields: Logbook.fields(
                    at: row["at"], room: row["room"], kind: row["kind"], refersTo: refersTo,
                    payload: row["payload"]))
        }
        return HashChain.firstBreak(links) ?? database.anchors.problem("logbook", links: links)
    }

    static func fields(at: String, room: String, kind: String, refersTo: Int64?, payload: String) -> [String] {
        [at, room, kind, refersTo.map(String.init) ?? "", payload]
    }

    static func encode(_ payload: [String: String]) -> String {
        let data =
            (try? JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func decode(_ row: Row) -> LogbookEntry? {
        guard let kind = LogbookEntry.Kind(rawValue: row["kind"]) else { return nil }
        let payload =
            (try? JSONSerialization.jsonObject(with: Data((row["payload"] as String).utf8)) as? [String: String]) ?? [:]
        return LogbookEntry(
            id: row["id"], at: row["at"], room: row["room"], kind: kind, refersTo: row["refers_to"], payload: payload,
            previousHash: row["previous_hash"], hash: row["hash"])
    }
}

/// Where a room stands in the day's procedure (Điều 3.2, 5.4).
public struct RoomState: Sendable, Equatable {
    public typealias Phase = RoomPhase

    public var phase: Phase
    public var poweredAt: String?
    public var testedAt: String?
}

/// Room states, persisted.
public struct RoomStates: Sendable {
    let database: GovernanceDatabase

    public init(database: GovernanceDatabase) { self.database = database }

    public func state(of room: String) async throws -> RoomState {
        try await database.writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM room_state WHERE room = ?", arguments: [room]).map(
                RoomStates.state)
                ?? RoomState(phase: .off, poweredAt: nil, testedAt: nil)
        }
    }

    /// Every room's stored state in one read (a room never run is off and absent here).
    public func all() async throws -> [String: RoomState] {
        try await database.writer.read { db in
            var states: [String: RoomState] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM room_state") {
                states[row["room"]] = RoomStates.state(row)
            }
            return states
        }
    }

    static func state(_ row: Row) -> RoomState {
        RoomState(
            phase: RoomState.Phase(rawValue: row["state"]) ?? .off, poweredAt: row["powered_at"],
            testedAt: row["tested_at"])
    }

    public func set(_ state: RoomState, of room: String) async throws {
        try await database.writer.write { db in
            try db.execute(
                sql:
                    "INSERT OR REPLACE INTO room_state (room, state, powered_at, tested_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [room, state.phase.rawValue, state.poweredAt, state.testedAt, timestamp()])
        }
    }
}
