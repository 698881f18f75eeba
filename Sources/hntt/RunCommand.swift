import ArgumentParser
import Foundation
import HNTTCore
import HNTTGateway
import HNTTGovernance
import HNTTProcedures
import HNTTTransport

struct RunCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "run",
        abstract: "Run a technical procedure on a room (power-on, test-call, dial, shutdown); every run lands in the logbook.")
    var audit: AuditRecord? { AuditRecord(device: room, action: "run \(procedure)", detail: force ? "forced: \(reason ?? "")" : "") }
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The procedure: power-on, test-call, dial, shutdown (a file in procedures/).") var procedure: String
    @Argument(help: "The room id.") var room: String
    @Option(help: "Who organises the meeting (e.g. \"Tỉnh ủy\", \"UBND tỉnh\"): decides the operating unit (Điều 5.3).")
    var organizer: String?
    @Option(help: "The chair site's number or URI, for dial and test-call.") var number: String?
    @Flag(help: "Answer yes to every confirmation.") var yes = false
    @Flag(help: "Run even if the order rules or the operating unit say no (needs --reason; recorded).") var force = false
    @Option(help: "Why the rules were overridden.") var reason: String?

    func execute() async throws {
        let context = global.context()
        let inventory = try context.inventory()
        let room = try inventory.room(self.room)
        let path = Procedure.directory(profiles: context.profiles) + "/\(procedure).yaml"
        guard FileManager.default.fileExists(atPath: path) else {
            throw HNTTError(.badInput, "no procedure \"\(procedure)\" (\(path))", fix: "use power-on, test-call, dial or shutdown")
        }
        let procedure = try Procedure.load(path: path)
        if force && (reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw HNTTError(.badInput, "--force needs --reason", fix: "say why the rules are overridden; it goes into the logbook")
        }
        let database = try context.database()
        let states = RoomStates(database: database)
        var state = try states.state(of: room.id)
        let operatorName = global.auditOperator
        let unit = organizer.flatMap { inventory.organizers[$0] } ?? room.unit
        if procedure.session != .none && (operatorName ?? "").isEmpty {
            throw HNTTError(.badInput, "a \(procedure.session.rawValue) session is written in the logbook under the technician's name",
                            fix: "pass --operator \"NAME\" (or set HNTT_OPERATOR)")
        }
        var overridden: [String] = []
        if !procedure.requires.isEmpty && !procedure.requires.contains(state.phase.rawValue) {
            overridden.append("room \(room.id) is \(state.phase.rawValue); \(procedure.id) needs it \(procedure.requires.joined(separator: " or "))")
        }
        if procedure.session == .official {
            let tested = state.testedAt.flatMap(parseTimestamp)
            if tested == nil || Date().timeIntervalSince(tested!) > procedure.testWindowMinutes * 60 {
                overridden.append("no test call passed in the last \(Int(procedure.testWindowMinutes)) minutes (Điều 5.4)")
            }
        }
        if let operatorName, let operatorUnit = inventory.operators[operatorName], operatorUnit != unit {
            overridden.append("\(operatorName) belongs to \(operatorUnit), but \(unit) operates meetings organised by \(organizer ?? "this room's owner") (Điều 5.3)")
        }
        if !overridden.isEmpty && !force {
            throw HNTTError(.blocked, "refused: " + overridden.joined(separator: "; "),
                            fix: "follow the order power-on → test-call → dial → shutdown with an operator of the operating unit, or --force --reason TEXT (recorded in the logbook)")
        }
        let output = global.output
        let drivers = try room.devices.map { try context.driver(for: $0) }
        let codec = drivers.compactMap { $0 as? any CodecDriver }.first
        let codecDevice = zip(room.devices, drivers).first { $0.1 is any CodecDriver }?.0
        let cameras = drivers.compactMap { $0 as? any CameraDriver }
        let normaliser = try SnapshotNormaliser(secrets: context.secrets)
        let baselines = BaselineStore(database: database)
        let assumeYes = yes
        let runner = ProcedureRunner(
            devices: RoomDevices(codec: codec, cameras: cameras), number: number,
            driftCheck: {
                guard let device = codecDevice, let baseline = try baselines.current(device: device.id) else { return true }
                let live = try await context.gateway.liveConfiguration(device, normaliser: normaliser).settings
                let values = Dictionary(live.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
                return baseline.settings.allSatisfy { values[$0.key] == $0.value }
            },
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
            },
            print: { output.say($0) })
        let result = await runner.run(procedure)
        for (device, driver) in zip(room.devices, drivers) { await context.gateway.finish(driver, device: device.id) }

        // The logbook (Điều 4): the session, and each failed step as an incident.
        let logbook = Logbook(database: database)
        var sessionID: Int64?
        if procedure.session != .none {
            var payload: [String: String] = [
                "session_type": procedure.session.rawValue, "procedure": procedure.id, "organizer": organizer ?? "",
                "chair_site": number ?? "", "operator": operatorName ?? "", "unit": unit,
                "started_at": timestamp(result.startedAt), "ended_at": timestamp(result.endedAt),
                "outcome": result.succeeded ? "ok" : "failed",
            ]
            if let quality = result.quality { payload.merge(quality.logbookFields) { _, new in new } }
            if force { payload["forced"] = reason ?? "" }
            sessionID = try logbook.append(room: room.id, kind: .session, payload: payload).id
        }
        for incident in result.incidents {
            var payload = [
                "what": "\(procedure.id): \(incident.step): \(incident.error)", "fix": incident.recoveredAt == nil ? "" : "recovered by the procedure",
                "kind": incident.kind, "source": "procedure", "operator": operatorName ?? "", "reported_at": timestamp(), "began_at": timestamp(incident.failedAt),
            ]
            if let recoveredAt = incident.recoveredAt { payload["fixed_at"] = timestamp(recoveredAt) }
            try logbook.append(room: room.id, kind: .incident, refersTo: sessionID, payload: payload)
        }
        if force && procedure.session == .none {
            try logbook.append(room: room.id, kind: .incident, payload: [
                "what": "\(procedure.id) run against the rules: \(overridden.joined(separator: "; "))", "fix": "forced: \(reason ?? "")",
                "kind": "procedure", "source": "procedure", "operator": operatorName ?? "", "reported_at": timestamp(),
            ])
        }
        // Leaving an official session (shutdown) ends it: its real end goes to the logbook, for the report's hours.
        if state.phase == .inSession, result.succeeded, let leaves = procedure.leavesRoom, leaves != RoomState.Phase.inSession.rawValue,
           let open = try logbook.list(room: room.id).last(where: { $0.kind == .session && $0.payload["session_type"] == "official" }) {
            try logbook.append(room: room.id, kind: .sessionEnd, refersTo: open.id, payload: [
                "ended_at": timestamp(result.startedAt), "procedure": procedure.id, "operator": operatorName ?? "",
            ])
        }
        if result.succeeded, let leaves = procedure.leavesRoom, let phase = RoomState.Phase(rawValue: leaves) {
            state.phase = phase
            if phase == .ready { state.poweredAt = timestamp() }
            if phase == .tested { state.testedAt = timestamp() }
            if phase == .off { state.testedAt = nil }
            try states.set(state, of: room.id)
        }
        let phaseNow = try states.state(of: room.id).phase.rawValue
        output.result(.object([
            ("room", .string(room.id)), ("procedure", .string(procedure.id)), ("succeeded", .bool(result.succeeded)),
            ("logbook_entry", sessionID.map { .number(Int($0)) } ?? .null),
            ("steps", .array(result.steps.map { .object([("step", .string($0.title)), ("ok", .bool($0.ok)), ("detail", .string($0.detail))]) })),
        ]), human: "room \(room.id) is now \(phaseNow)" + (sessionID.map { "; logbook entry \($0)" } ?? ""))
        if !result.succeeded { throw ExitCode(1) }
    }
}
