import ArgumentParser
import Foundation
import HNTTCore
import HNTTGateway
import HNTTDocuments
import HNTTGovernance
import HNTTGuard

struct ChangeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "change", abstract: "Signed change orders (Điều 3.3).",
        subcommands: [ChangeRequestCommand.self, ChangeSignCommand.self, ChangeApplyCommand.self, ChangeConfirmCommand.self])
}

struct ChangeRequestCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "request",
        abstract: "Write a change order for the Sở TT&TT to review and sign.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The device id.") var device: String
    @Argument(help: "KEY=VALUE, e.g. \"SIP DisplayName=UBND Trieu Son\".") var settings: [String]
    @Option(help: "Why the change is needed.") var reason = ""
    @Option(name: .shortAndLong, help: "The file to write.") var output: String

    func execute() async throws {
        _ = try global.context().inventory().device(device)
        let changes = try settings.map { pair -> (key: String, value: String) in
            guard let equals = pair.firstIndex(of: "=") else {
                throw HNTTError(.badInput, "\"\(pair)\" is not KEY=VALUE", fix: "write e.g. \"SIP DisplayName=New name\"")
            }
            let value = String(pair[pair.index(after: equals)...])
            try SafeValue.check(value, field: "the value of \(pair[..<equals])")
            return (String(pair[..<equals]), value)
        }
        guard !changes.isEmpty else { throw HNTTError(.badInput, "name at least one KEY=VALUE", fix: "see `hntt change request --help`") }
        let order = ChangeOrder(reason: reason, devices: [.init(device: device, changes: changes)])
        try Data(order.yaml().utf8).write(to: URL(fileURLWithPath: output))
        global.output.result(.object([("file", .string(output)), ("order_id", .string(order.id))]),
                             human: "change order \(order.id) written to \(output); the Sở TT&TT reviews and signs it")
    }
}

struct ChangeSignCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "sign", abstract: "Sign a change order with the approval key.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The change order file.") var file: String
    @Option(help: "The approval private key file.") var key: String
    @Option(help: "Who signs.") var by: String
    @Option(help: "The approving document's number.") var ref: String
    @Option(help: "Valid until (ISO 8601, e.g. 2026-12-31T17:00:00Z; default: 7 days).") var validUntil: String?

    func execute() async throws {
        var order = try ChangeOrder.load(path: file)
        var until: Date?
        if let validUntil {
            guard let date = parseTimestamp(validUntil) else {
                throw HNTTError(.badInput, "--valid-until \"\(validUntil)\" is not an ISO 8601 time", fix: "write e.g. 2026-12-31T17:00:00Z")
            }
            until = date
        }
        try order.sign(with: try ApprovalKeys.loadPrivate(key), signer: by, reference: ref, validUntil: until)
        try Data(order.yaml().utf8).write(to: URL(fileURLWithPath: file))
        global.output.result(.object([("file", .string(file)), ("valid_until", .string(order.validUntil))]),
                             human: "\(file) signed by \(by) under \(ref), valid until \(order.validUntil)")
    }
}

/// Applies approved changes to one device safely, records the new baseline version.
struct GuardedApply {
    let context: CommandContext
    let output: Output

    func apply(_ changes: [ApprovedChange], order: ChangeOrder?, confirmWithin: Double?) async throws -> ApplyReport {
        guard let deviceID = changes.first?.device else { throw HNTTError(.badInput, "nothing to apply", fix: "") }
        let device = try context.inventory().device(deviceID)
        let driver = try context.driver(for: device)
        guard let codec = driver as? any ConfigurableCodec else {
            throw HNTTError(.badInput, "\(deviceID) has no configuration hntt can change", device: deviceID, fix: "change codecs only")
        }
        let database = try context.database()
        let ledger = OrderLedger(database: database)
        let orderID = order?.id
        if let confirmWithin, let orderID {
            output.note("applied changes must be confirmed within \(Int(confirmWithin)) s: run `hntt change confirm \(orderID)`")
        }
        let profile = try context.profiles.load(device.profileID)
        let normaliser = try SnapshotNormaliser(secrets: context.secrets)
        let snapshots = SnapshotStore(database: database)
        let report = try await context.withDriver(codec, device: deviceID) {
            try await SafeApplier(authorizer: Authorizer(database: database)).apply(
                changes, on: codec, confirmWithin: confirmWithin,
                recordBefore: { before in
                    // The state before the change, kept: what a rollback restores, and evidence.
                    _ = try snapshots.record(device: deviceID, software: "before \(changes[0].authority)",
                                             settings: normaliser.normalise(before, profile: profile))
                },
                confirmed: {
                    guard let orderID else { return false }
                    return (try? ledger.isConfirmed(orderID: orderID)) ?? false
                })
        }
        // The approved state moves with the change: the next baseline version, the order as provenance.
        if let order, let signature = order.signature {
            let changed = report.applied.map { (key: $0.key, value: profile.isSecret($0.key) ? normaliser.protect($0.value) : $0.value) }
            try BaselineStore(database: database).supersede(device: deviceID, changed: changed, signer: signature.signer,
                                                            reference: signature.reference, signedAt: signature.signedAt,
                                                            document: order.yaml())
        }
        return report
    }
}

