import Foundation
import GRDB
import HNTTCore
import HNTTTransport

/// Which change orders were used (an order works once) and which applied changes were
/// confirmed in time (`hntt change confirm`). A finished order is also appended to `used-orders`
/// beside the database (fsynced, never rewritten), so a lost or replaced database cannot make a
/// used order valid again.
public struct OrderLedger: Sendable {
    public static let fileName = "used-orders"
    let database: GovernanceDatabase

    public init(database: GovernanceDatabase) { self.database = database }

    var file: String { database.anchors.data.file(OrderLedger.fileName) }

    /// When the append-only file records `id` as used, or nil.
    func usedAccordingToFile(_ id: String) -> String? {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 2)
            if parts.count >= 2, parts[0] == id { return String(parts[1]) }
        }
        return nil
    }

    /// Reserves an order for one apply (released if the apply is undone); returns nil, or when it was used before.
    public func consume(id: String, reference: String) async throws -> String? {
        let ledger = self
        if let usedAt = try await onOwnThread({ ledger.usedAccordingToFile(id) }) { return usedAt }
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

    /// Gives an order back after its apply was undone on every device: it was not used.
    public func release(id: String) async throws {
        try await database.writer.write { db in
            try db.execute(sql: "DELETE FROM used_order WHERE id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM confirmation WHERE order_id = ?", arguments: [id])
        }
    }

    /// An order's change finished: it is used for good, in the append-only file too.
    public func recordUsed(id: String, reference: String) async throws {
        let data = database.anchors.data
        let line = "\(id) \(timestamp()) \(reference.replacingOccurrences(of: "\n", with: " "))\n"
        try await onOwnThread {
            try data.withExclusiveLock {
                let descriptor = open(data.file(OrderLedger.fileName), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
                guard descriptor >= 0 else {
                    throw HNTTError(
                        .badFile, "cannot record the used order in \(data.file(OrderLedger.fileName))",
                        fix: "check the data folder")
                }
                defer { close(descriptor) }
                let bytes = Array(line.utf8)
                guard write(descriptor, bytes, bytes.count) == bytes.count, fsync(descriptor) == 0 else {
                    throw HNTTError(
                        .badFile, "cannot record the used order: \(String(cString: strerror(errno)))",
                        fix: "free some space or check the data folder")
                }
            }
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
