import ArgumentParser
import Foundation
import HNTTCore
import HNTTDocuments
import HNTTGateway
import HNTTGovernance

struct ChangeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "change", abstract: "Signed change orders (Điều 3.3).",
        subcommands: [
            ChangeRequestCommand.self, ChangeSignCommand.self, ChangeApplyCommand.self, ChangeConfirmCommand.self,
            ChangeStatusCommand.self,
        ])
}

struct ChangeRequestCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "request",
        abstract: "Write a change order for the department in charge to review and sign.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The device id.") var device: String
    @Argument(help: "KEY=VALUE, e.g. \"SIP DisplayName=UBND Trieu Son\".") var settings: [String]
    @Option(help: "Why the change is needed.") var reason = ""
    @Option(name: .shortAndLong, help: "The file to write.") var output: String

    func execute() async throws {
        let order = try global.gateway.requestChange(device, settings: settings, reason: reason)
        try Data(order.yaml().utf8).write(to: URL(fileURLWithPath: output))
        global.output.result(
            .object([("file", .string(output)), ("order_id", .string(order.id))]),
            human: "change order \(order.id) written to \(output); the department in charge reviews and signs it")
    }
}

struct ChangeSignCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign", abstract: "Sign a change order with the approval key.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The change order file.") var file: String
    @Option(help: "The approval private key file.") var key: String
    @Option(help: "Who signs.") var by: String
    @Option(help: "The approving document's number.") var ref: String
    @Option(help: "Valid until (ISO 8601, e.g. 2026-12-31T17:00:00Z; default: 7 days).") var validUntil: String?

    func execute() async throws {
        let order = try global.gateway.signChangeOrder(
            file: file, key: key, signer: by, reference: ref, validUntil: validUntil)
        global.output.result(
            .object([("file", .string(file)), ("valid_until", .string(order.validUntil))]),
            human: "\(file) signed by \(by) under \(ref), valid until \(order.validUntil)")
    }
}

struct ChangeApplyCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Apply a signed change order: checked by the guard, applied key by key, undone on any failure.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The signed change order file.") var file: String
    @Option(
        help: "Undo the change unless `hntt change confirm` arrives within this many seconds (network, SSH settings).")
    var confirmWithin: Double?

    func execute() async throws {
        // A closed terminal (SIGHUP), SIGTERM or Ctrl-C undoes the change instead of leaving it half-done.
        Interrupts.install()
        if let confirmWithin, let order = try? ChangeOrder.load(path: file) {
            global.output.note(
                "applied changes must be confirmed within \(Int(confirmWithin)) s: run `hntt change confirm \(order.id)`"
            )
        }
        let outcome = try await global.gateway.applyOrder(file: file, confirmWithin: confirmWithin, by: global.caller)
        var lines: [String] = []
        for report in outcome.reports {
            let profile = try global.gateway.profile(of: try global.gateway.device(report.device))
            for change in report.applied {
                let secret = profile.isSecret(change.key)
                lines.append(
                    "\(report.device): \(change.key): \(secret ? "********" : report.previous[change.key] ?? "") → \(secret ? "********" : change.value)"
                )
            }
        }
        global.output.result(outcome.json, human: lines.joined(separator: "\n"))
    }
}

struct ChangeConfirmCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "confirm",
        abstract: "Confirm a change applied with --confirm-within (it is kept).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The change order's id.") var orderID: String

    func execute() async throws {
        try await global.gateway.confirmOrder(orderID, by: global.caller)
        global.output.result(.object([("confirmed", .string(orderID))]), human: "change order \(orderID) confirmed")
    }
}

struct ChangeStatusCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Changes not finished: being applied, waiting for confirmation, or left by a process that ended.")
    @OptionGroup var global: GlobalOptions

    func execute() async throws {
        let pending = try await global.gateway.pendingChanges()
        global.output.result(
            .object([("changes", .array(pending.map(\.json)))]),
            human: pending.isEmpty ? "no unfinished changes" : pending.map(\.line).joined(separator: "\n"))
    }
}

struct ConfigSetCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Change one setting, as a signed change order allows (exactly the signed value).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The device id.") var device: String
    @Argument(help: "The key, e.g. \"SIP DisplayName\".") var key: String
    @Argument(help: "The new value.") var value: String
    @Option(help: "The signed change order that allows it.") var authorization: String?

    func execute() async throws {
        Interrupts.install()
        let report = try await global.gateway.setConfiguration(
            device, key: key, value: value, authorization: authorization,
            by: global.caller)
        global.output.result(
            .object([("device", .string(device)), ("key", .string(key)), ("applied", .bool(true))]),
            human: "\(device): \(key) set (was \"\(report.previous[key] ?? "")\")")
    }
}

struct ExecCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract:
            "Run a raw diagnostic command, canonicalised and checked by the guard: reads and allow-listed operations only."
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The device id.") var device: String
    @Argument(parsing: .postTerminator, help: "The command, after `--`.") var command: [String]

    func execute() async throws {
        let result = try await global.gateway.exec(
            device, command: command.drop { $0 == "--" }.joined(separator: " "), by: global.caller)
        global.output.result(
            .object([
                ("device", .string(device)), ("command", .string(result.command)),
                ("lines", .array(result.lines.map { .string($0) })),
            ]),
            human: result.lines.joined(separator: "\n"))
    }
}
