import Foundation
import HNTTCore
import Testing

@Suite("The inventory's schedule: and alerts: (the contract's additions)")
struct InventoryScheduleTests {
    func load(_ text: String) throws -> Inventory {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "hntt-schedule-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("inventory.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return try Inventory.load(path: path, profiles: ProfileCatalog(directory: directory.path))
    }

    @Test("a room overrides the site's keys, wherever schedule: stands; durations are 90s, 15m, 2h")
    func schedules() throws {
        let inventory = try load(
            """
            site: "UBND xã"
            rooms:
              - id: a
                unit: "VP"
                schedule: {test_call_before: 45m, auto_dial: true}
              - id: b
                unit: "VP"
            schedule:
              power_on_before: 2h
              diagnostics_before: 90s
              drift_every: 6h
            alerts:
              webhook: "http://127.0.0.1:9099/hntt"
              email: {smtp: "127.0.0.1:2525", from: "hntt@xa.gov.vn", to: ["kythuat@xa.gov.vn"]}
            """)
        let a = try inventory.room("a").schedule
        let b = try inventory.room("b").schedule
        #expect(a.powerOnBefore == 7200 && a.testCallBefore == 2700 && a.autoDial && a.diagnosticsBefore == 90)
        #expect(b.powerOnBefore == 7200 && b.testCallBefore == 1800 && !b.autoDial)
        #expect(inventory.schedule.qualityEvery == 60, "keys not given keep their defaults")
        #expect(inventory.alerts.webhook?.absoluteString == "http://127.0.0.1:9099/hntt")
        #expect(inventory.alerts.smtpHost == "127.0.0.1" && inventory.alerts.smtpPort == 2525)
        #expect(inventory.alerts.to == ["kythuat@xa.gov.vn"])
    }

    @Test("a bad duration, an unknown key or a webhook that is not a URL names the file, the line and the fix")
    func refusals() throws {
        let cases: [(String, String)] = [
            ("schedule: {power_on_before: soon}", "power_on_before must be a duration"),
            ("schedule: {power_on_befor: 1h}", "did you mean \"power_on_before\""),
            ("schedule: {quality_every: 1s}", "quality_every must be a duration from 5 s"),
            ("schedule: {auto_dial: maybe}", "auto_dial must be true or false"),
            ("alerts: {webhook: \"ftp://x\"}", "is not an http(s) URL"),
            ("alerts: {email: {smtp: \"x:99999\", from: a, to: [b]}}", "is not HOST:PORT"),
        ]
        for (extra, expected) in cases {
            let error = #expect(throws: HNTTError.self) { try load("site: x\nrooms: []\n" + extra + "\n") }
            let said = (error?.message ?? "") + " " + (error?.fix ?? "")
            #expect(said.contains(expected), "\(extra): \(said)")
            #expect(error?.message.contains("inventory.yaml:3") == true, "\(extra): \(error?.message ?? "")")
            #expect(error?.exitCode == 2)
        }
    }
}
