import Foundation
import GRDB
import HNTTCore

/// What the gateway last saw of each device's standby state, for devices that cannot be asked
/// (Poly: sleep is reported only as an event, docs/protocols/poly-and-others.md §2.6a).
public struct DeviceStates: Sendable {
    let database: GovernanceDatabase

    public init(database: GovernanceDatabase) { self.database = database }

    /// Keeps `observation` unless a newer one is already stored.
    public func record(_ observation: StandbyObservation, device: String) async throws {
        let seenAt = timestamp(observation.seenAt)
        try await database.writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO device_state (device, standby, seen_at) VALUES (?, ?, ?)
                    ON CONFLICT(device) DO UPDATE SET standby = excluded.standby, seen_at = excluded.seen_at
                    WHERE excluded.seen_at >= device_state.seen_at
                    """, arguments: [device, observation.state.rawValue, seenAt])
        }
    }

    /// The last state seen, or nil when none was.
    public func lastStandby(device: String) async throws -> StandbyObservation? {
        try await database.writer.read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT standby, seen_at FROM device_state WHERE device = ?",
                    arguments: [device]),
                let state = StandbyState(rawValue: row["standby"]), let seen = parseTimestamp(row["seen_at"])
            else { return nil }
            return StandbyObservation(state: state, seenAt: seen)
        }
    }
}
