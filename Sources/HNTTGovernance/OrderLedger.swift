import Foundation
import GRDB

/// Which change orders were used (an order works once) and which applied changes were
/// confirmed in time (`hntt change confirm`).
public struct OrderLedger: Sendable {
    let database: GovernanceDatabase

    public init(database: GovernanceDatabase) { self.database = database }

    /// Marks an order used; returns nil, or when it was used before.
    public func consume(id: String, reference: String) async throws -> String? {
        do {
            try await database.writer.write { db in
                try db.execute(
                    sql: "INSERT INTO used_order (id, reference, used_at) VALUES (?, ?, ?)",
                    arguments: [id, reference, timestamp()])
            }
            return nil
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            return try await database.writer.read {
                try String.fetchOne($0, sql: "SELECT used_at FROM used_order WHERE id = ?", arguments: [id])
            } ?? "?"
        }
    }

    /// Records that a person confirmed the change applied under `orderID`.
    public func confirm(orderID: String) async throws {
        try await database.writer.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO confirmation (order_id, confirmed_at) VALUES (?, ?)",
                arguments: [orderID, timestamp()])
        }
    }

    public func isConfirmed(orderID: String) async throws -> Bool {
        try await database.writer.read {
            try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM confirmation WHERE order_id = ?", arguments: [orderID]) ?? 0
        } > 0
    }
}