struct ChangeApplyCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "apply",
        abstract: "Apply a signed change order: checked by the guard, applied key by key, undone on any failure.")
    var audit: AuditRecord? {
        let order = try? ChangeOrder.load(path: file)
        let devices = order?.devices.map(\.device).joined(separator: ",") ?? "*"
        return AuditRecord(device: devices, action: "change apply",
                           detail: "order \(order?.signature?.reference ?? "?") (\(order?.id ?? file))")
    }
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The signed change order file.") var file: String
    @Option(help: "Undo the change unless `hntt change confirm` arrives within this many seconds (network, SSH settings).")
    var confirmWithin: Double?

    func execute() async throws {
        let context = global.context()
        let order = try ChangeOrder.load(path: file)
        for entry in order.devices { _ = try context.inventory().device(entry.device) }
        let approved = try Authorizer(database: try context.database()).authorize(order)
        var lines: [String] = []
        var results: [JSONValue] = []
        for device in Dictionary(grouping: approved, by: \.device).keys.sorted() {
            let changes = approved.filter { $0.device == device }
            let report = try await GuardedApply(context: context, output: global.output).apply(changes, order: order, confirmWithin: confirmWithin)
            for change in report.applied {
                let secret = try context.profiles.load(try context.inventory().device(device).profileID).isSecret(change.key)
                lines.append("\(device): \(change.key): \(secret ? "********" : report.previous[change.key] ?? "") → \(secret ? "********" : change.value)")
            }
            results.append(.object([("device", .string(device)), ("applied", .array(report.applied.map { .string($0.key) }))]))
        }
        global.output.result(.object([("order_id", .string(order.id)), ("devices", .array(results))]), human: lines.joined(separator: "\n"))
    }
}

struct ChangeConfirmCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "confirm",
        abstract: "Confirm a change applied with --confirm-within (it is kept).")
    var audit: AuditRecord? { AuditRecord(device: "*", action: "change confirm", detail: "order \(orderID)") }
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The change order's id.") var orderID: String

    func execute() async throws {
        try OrderLedger(database: try global.context().database()).confirm(orderID: orderID)
        global.output.result(.object([("confirmed", .string(orderID))]), human: "change order \(orderID) confirmed")
    }
}

struct ConfigSetCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "set",
        abstract: "Change one setting, as a signed change order allows (exactly the signed value).")
    var audit: AuditRecord? { AuditRecord(device: device, action: "config set", detail: "key \(key)") }
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The device id.") var device: String
    @Argument(help: "The key, e.g. \"SIP DisplayName\".") var key: String
    @Argument(help: "The new value.") var value: String
    @Option(help: "The signed change order that allows it.") var authorization: String?

    func execute() async throws {
        let context = global.context()
        _ = try context.inventory().device(device)
        guard let authorization else {
            throw HNTTError(.blocked, "changing \(key) on \(device) needs a signed change order (Điều 3.3)", device: device,
                            fix: Authorizer.whoCanAuthorise + "; then pass --authorization FILE")
        }
        let order = try ChangeOrder.load(path: authorization)
        let approved = try Authorizer(database: try context.database()).authorize(order, exactly: (device, key, value))
        let report = try await GuardedApply(context: context, output: global.output).apply(approved, order: order, confirmWithin: nil)
        global.output.result(.object([("device", .string(device)), ("key", .string(key)), ("applied", .bool(true))]),
                             human: "\(device): \(key) set (was \"\(report.previous[key] ?? "")\")")
    }
}

struct ExecCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "exec",
        abstract: "Run a raw diagnostic command, canonicalised and checked by the guard: reads and allow-listed operations only.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The device id.") var device: String
    @Argument(parsing: .postTerminator, help: "The command, after `--`.") var command: [String]

    func execute() async throws {
        let result = try await global.gateway.exec(device, command: command.drop { $0 == "--" }.joined(separator: " "), by: global.caller)
        global.output.result(.object([("device", .string(device)), ("command", .string(result.command)),
                                      ("lines", .array(result.lines.map { .string($0) }))]),
                             human: result.lines.joined(separator: "\n"))
    }
}
