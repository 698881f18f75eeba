import ArgumentParser
import Foundation
import HNTTCore
import HNTTDocuments
import HNTTGateway
import HNTTGovernance

struct BaselineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline", abstract: "Approved baselines signed by the department in charge.",
        subcommands: [
            BaselineDraftCommand.self, BaselineSignCommand.self, BaselineImportCommand.self,
            BaselineListCommand.self, BaselineShowCommand.self, BaselinePushCommand.self,
        ])
}

struct BaselineDraftCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "draft",
        abstract: "Write a baseline for review: each device's governed settings with their current values.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Device ids.") var devices: [String]
    @Option(help: "Take the values from this snapshot instead of reading the device.") var fromSnapshot: Int64?
    @Option(name: .shortAndLong, help: "The file to write.") var output: String

    func execute() async throws {
        let document = try await global.gateway.draftBaseline(devices, fromSnapshot: fromSnapshot)
        try Data(document.yaml().utf8).write(to: URL(fileURLWithPath: output))
        let counts = document.devices.map { "\($0.device) (\($0.settings.count) settings)" }.joined(separator: ", ")
        global.output.result(
            .object([("file", .string(output)), ("devices", .array(document.devices.map { .string($0.device) }))]),
            human:
                "draft written to \(output): \(counts)\nreview it, then: hntt baseline sign \(output) --key approval-key.private --by NAME --ref NUMBER"
        )
    }
}

struct BaselineSignCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign a reviewed baseline with the approval key (the signed document replaces the draft).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The baseline file.") var file: String
    @Option(help: "The approval private key file.") var key: String
    @Option(help: "Who signs (name and title).") var by: String
    @Option(help: "The approving document's number.") var ref: String

    func execute() async throws {
        try global.gateway.signBaseline(file: file, key: key, signer: by, reference: ref)
        global.output.result(
            .object([("file", .string(file)), ("signer", .string(by)), ("reference", .string(ref))]),
            human: "\(file) signed by \(by) under \(ref)")
    }
}

struct BaselineImportCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a signed baseline (refused with exit 3 if unsigned, unknown key or altered).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The signed baseline file.") var file: String

    func execute() async throws {
        let versions = try await global.gateway.importBaseline(file: file, by: global.caller)
        let imported: [JSONValue] = versions.map {
            .object([("device", .string($0.device)), ("version", .number($0.version))])
        }
        global.output.result(
            .object([("imported", .array(imported))]),
            human: versions.map { "\($0.device): baseline version \($0.version) in force" }.joined(separator: "\n"))
    }
}

struct BaselineListCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Baselines and their history.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "A device id (default: all).") var device: String?

    func execute() async throws {
        let history = try await global.gateway.baselineHistory(device: device)
        global.output.result(
            .object([("baselines", .array(history.map(\.summaryJSON)))]),
            human: history.isEmpty ? "no baselines imported" : history.map(\.line).joined(separator: "\n"))
    }
}

struct BaselineShowCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "The baseline in force for a device.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The device id.") var device: String

    func execute() async throws {
        let baseline = try await global.gateway.baselineInForce(device: device)
        global.output.result(baseline.json, human: baseline.text)
    }
}

struct DriftCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Compare live configuration with the approved baselines (every device when none is named).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Device ids (default: all).") var devices: [String] = []
    @Option(help: "How many devices to read at once.") var parallel = 32
    @Flag(help: "Put drifted keys back to their approved values (the signed baseline is the authorisation).")
    var remediate = false

    func execute() async throws {
        let gateway = global.gateway
        let inventory = try gateway.inventory()
        let targets = devices.isEmpty ? inventory.devices : try devices.map { try inventory.device($0) }
        let output = global.output
        let started = Date()
        let reports = try await gateway.drift(
            targets, parallel: parallel,
            progress: { done, total in
                if total > 10 && (done % 10 == 0 || done == total) {
                    output.note(
                        "drift: \(done)/\(total) devices checked (\(String(format: "%.1f", Date().timeIntervalSince(started))) s)"
                    )
                }
            })
        global.output.result(
            .object([("devices", .array(reports.map(\.json)))]),
            human: reports.flatMap { $0.lines(remediating: remediate) }.joined(separator: "\n"))
        if remediate {
            Interrupts.install()
            let outcomes = try await gateway.remediate(reports, by: global.caller)
            for note in outcomes.flatMap(\.notes) { output.note(note) }
            let remaining = outcomes.filter { !$0.settled }.count
            if let refused = outcomes.compactMap(\.error).first(where: { $0.exitCode == 3 }) {
                throw ExitCode(refused.exitCode)
            }
            if remaining == 0 && !reports.contains(where: { $0.status == .unreachable || $0.status == .error }) {
                return
            }
            if remaining > 0 { throw ExitCode(1) }
        }
        if reports.contains(where: { $0.status == .drift }) && !remediate { throw ExitCode(1) }
        if reports.contains(where: { $0.status == .unreachable }) { throw ExitCode(5) }
        if reports.contains(where: { $0.status == .error }) { throw ExitCode(4) }
    }
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "The hash-chained audit log.",
        subcommands: [AuditListCommand.self, AuditVerifyCommand.self])
}

struct AuditListCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "The newest audit entries.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this device.") var device: String?
    @Option(help: "How many entries.") var limit = 100

    func execute() async throws {
        let entries = try await global.gateway.auditEntries(device: device, limit: limit)
        global.output.result(
            .object([("entries", .array(entries.map(\.json)))]),
            human: entries.isEmpty ? "the audit log is empty" : entries.map(\.line).joined(separator: "\n"))
    }
}

struct AuditVerifyCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the audit log's hash chain; names the first edited, deleted or reordered entry (exit 1).")
    @OptionGroup var global: GlobalOptions

    func execute() async throws {
        let (problem, count) = try await global.gateway.verifyAudit()
        if let broken = problem {
            global.output.result(
                .object([("intact", .bool(false)), ("problem", .string(broken))]), human: "audit log BROKEN: \(broken)")
            throw ExitCode(1)
        }
        global.output.result(
            .object([("intact", .bool(true)), ("entries", .number(count))]),
            human: "audit log intact (\(count) entries)")
    }
}

struct BaselinePushCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Apply the approved baseline where the live configuration differs (same as `drift --remediate`).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Device ids (default: all).") var devices: [String] = []

    func execute() async throws {
        var drift = try DriftCommand.parse(devices + ["--remediate"])
        drift.global = global
        try await drift.execute()
    }
}
