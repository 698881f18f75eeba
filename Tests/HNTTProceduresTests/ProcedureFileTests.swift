import Foundation
import HNTTCore
import Testing

@testable import HNTTProcedures

let proceduresFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("procedures").path

func write(_ text: String) throws -> String {
    let path = NSTemporaryDirectory() + "procedure-\(UUID().uuidString).yaml"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

@Suite("Procedure files")
struct ProcedureFileTests {
    @Test("the four shipped procedures load", arguments: ["power-on", "test-call", "dial", "shutdown"])
    func shipped(name: String) throws {
        let procedure = try Procedure.load(path: "\(proceduresFolder)/\(name).yaml")
        #expect(procedure.id == name)
        #expect(!procedure.steps.isEmpty)
    }

    @Test("the shipped order: dial needs a tested room, shutdown hangs up first")
    func order() throws {
        let dial = try Procedure.load(path: "\(proceduresFolder)/dial.yaml")
        #expect(dial.session == .official && dial.requires == ["tested"] && dial.testWindowMinutes == 120)
        let shutdown = try Procedure.load(path: "\(proceduresFolder)/shutdown.yaml")
        #expect(shutdown.steps.first?.kind == .action(.hangup, .codec))
        let testCall = try Procedure.load(path: "\(proceduresFolder)/test-call.yaml")
        #expect(testCall.steps.contains { if case .check(.quality, _) = $0.kind { return true } else { return false } })
    }

    @Test(
        "mistakes are refused with the file, the line and the fix",
        arguments: [
            ("id: x\nsteps:\n  - {action: fly}\n", "unknown action \"fly\""),
            ("id: x\nsteps:\n  - {check: call-connected, timeout: soon}\n", "timeout must be a number"),
            ("id: x\nsteps:\n  - {action: wake, check: muted}\n", "exactly one of action, check, wait or confirm"),
            ("id: x\nsteps:\n  - {action: wake, on_failure: recover}\n", "needs `recover:` steps"),
            ("id: x\nsession: rehearsal\nsteps:\n  - {action: wake}\n", "session must be none, test or official"),
            ("id: x\nsteps:\n  - {action: wake, targte: cameras}\n", "did you mean \"target\""),
            // Hostile numbers: a range, never a crash.
            ("id: x\nsteps:\n  - {action: preset, preset: 1e20}\n", "preset must be a number from 0 to 255"),
            ("id: x\nsteps:\n  - {action: preset, preset: 2.5}\n", "preset must be a whole number"),
            ("id: x\nsteps:\n  - wait: .inf\n", "wait must be a number from 0 to 3600"),
            ("id: x\nsteps:\n  - wait: inf\n", "wait must be a number"),
            ("id: x\nsteps:\n  - wait: .nan\n", "wait must be a number"),
            ("id: x\nsteps:\n  - {check: quality, seconds: 1e300}\n", "seconds must be a number from 1 to 3600"),
            ("id: x\ntest_window_minutes: -5\nsteps:\n  - wait: 1\n", "test_window_minutes must be a number"),
        ])
    func invalid(text: String, expected: String) throws {
        let path = try write(text)
        let error = #expect(throws: HNTTError.self) { try Procedure.load(path: path) }
        #expect(((error?.message ?? "") + " " + (error?.fix ?? "")).contains(expected), "\(error?.message ?? "")")
        #expect(error?.message.contains(".yaml:") == true)
        #expect(error?.exitCode == 2)
    }
}
