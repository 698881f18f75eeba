import Foundation
import GRDB
import Testing

@testable import HNTTCore
@testable import HNTTGovernance

@Suite("Audit log")
struct AuditLogTests {
    func filledLog() async throws -> (AuditLog, GovernanceDatabase) {
        let database = try GovernanceDatabase(
            data: DataDirectory(path: NSTemporaryDirectory() + "hntt-audit-\(UUID().uuidString)"))
        let log = AuditLog(database: database)
        for (index, action) in ["wake", "dial", "mute", "hangup", "sleep"].enumerated() {
            try await log.append(
                device: "ubnd-codec", action: action, outcome: index == 2 ? "failed" : "done",
                detail: "step \(index)", operatorName: "Lê Thị B", osUser: "ktv")
        }
        return (log, database)
    }

    @Test("entries are chained and an untouched log verifies")
    func intact() async throws {
        let (log, _) = try await filledLog()
        let entries = try await log.list()
        #expect(entries.map(\.action) == ["wake", "dial", "mute", "hangup", "sleep"])
        #expect(entries[0].previousHash == AuditLog.genesis)
        #expect(zip(entries.dropFirst(), entries).allSatisfy { $0.previousHash == $1.hash })
        #expect(entries[1].operatorName == "Lê Thị B" && entries[1].osUser == "ktv")
        await #expect(try log.verify() == nil)
    }

    @Test("an edited entry is named")
    func edited() async throws {
        let (log, database) = try await filledLog()
        try await database.writer.write { try $0.execute(sql: "UPDATE audit SET outcome = 'done' WHERE id = 3") }
        await #expect(try log.verify() == "entry 3 was edited after it was written")
    }

    @Test("a deleted entry is named")
    func deleted() async throws {
        let (log, database) = try await filledLog()
        try await database.writer.write { try $0.execute(sql: "DELETE FROM audit WHERE id = 2") }
        await #expect(try log.verify() == "entry 2 is missing (deleted)")
    }

    @Test("reordered entries are caught")
    func reordered() async throws {
        let (log, database) = try await filledLog()
        try await database.writer.write { db in
            try db.execute(sql: "UPDATE audit SET id = 100 WHERE id = 2")
            try db.execute(sql: "UPDATE audit SET id = 2 WHERE id = 3")
            try db.execute(sql: "UPDATE audit SET id = 3 WHERE id = 100")
        }
        await #expect(
            try log.verify() == "entry 2 does not follow entry 1 (entries were deleted, inserted or reordered)")
    }

    @Test("a forged entry with a recomputed hash still breaks the chain after it")
    func forged() async throws {
        let (log, database) = try await filledLog()
        let entry = try await #require(try log.list().first { $0.id == 2 })
        let forgedHash = AuditLog.hash(
            previous: entry.previousHash, at: entry.at, osUser: entry.osUser, operatorName: entry.operatorName,
            device: entry.device, action: "status", outcome: entry.outcome, detail: entry.detail)
        try await database.writer.write { db in
            try db.execute(sql: "UPDATE audit SET action = 'status', hash = ? WHERE id = 2", arguments: [forgedHash])
        }
        await #expect(
            try log.verify() == "entry 3 does not follow entry 2 (entries were deleted, inserted or reordered)")
    }
}
