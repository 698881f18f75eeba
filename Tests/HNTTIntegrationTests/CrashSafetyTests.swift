import Foundation
import HNTTSimulator
import HNTTTestSupport
import Testing

@testable import HNTTCore
@testable import HNTTGovernance

extension FleetRig {
    /// `hntt` started in the background (output discarded), to be killed or signalled.
    func start(_ arguments: [String]) throws -> ChildProcess.Running {
        var environment = ProcessInfo.processInfo.environment
        environment["HNTT_PROFILES"] = TestEnvironment.profilesDirectory
        environment.removeValue(forKey: "HNTT_MASTER_KEY")
        return try ChildProcess.start(
            TestEnvironment.hnttBinary, arguments + ["--inventory", inventoryPath, "--data", dataPath],
            environment: environment)
    }

    /// Signals a background `hntt` and reaps it, off the cooperative pool (waitpid blocks until it ends).
    @discardableResult
    func stop(_ running: ChildProcess.Running, with signal: Int32) async throws -> Int32 {
        try await TestEnvironment.offPool { running.stop(with: signal) }
    }

    /// How many of `settings` (KEY=VALUE) codec `index` holds now.
    func applied(_ settings: [String], on index: Int) -> Int {
        let snapshot = codecs[index].store.snapshot
        return settings.filter { pair in
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            return snapshot.setting(parts[0]) == parts[1]
        }.count
    }

    /// Polls (off the shared pool's time, 20 ms at a time) until `condition` holds or 20 s pass.
    func waitUntil(_ condition: () -> Bool) async throws {
        let giveUp = Date().addingTimeInterval(20)
        while !condition() {
            guard Date() < giveUp else { throw FixtureError("the condition did not come true within 20 s") }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    func auditActions() async throws -> [String] {
        let entries = try await json(["audit", "list"]).object["entries"] as? [[String: Any]] ?? []
        return entries.map { "\($0["action"] as? String ?? "") \($0["outcome"] as? String ?? "")" }
    }
}

let fiveKeys = [
    "SIP DisplayName=Killed", "SystemUnit Name=Killed-Unit", "Conference DefaultCall Rate=768",
    "Conference AutoAnswer Mode=On", "Macros Mode=On",
]

@Suite("The guard and the records under crashes, replays and a damaged database", .serialized)
struct CrashSafetyTests {
    @Test("kill -9 after each key of a five-key change: the next command puts every key back", arguments: 1...5)
    func killedMidChange(afterKeys keys: Int) async throws {
        let rig = try await FleetRig.start(count: 1)
        defer { rig.stop() }
        let before = rig.configuration(0)
        let order = try await rig.order("codec-1", fiveKeys)
        rig.codecs[0].store.update { $0.writeDelay = 0.3 }
        let apply = try rig.start(["change", "apply", order])
        try await rig.waitUntil { rig.applied(fiveKeys, on: 0) >= keys }
        #expect(try await rig.stop(apply, with: SIGKILL) == 128 + SIGKILL)
        rig.codecs[0].store.update { $0.writeDelay = 0 }
        #expect(rig.configuration(0) != before, "the kill left the codec half-changed")

        let pending = try await rig.json(["change", "status"])
        let changes = try #require(pending.object["changes"] as? [[String: Any]])
        #expect(changes.count == 1 && changes.first?["running"] as? Bool == false, "\(changes)")
        // Any command that touches the device finds the journal and restores the previous values first.
        let status = try await rig.run(["status", "codec-1"])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(rig.configuration(0) == before, "every key is back as it was")
        #expect(try await rig.auditActions().suffix(4).contains("change recover done"))
        #expect(try await rig.run(["audit", "verify"]).status == 0)
        #expect((try await rig.json(["change", "status"]).object["changes"] as? [Any])?.isEmpty == true)
        // The undone order was not used up: applied again, it goes through.
        let again = try await rig.run(["change", "apply", order])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(rig.applied(fiveKeys, on: 0) == 5)
    }

    @Test("SIGHUP inside a confirmation window rolls the change back before the process exits")
    func hangUpInsideTheWindow() async throws {
        let rig = try await FleetRig.start(count: 1)
        defer { rig.stop() }
        try await rig.approveBaseline(of: "codec-1")
        let before = rig.configuration(0)
        let change = ["Network 1 IPv4 Gateway=10.10.1.254"]
        let order = try await rig.order("codec-1", change)
        let apply = try rig.start(["change", "apply", order, "--confirm-within", "20"])
        try await rig.waitUntil { rig.applied(change, on: 0) == 1 }
        try await Task.sleep(nanoseconds: 300_000_000)   // inside the window now
        #expect(
            try await rig.stop(apply, with: SIGHUP) != 128 + SIGHUP, "the process handled SIGHUP instead of dying of it"
        )
        #expect(rig.configuration(0) == before)
        let actions = try await rig.auditActions()
        #expect(actions.last == "change apply failed", "\(actions)")
        let entries = try await rig.json(["audit", "list"]).object["entries"] as? [[String: Any]] ?? []
        #expect(
            (entries.last?["detail"] as? String)?.contains("interrupted by SIGHUP") == true, "\(entries.last ?? [:])")
        let baseline = try await rig.json(["baseline", "show", "codec-1"])
        #expect(baseline.object["version"] as? Int == 1, "no new baseline version")
        #expect(try await rig.run(["change", "apply", order]).status == 0, "the order was not used up")
    }

