import ArgumentParser
import Foundation
import HNTTCore
import HNTTGateway
import HNTTGovernance
import HNTTProcedures
import HNTTTransport

struct RunCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract:
            "Run a technical procedure on a room (power-on, test-call, dial, shutdown); every run lands in the logbook."
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The procedure: power-on, test-call, dial, shutdown (a file in procedures/).") var procedure: String
    @Argument(help: "The room id.") var room: String
    @Option(help: "Who organises the meeting (e.g. \"Tỉnh ủy\", \"UBND tỉnh\"): decides the operating unit (Điều 5.3).")
    var organizer: String?
    @Option(help: "The chair site's number or URI, for dial and test-call.") var number: String?
    @Flag(help: "Answer yes to every confirmation.") var yes = false
    @Flag(help: "Run even if the order rules or the operating unit say no (needs --reason; recorded).") var force =
        false
    @Option(help: "Why the rules were overridden.") var reason: String?

    func execute() async throws {
        let output = global.output
        let assumeYes = yes
        let request = RunRequest(
            procedure: procedure, room: room, organizer: organizer, number: number, force: force, reason: reason)
        let outcome = try await global.gateway.run(
            request, by: global.caller,
            confirm: { question in
                if assumeYes { return true }
                guard isatty(0) != 0 else {
                    output.note("\(question) — no terminal to ask; pass --yes to answer yes")
                    return false
                }
                output.note("\(question) [y/N] ")
                let line: String? = try? await onOwnThread { readLine() } ?? ""
                let answer = (line ?? "").lowercased()
                return answer.hasPrefix("y") || answer.hasPrefix("c")   // yes / có
            }, say: { output.say($0) })
        let result = outcome.result
        output.result(
            .object([
                ("room", .string(outcome.room)), ("procedure", .string(outcome.procedure)),
                ("succeeded", .bool(result.succeeded)),
                ("logbook_entry", outcome.logbookEntry.map { .number(Int($0)) } ?? .null),
                (
                    "steps",
                    .array(
                        result.steps.map {
                            .object([("step", .string($0.title)), ("ok", .bool($0.ok)), ("detail", .string($0.detail))])
                        })
                ),
            ]),
            human: "room \(outcome.room) is now \(outcome.phase.rawValue)"
                + (outcome.logbookEntry.map { "; logbook entry \($0)" } ?? ""))
        if !result.succeeded { throw ExitCode(1) }
    }
}
