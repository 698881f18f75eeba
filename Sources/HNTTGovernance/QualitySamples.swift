import Foundation
import GRDB

/// One sample of an official session's connection quality; a figure not measured is nil, never 0.
public struct QualitySample: Sendable, Equatable {
    public let at: Date
    public let lossPercent: Double?
    public let jitterMs: Double?
    public let rateKbps: Int?

    public init(at: Date, lossPercent: Double?, jitterMs: Double?, rateKbps: Int?) {
        self.at = at
        self.lossPercent = lossPercent
        self.jitterMs = jitterMs
        self.rateKbps = rateKbps
    }
}

/// The samples of each official session (table `quality_sample`), kept as they are taken so a
/// restart in the middle of a session loses none.
public struct QualitySamples: Sendable {
    let database: GovernanceDatabase

    public init(database: GovernanceDatabase) { self.database = database }

    public func add(_ sample: QualitySample, session entry: Int64) async throws {
        try await database.writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO quality_sample (session_entry, at, loss_percent, jitter_ms, rate_kbps)
                    VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [entry, timestamp(sample.at), sample.lossPercent, sample.jitterMs, sample.rateKbps])
        }
    }

    public func samples(session entry: Int64) async throws -> [QualitySample] {
        try await database.writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM quality_sample WHERE session_entry = ? ORDER BY id", arguments: [entry]
            ).map {
                QualitySample(
                    at: parseTimestamp($0["at"]) ?? .distantPast, lossPercent: $0["loss_percent"],
                    jitterMs: $0["jitter_ms"], rateKbps: $0["rate_kbps"])
            }
        }
    }
}
