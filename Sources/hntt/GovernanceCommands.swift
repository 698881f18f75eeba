import ArgumentParser
import Foundation
import HNTTCore
import HNTTDocuments
import HNTTGateway
import HNTTGovernance

/// One warning line for the settings a firmware does not have.
func warnUnsupported(_ keys: [String], device: String, output: Output) {
    guard !keys.isEmpty else { return }
    output.note(
        "warning: \(device): this firmware does not have \(keys.joined(separator: ", ")); left out of the reading")
}

struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Configuration snapshots: take (default), list, show, diff.",
        subcommands: [
            SnapshotTakeCommand.self, SnapshotListCommand.self, SnapshotShowCommand.self, SnapshotDiffCommand.self,
        ],
        defaultSubcommand: SnapshotTakeCommand.self)
}

struct SnapshotTakeCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "take",
        abstract:
            "Read the configuration of devices and store it (a snapshot equal to the last one is not stored again).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Device ids.") var devices: [String] = []
    @Flag(help: "Every codec in the inventory.") var all = false
    @Option(help: "How many devices to read at once.") var parallel = 32

    func validate() throws {
        guard parallel >= 1 else { throw ValidationError("--parallel must be at least 1") }
    }

    func execute() async throws {
        let gateway = global.gateway
        guard all || !devices.isEmpty else {
            throw HNTTError(
                .badInput, "name the devices to snapshot, or pass --all", fix: "e.g. `hntt snapshot ubnd-codec`")
        }
        let targets = try all ? gateway.codecs() : devices.map { try gateway.device($0) }
        let output = global.output
        let started = Date()
        let outcomes = try await gateway.snapshot(targets, parallel: parallel) { done, total in
            if total > 1 {
                output.note(
                    "snapshot: \(done)/\(total) devices read (\(String(format: "%.1f", Date().timeIntervalSince(started))) s)"
                )
            }
        }
        for outcome in outcomes {
            warnUnsupported(outcome.unsupported, device: outcome.device, output: output)
            if let error = outcome.error { output.note("error: \(error)") }
        }
        let documents = outcomes.compactMap(\.json)
        global.output.result(
            documents.count == 1 && targets.count == 1 ? documents[0] : .object([("snapshots", .array(documents))]),
            human: outcomes.map(\.line).joined(separator: "\n"))
        let failure = outcomes.compactMap(\.error).first
        if let failure { throw ExitCode(failure.exitCode) }
    }
}

struct SnapshotListCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "The snapshots of a device.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The device id.") var device: String

    func execute() async throws {
        let snapshots = try await global.gateway.snapshots(of: device)
        global.output.result(
            .object([("device", .string(device)), ("snapshots", .array(snapshots.map(\.summaryJSON)))]),
            human: snapshots.isEmpty ? "\(device): no snapshots yet" : snapshots.map(\.line).joined(separator: "\n"))
    }
}

struct SnapshotShowCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "One snapshot (secrets masked).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The snapshot id.") var id: Int64

    func execute() async throws {
        let snapshot = try await global.gateway.storedSnapshot(id)
        global.output.result(
            .object([
                ("device", .string(snapshot.device)), ("snapshot_id", .number(Int(snapshot.id))),
                ("taken_at", .string(snapshot.takenAt)), ("settings", settingsJSON(snapshot.settings)),
            ]),
            human: "snapshot \(snapshot.id) of \(snapshot.device), \(snapshot.takenAt), \(snapshot.software)\n"
                + snapshot.settings.map { "\($0.key): \(SnapshotNormaliser.display($0.value))" }.joined(separator: "\n")
        )
    }
}

struct SnapshotDiffCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "What changed between two snapshots (default: ID and the one before it), grouped by feature.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "A snapshot id.") var first: Int64
    @Argument(help: "A later snapshot id.") var second: Int64?

    func execute() async throws {
        let (older, newer, changes) = try await global.gateway.snapshotDiff(first, second)
        global.output.result(
            snapshotDiffJSON(from: older, to: newer, changes: changes),
            human: "snapshot \(older.id) → \(newer.id) (\(newer.device))\n" + SettingsDiff.render(changes))
    }
}

struct AuthorityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authority", abstract: "The department's approval key.",
        subcommands: [AuthorityInitCommand.self])
}

struct AuthorityInitCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Make the department's Ed25519 approval key pair (private key file 0600).")
    @OptionGroup var global: GlobalOptions
    @Option(help: "The folder for approval-key.private and approval-key.public.") var out: String

    func execute() async throws {
        let publicKey = try global.gateway.createAuthority(in: out)
        global.output.result(
            .object([
                ("private_key", .string("\(out)/\(ApprovalKeys.privateFileName)")),
                ("public_key", .string(publicKey)),
            ]),
            human: "approval key made in \(out)\n  keep \(ApprovalKeys.privateFileName) offline and secret\n"
                + "  give \(ApprovalKeys.publicFileName) to each gateway: hntt trust add \(out)/\(ApprovalKeys.publicFileName) --name NAME"
        )
    }
}

struct TrustCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trust", abstract: "The gateway's trust store of approval keys.",
        subcommands: [TrustAddCommand.self, TrustListCommand.self, TrustRemoveCommand.self])
}

struct TrustAddCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Trust an approval public key.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The public key file.") var file: String
    @Option(help: "A name for the key (who holds it).") var name: String

    func execute() async throws {
        let key = try await global.gateway.trustKey(file, name: name, by: global.caller)
        global.output.result(
            .object([("name", .string(name)), ("public_key", .string(key))]), human: "trusted \(name): \(key)")
    }
}

struct TrustListCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "The trusted approval keys.")
    @OptionGroup var global: GlobalOptions

    func execute() async throws {
        let keys = try await global.gateway.trustedKeys()
        global.output.result(
            .object([("keys", .array(keys.map(\.json)))]),
            human: keys.isEmpty ? "no trusted keys" : keys.map(\.line).joined(separator: "\n"))
    }
}

struct TrustRemoveCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Stop trusting a key.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The key's name.") var name: String

    func execute() async throws {
        try await global.gateway.untrustKey(name, by: global.caller)
        global.output.result(.object([("removed", .string(name))]), human: "no longer trusted: \(name)")
    }
}
