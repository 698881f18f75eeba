import Foundation
import HNTTCore
import Testing

@testable import HNTTGuard

/// The text and kind of an allowed verdict (the canonical command itself only the guard can make).
func text(_ verdict: CommandVerdict) -> String? {
    if case .allowed(let command) = verdict { return "\(command.isCommand) \(command.text)" }
    return nil
}

func allowed(_ text: String, _ isCommand: Bool) -> String { "\(isCommand) \(text)" }

@Suite("The guard's canonical commands")
struct CommandPolicyTests {
    @Test(
        "a configuration write is caught whatever its spelling",
        arguments: [
            "xConfiguration SIP DisplayName: \"x\"", "xconf SIP DisplayName: x", "XCONFIGURATION sip displayname: x",
            "xConfiguration SIP/DisplayName: x", "xConfiguration Network[1]/IPv4/Address: \"10.0.0.9\"",
            "xconfig //DisplayName: x",
        ])
    func disguisedWrites(command: String) {
        guard case .needsAuthorisation = CommandPolicy.cisco(command) else {
            Issue.record("\(command) was not refused: \(CommandPolicy.cisco(command))")
            return
        }
    }

    @Test(
        "privileged or unknown xCommands, other verbs and smuggled lines are refused",
        arguments: [
            "xCommand SystemUnit FactoryReset Confirm: Yes", "xcom systemu boot",
            "xCommand UserManagement User Add Username: \"x\"",
            "xCommand Macros Macro Save Name: \"m\"", "xtransaction", "systemtools network ping", "xc standby activate",
            "xStatus Standby\r\nxCommand SystemUnit Boot", "xCommand Dial Number: \"1\" | resultId=\"x\"",
        ])
    func refused(command: String) {
        if case .allowed = CommandPolicy.cisco(command) { Issue.record("\(command) was allowed") }
    }

    @Test("reads and allow-listed operations pass in their canonical form")
    func readsAndOperationsPass() {
        #expect(text(CommandPolicy.cisco("xstat standby")) == allowed("xStatus standby", false))
        #expect(
            text(CommandPolicy.cisco("xConfiguration //DisplayName")) == allowed("xConfiguration DisplayName", false))
        #expect(
            text(CommandPolicy.cisco("xconfiguration SIP/DisplayName"))
                == allowed("xConfiguration SIP DisplayName", false))
        #expect(text(CommandPolicy.cisco("xcom st deact")) == allowed("xCommand Standby Deactivate", true))
        #expect(
            text(CommandPolicy.cisco("xCommand Dial Number: \"84123456\" Protocol: Sip"))
                == allowed("xCommand Dial Number: \"84123456\" Protocol: Sip", true))
        #expect(
            text(CommandPolicy.cisco("xcommand audio micro mute")) == allowed("xCommand Audio Microphones Mute", true))
    }

    @Test("Poly: gets and room operations pass; settings, reboot and unknown commands do not")
    func poly() {
        if case .allowed = CommandPolicy.poly("systemsetting get sipaccountname") {
        } else {
            Issue.record("get refused")
        }
        if case .allowed = CommandPolicy.poly("autoanswer get") {} else { Issue.record("legacy get refused") }
        if case .allowed = CommandPolicy.poly("mute near on") {} else { Issue.record("mute refused") }
        if case .allowed = CommandPolicy.poly("callinfo all") {} else { Issue.record("callinfo refused") }
        for command in [
            "systemsetting sipaccountname x", "autoanswer yes", "reboot now", "resetsystem", "frobnicate",
            "mute near on\rreboot now",
        ] {
            if case .allowed = CommandPolicy.poly(command) { Issue.record("\(command) was allowed") }
        }
    }

    @Test("Poly operations pass only in their exact forms, never as prefixes")
    func polyExactForms() {
        for allowed in [
            "camera near 2", "preset near go 7", "mute near off", "dial manual 1920 \"84123456\" sip",
            "hangup video 41", "wake",
        ] {
            if case .allowed = CommandPolicy.poly(allowed) {} else { Issue.record("\(allowed) was refused") }
        }
        for refused in [
            "camera near 2 extra", "camera near tracking on", "camera near setposition 1 2 3", "preset near go 1 2",
            "mute near on now", "dial manual 1920 \"84\" sip extra", "hangup video x", "sleep mute on",
        ] {
            if case .allowed = CommandPolicy.poly(refused) { Issue.record("\(refused) was allowed") }
        }
    }

    @Test("an operation the device's profile does not list is refused, for Poly and Cisco alike")
    func profileOperations() {
        if case .allowed = CommandPolicy.poly("camera near 2", operations: ["status", "dial"]) {
            Issue.record("preset not listed")
        }
        if case .allowed = CommandPolicy.poly("dial manual 768 \"84\"", operations: ["dial"]) {
        } else {
            Issue.record("dial listed")
        }
        if case .allowed = CommandPolicy.cisco("xCommand Audio Volume Set Level: 50", operations: ["mute"]) {
            Issue.record("volume not listed")
        }
        if case .allowed = CommandPolicy.cisco("xcom audio microphones mute", operations: ["mute"]) {
        } else {
            Issue.record("mute listed")
        }
    }

    /// Every module's SPI imports, read from the import declarations of its sources.
    static func spiImporters() throws -> [String: Set<String>] {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
        let enumerator = try #require(FileManager.default.enumerator(atPath: sources.path))
        let declaration = try Regex(
            #"^\s*((?:@[A-Za-z_]+(?:\([^)]*\))?\s+)+)import\s+(?:[a-z]+\s+)?([A-Za-z_][A-Za-z0-9_.]*)"#)
        let spi = try Regex(#"@_spi\(\s*([A-Za-z_]+)\s*\)"#)
        var importers: [String: Set<String>] = [:]
        for case let path as String in enumerator where path.hasSuffix(".swift") {
            let module = String(path.split(separator: "/")[0])
            let text = try String(contentsOfFile: sources.appendingPathComponent(path).path, encoding: .utf8)
            for line in text.split(separator: "\n") {
                guard let match = line.wholeMatch(of: declaration), let attributes = match.output[1].substring else {
                    continue
                }
                for found in attributes.matches(of: spi) {
                    if let name = found.output[1].substring { importers[String(name), default: []].insert(module) }
                }
            }
        }
        return importers
    }

    @Test("only the guard can make an approved change: no other module imports the Guard SPI")
    func oneDoor() throws {
        #expect(try CommandPolicyTests.spiImporters()["Guard"] == ["HNTTGuard"])
    }

    @Test(
        "raw line APIs (send a line, read a reply) are for drivers only: the application and interfaces cannot reach them"
    )
    func rawLinesForDriversOnly() throws {
        let importers = try CommandPolicyTests.spiImporters()["Driver"] ?? []
        // HNTTAlerts speaks SMTP to the inventory's mail relay with the same deadline-bound stream.
        #expect(
            importers.isSubset(of: ["HNTTCore", "HNTTCisco", "HNTTPoly", "HNTTVISCA", "HNTTAlerts"]), "\(importers)")
        #expect(importers.isDisjoint(with: ["HNTTGateway", "HNTTDocuments", "hntt", "HNTTGuard", "HNTTProcedures"]))
        #expect(importers.contains("HNTTPoly"), "the scan reads import declarations")
    }
}
