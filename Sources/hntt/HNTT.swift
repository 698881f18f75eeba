import ArgumentParser
import Foundation
import HNTTCore
import HNTTDocuments
import HNTTGateway
import HNTTGovernance
import HNTTTransport

/// `hntt`: the control gateway for a district's online meeting rooms.
struct HNTT: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hntt",
        abstract: "Control gateway for the district's online meeting rooms (hội nghị truyền hình trực tuyến).",
        subcommands: [
            DevicesCommand.self, SecretCommand.self, TrustHostCommand.self,
            StatusCommand.self, WakeCommand.self, SleepCommand.self, DialCommand.self, HangupCommand.self,
            MuteCommand.self, PresetCommand.self, ConfigCommand.self, CameraCommand.self,
            SnapshotCommand.self, AuthorityCommand.self, TrustCommand.self, BaselineCommand.self, DriftCommand.self,
            AuditCommand.self, ChangeCommand.self, ExecCommand.self, RunCommand.self, LogCommand.self,
            ReportCommand.self, ServeCommand.self, UserCommand.self, BookingCommand.self, HubCommand.self,
            SyncCommand.self, MCUCommand.self,
        ]
    )
}

/// A command that reports failures the contract's way: a message with the fix on standard
/// error (and `{"error":…}` on standard output under `--json`), and the contract's exit code.
/// Commands that act on a device or on the approvals name an ``AuditRecord``: every attempt,
/// done, failed or refused, is appended to the audit log.
protocol ReportingCommand: AsyncParsableCommand {
    var global: GlobalOptions { get }
    /// Nil for commands that only read.
    var audit: AuditRecord? { get }
    func execute() async throws
}

extension ReportingCommand {
    var audit: AuditRecord? { nil }

    func run() async throws {
        do {
            try await execute()
            await record(outcome: "done", why: "")
        } catch let error as HNTTError {
            await record(outcome: error.exitCode == 3 ? "refused" : "failed", why: error.message)
            throw report(error)
        } catch let error as TransportError {
            await record(outcome: "failed", why: error.detail)
            throw report(HNTTError.from(error, device: nil))
        } catch let exit as ExitCode {
            await record(outcome: exit == .success ? "done" : "failed", why: "exit \(exit.rawValue)")
            throw exit
        } catch {
            // Anything else: audited and reported the contract's way, never as a Swift trace.
            let unexpected = HNTTError(
                .badFile, "unexpected failure: \(String(describing: error).prefix(300))",
                fix: "check the files and folders the command uses (inventory, data folder);"
                    + " if it persists, report it with the command you ran")
            await record(outcome: "failed", why: unexpected.message)
            throw report(unexpected)
        }
    }

    /// Appends the attempt to the audit log (commands not yet audited by the Gateway itself).
    private func record(outcome: String, why: String) async {
        guard let audit else { return }
        await global.gateway.audit(audit, by: global.caller, outcome: outcome, why: why)
    }

    func report(_ error: HNTTError) -> ExitCode {
        FileHandle.standardError.write(Data(("error: " + error.description + "\n").utf8))
        if global.json { print(error.json().text) }
        return ExitCode(error.exitCode)
    }
}

@main
enum Main {
    /// Parses and runs, mapping usage errors to exit 2 as the contract says (ArgumentParser's
    /// own default would be 64).
    static func main() async {
        do {
            var command = try HNTT.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            exit(0)
        } catch {
            let code = HNTT.exitCode(for: error)
            if code == .success {
                print(HNTT.fullMessage(for: error))
                exit(0)
            }
            if let exitCode = error as? ExitCode {
                exit(exitCode.rawValue)
            }
            let message = HNTT.fullMessage(for: error)
            FileHandle.standardError.write(Data((message + "\n").utf8))
            if CommandLine.arguments.contains("--json") {
                let fields: [(String, JSONValue)] = [
                    ("code", .string(HNTTError.Category.badInput.rawValue)),
                    ("message", .string(message)),
                ]
                print(JSONValue.object([("error", .object(fields))]).text)
            }
            exit(2)
        }
    }
}