    @Test("kill -9 inside a confirmation window: undone by the next command once the window has passed")
    func killedInsideTheWindow() async throws {
        let rig = try await FleetRig.start(count: 1)
        defer { rig.stop() }
        let before = rig.configuration(0)
        let change = ["SIP DisplayName=Window"]
        let apply = try rig.start(["change", "apply", try await rig.order("codec-1", change), "--confirm-within", "2"])
        try await rig.waitUntil { rig.applied(change, on: 0) == 1 }
        try await Task.sleep(nanoseconds: 300_000_000)
        try await rig.stop(apply, with: SIGKILL)
        let pending = try await rig.json(["change", "status"])
        #expect((pending.object["changes"] as? [[String: Any]])?.first?["phase"] as? String == "awaiting-confirmation")
        try await Task.sleep(nanoseconds: 2_500_000_000)
        #expect(try await rig.run(["status", "codec-1"]).status == 0)
        #expect(rig.configuration(0) == before)
    }

    @Test("an order for two codecs where the second refuses: both as they were, the order not used up")
    func allOrNothingAcrossDevices() async throws {
        let rig = try await FleetRig.start(count: 2)
        defer { rig.stop() }
        let before = (rig.configuration(0), rig.configuration(1))
        let path = try await rig.order("codec-1", ["SIP DisplayName=Both"], sign: false)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try (text + "  - device: \"codec-2\"\n    changes:\n      \"SIP DisplayName\": \"Both\"\n").write(
            toFile: path, atomically: true, encoding: .utf8)
        #expect(
            try await rig.run(["change", "sign", path, "--key", rig.key, "--by", "A", "--ref", "9/QĐ"]).status == 0)
        rig.codecs[1].store.update { $0.refuseWrites = ["SIP DisplayName"] }
        let refused = try await rig.run(["change", "apply", path])
        #expect(refused.status == 4)
        #expect(refused.stderr.contains("codec-1") && refused.stderr.contains("were put back too"), "\(refused.stderr)")
        #expect(rig.configuration(0) == before.0 && rig.configuration(1) == before.1)
        rig.codecs[1].store.update { $0.refuseWrites = [] }
        #expect(try await rig.run(["change", "apply", path]).status == 0, "the order was not used up")
        #expect(rig.applied(["SIP DisplayName=Both"], on: 0) == 1 && rig.applied(["SIP DisplayName=Both"], on: 1) == 1)
    }

    @Test(
        "an older signed baseline is refused, the same one twice is a no-op, a used order stays used without its database"
    )
    func noDowngradeNoReplay() async throws {
        let rig = try await FleetRig.start(count: 1)
        defer { rig.stop() }
        let old = rig.directory.appendingPathComponent("old.yaml").path
        for step in [
            ["baseline", "draft", "codec-1", "-o", old],
            ["baseline", "sign", old, "--key", rig.key, "--by", "A", "--ref", "1"],
            ["baseline", "import", old],
        ] {
            #expect(try await rig.run(step).status == 0)
        }
        let twice = try await rig.json(["baseline", "import", old])
        #expect(twice.status == 0)
        #expect(try await rig.json(["baseline", "show", "codec-1"]).object["version"] as? Int == 1, "no new version")
        try await Task.sleep(nanoseconds: 1_100_000_000)   // the order is signed a second later
        let order = try await rig.order("codec-1", ["SIP DisplayName=Approved"])
        #expect(try await rig.run(["change", "apply", order]).status == 0)
        let downgrade = try await rig.run(["baseline", "import", old])
        #expect(
            downgrade.status == 3 && downgrade.stderr.contains("would undo approved changes"), "\(downgrade.stderr)")
        #expect(try await rig.json(["baseline", "show", "codec-1"]).object["version"] as? Int == 2)

        // The database is lost (and its chain heads with it); the key is trusted again: the order stays used.
        for name in ["hntt.sqlite", "hntt.sqlite-wal", "hntt.sqlite-shm", "chain-heads"] {
            try? FileManager.default.removeItem(atPath: rig.dataPath + "/" + name)
        }
        #expect(
            try await rig.run(["trust", "add", rig.authorityPath + "/approval-key.public", "--name", "so"]).status == 0)
        let replay = try await rig.run(["change", "apply", order])
        #expect(replay.status == 3 && replay.stderr.contains("already used"), "\(replay.stderr)")
    }

    @Test("a damaged or emptied database stops every action before the device is touched")
    func damagedDatabase() async throws {
        let rig = try await FleetRig.start(count: 1)
        defer { rig.stop() }
        #expect(try await rig.run(["wake", "codec-1"]).status == 0)
        #expect(try await rig.run(["sleep", "codec-1"]).status == 0)
        let database = rig.dataPath + "/hntt.sqlite"
        for name in ["hntt.sqlite-wal", "hntt.sqlite-shm"] {
            try? FileManager.default.removeItem(atPath: rig.dataPath + "/" + name)
        }
        let handle = try #require(FileHandle(forWritingAtPath: database))
        try handle.write(contentsOf: Data(repeating: 0x5A, count: 4096))
        try handle.close()
        let damaged = try await rig.run(["wake", "codec-1"])
        #expect(damaged.status == 2 && damaged.stderr.contains("nothing was done"), "\(damaged.stderr)")
        #expect(rig.codecs[0].store.snapshot.standby == "Standby", "the codec was not woken")

        try Data().write(to: URL(fileURLWithPath: database))
        let emptied = try await rig.run(["mute", "codec-1", "on"])
        #expect(emptied.status == 2 && emptied.stderr.contains("is empty"), "\(emptied.stderr)")
        #expect(!rig.codecs[0].store.snapshot.micMuted)
        #expect(try Data(contentsOf: URL(fileURLWithPath: database)).isEmpty, "never silently recreated")
    }

    @Test("deleting the newest audit or logbook entries, or emptying a table, is named")
    func truncatedChains() async throws {
        let rig = try await FleetRig.start(count: 1)
        defer { rig.stop() }
        #expect(try await rig.run(["wake", "codec-1"]).status == 0)
        #expect(try await rig.run(["log", "add-incident", "fleet", "--what", "Mất tiếng"]).status == 0)
        #expect(try await rig.run(["log", "add-incident", "fleet", "--what", "Mất hình"]).status == 0)
        let database = try GovernanceDatabase(data: DataDirectory(path: rig.dataPath))
        let newest = try await database.writer.read { try Int64.fetchOne($0, sql: "SELECT MAX(id) FROM audit") ?? 0 }
        try await database.writer.write {
            try $0.execute(sql: "DELETE FROM audit WHERE id >= ?", arguments: [newest - 1])
        }
        let audit = try await rig.run(["audit", "verify"])
        #expect(audit.status == 1 && audit.stdout.contains("missing (deleted)"), "\(audit.stdout)")
        try await database.writer.write { try $0.execute(sql: "DELETE FROM logbook WHERE id = 2") }
        let logbook = try await rig.run(["log", "verify"])
        #expect(logbook.status == 1 && logbook.stdout.contains("entry 2 is missing"), "\(logbook.stdout)")
        try await database.writer.write { try $0.execute(sql: "DELETE FROM logbook") }
        let emptied = try await rig.run(["log", "verify"])
        #expect(emptied.status == 1 && emptied.stdout.contains("the table is empty"), "\(emptied.stdout)")
    }
}
