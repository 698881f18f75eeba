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

/// One sample of a room's leg as the conference bridge measured it (what the province received).
public struct BridgeSample: Sendable, Equatable {
    public let at: Date
    public let bridge: String
    public let leg: String
    public let rxAudioLossPercent: Double?
    public let rxAudioJitterMs: Double?
    public let rxVideoLossPercent: Double?
    public let txAudioLossPercent: Double?
    public let roundTripMs: Double?

    public init(
        at: Date, bridge: String, leg: String, rxAudioLossPercent: Double?, rxAudioJitterMs: Double?,
        rxVideoLossPercent: Double?, txAudioLossPercent: Double?, roundTripMs: Double?
    ) {
        self.at = at
        self.bridge = bridge
        self.leg = leg
        self.rxAudioLossPercent = rxAudioLossPercent
        self.rxAudioJitterMs = rxAudioJitterMs
        self.rxVideoLossPercent = rxVideoLossPercent
        self.txAudioLossPercent = txAudioLossPercent
        self.roundTripMs = roundTripMs
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
        try await rows(of: "quality_sample", session: entry) {
            QualitySample(
                at: parseTimestamp($0["at"]) ?? .distantPast, lossPercent: $0["loss_percent"],
                jitterMs: $0["jitter_ms"], rateKbps: $0["rate_kbps"])
        }
    }

    public func add(_ sample: BridgeSample, session entry: Int64) async throws {
        try await database.writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO bridge_sample (session_entry, at, bridge, leg, rx_audio_loss_percent,
                        rx_audio_jitter_ms, rx_video_loss_percent, tx_audio_loss_percent, rtt_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    entry, timestamp(sample.at), sample.bridge, sample.leg, sample.rxAudioLossPercent,
                    sample.rxAudioJitterMs, sample.rxVideoLossPercent, sample.txAudioLossPercent, sample.roundTripMs,
                ])
        }
    }

    public func bridgeSamples(session entry: Int64) async throws -> [BridgeSample] {
        try await rows(of: "bridge_sample", session: entry) {
            BridgeSample(
                at: parseTimestamp($0["at"]) ?? .distantPast, bridge: $0["bridge"], leg: $0["leg"],
                rxAudioLossPercent: $0["rx_audio_loss_percent"], rxAudioJitterMs: $0["rx_audio_jitter_ms"],
                rxVideoLossPercent: $0["rx_video_loss_percent"], txAudioLossPercent: $0["tx_audio_loss_percent"],
                roundTripMs: $0["rtt_ms"])
        }
    }

    /// A session's rows of one sample table, in the order they were taken.
    private func rows<T: Sendable>(
        of table: String, session entry: Int64, _ record: @escaping @Sendable (Row) -> T
    ) async throws -> [T] {
        try await database.writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM \(table) WHERE session_entry = ? ORDER BY id", arguments: [entry]
            ).map(record)
        }
    }
}
