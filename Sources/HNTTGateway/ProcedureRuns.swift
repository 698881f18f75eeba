import Foundation
import HNTTCore
import HNTTGovernance
import HNTTProcedures

/// What a technician asks for: a procedure on a room.
public struct RunRequest: Sendable {
    public var procedure: String
    public var room: String
    /// Who organises the meeting: decides the operating unit (Điều 5.3).
    public var organizer: String?
    /// The chair site to dial.
    public var number: String?
    /// Run even if the order rules or the operating unit say no (needs a reason; recorded).
    public var force = false
    public var reason: String?

    public init(
        procedure: String, room: String, organizer: String? = nil, number: String? = nil, force: Bool = false,
        reason: String? = nil
    ) {
        self.procedure = procedure
        self.room = room
        self.organizer = organizer
        self.number = number
        self.force = force
        self.reason = reason
    }
}

/// What a run did: its steps, the logbook entry of its session, the room's phase after it.
public struct RunOutcome: Sendable {
    public let room: String
    public let procedure: String
    public let result: RunResult
    public let logbookEntry: Int64?
    public let phase: RoomState.Phase
}

/// Technical procedures (Điều 3.2) with the room's order rules (power-on → test call → official
/// session → shutdown, Điều 5.4), the operating unit (Điều 5.3) and the logbook (Điều 4).
extension Gateway {
    /// Runs a procedure; `say` receives each step line as it happens, `confirm` answers the
    /// procedure's questions. Audited; a failed step check is a failed run (not a throw).
    public func run(
        _ request: RunRequest, by caller: Caller, confirm: @escaping @Sendable (String) async -> Bool,
        say: @escaping @Sendable (String) -> Void,
        step: @escaping @Sendable (RunResult.StepOutcome) -> Void = { _ in }
    ) async throws -> RunOutcome {
        let record = AuditRecord(
            device: request.room, action: "run \(request.procedure)",
            detail: request.force ? "forced: \(request.reason ?? "")" : "")
        let failure: (RunOutcome) -> String? = { $0.result.succeeded ? nil : "exit 1" }
        return try await audited(record, by: caller, failure: failure) {
            try await runUnaudited(request, by: caller, confirm: confirm, say: say, step: step)
        }
    }

    /// Refuses a run as ``run(_:by:confirm:say:step:)`` would, without running it (the service answers
    /// 409 before it starts anything).
    public func checkRun(_ request: RunRequest, by caller: Caller) async throws {
        _ = try await prepare(request, by: caller)
    }

    /// What a run needs, checked: the procedure, the room and its state, the operating unit, the rules overridden.
    private struct PreparedRun {
        let inventory: Inventory
        let room: Room
        let procedure: Procedure
        let state: RoomState
        let unit: String
        let overridden: [String]
    }

    private func prepare(_ request: RunRequest, by caller: Caller) async throws -> PreparedRun {
        let inventory = try inventory()
        let room = try inventory.room(request.room)
        let path = Procedure.directory(profiles: profiles) + "/\(request.procedure).yaml"
        guard FileManager.default.fileExists(atPath: path) else {
            throw HNTTError(
                .badInput, "no procedure \"\(request.procedure)\" (\(path))",
                fix: "use power-on, test-call, dial or shutdown")
        }
        let procedure = try Procedure.load(path: path)
        if request.force && (request.reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw HNTTError(
                .badInput, "--force needs --reason", fix: "say why the rules are overridden; it goes into the logbook")
        }
        let state = try await RoomStates(database: openDatabase()).state(of: room.id)
        let operatorName = caller.operatorName
        let unit = request.organizer.flatMap { inventory.organizers[$0] } ?? room.unit
        if procedure.session != .none && (operatorName ?? "").isEmpty {
            throw HNTTError(
                .badInput,
                "a \(procedure.session.rawValue) session is written in the logbook under the technician's name",
                fix: "pass --operator \"NAME\" (or set HNTT_OPERATOR)")
        }
        let overridden = rulesBroken(
            by: procedure, state: state, caller: caller, unit: unit, organizer: request.organizer,
            inventory: inventory)
        if !overridden.isEmpty && !request.force {
            throw HNTTError(
                .blocked, "refused: " + overridden.joined(separator: "; "),
                fix:
                    "follow the order power-on → test-call → dial → shutdown with an operator of the operating unit, or --force --reason TEXT (recorded in the logbook)"
            )
        }
        return PreparedRun(
            inventory: inventory, room: room, procedure: procedure, state: state, unit: unit, overridden: overridden)
    }

    private func runUnaudited(
        _ request: RunRequest, by caller: Caller, confirm: @escaping @Sendable (String) async -> Bool,
        say: @escaping @Sendable (String) -> Void, step: @escaping @Sendable (RunResult.StepOutcome) -> Void
    ) async throws -> RunOutcome {
        let prepared = try await prepare(request, by: caller)
        let (room, procedure, unit, overridden) = (
            prepared.room, prepared.procedure, prepared.unit, prepared.overridden
        )
        var state = prepared.state
        let operatorName = caller.operatorName
        let database = try await openDatabase()
        let states = RoomStates(database: database)
        let lease = try await leaseRoom(room.devices)
        let drivers = lease.drivers
        let codec = drivers.compactMap { $0 as? any CodecDriver }.first
        let codecDevice = zip(room.devices, drivers).first { $0.1 is any CodecDriver }?.0
        let cameras = drivers.compactMap { $0 as? any CameraDriver }
        let normaliser = try normaliser()
        let baselines = BaselineStore(database: database)
        let runner = ProcedureRunner(
            devices: RoomDevices(codec: codec, cameras: cameras), number: request.number,
            driftCheck: {
                guard let device = codecDevice, let codec,
                    let baseline = try await baselines.current(device: device.id)
                else { return true }
                // Through the run's own driver: a kept connection is already this run's turn.
                let live = try await Gateway.liveConfiguration(
                    of: codec, profile: self.profile(of: device), normaliser: normaliser
                ).settings
                let values = Dictionary(live.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
                return baseline.settings.allSatisfy { values[$0.key] == $0.value }
            },
            confirm: confirm, print: say, stepEnded: step)
        let result = await runner.run(procedure)
        await lease.release(!result.succeeded)
        let sessionID = try await record(
            result, of: procedure, request: request, room: room.id, unit: unit, operatorName: operatorName,
            overridden: overridden, state: state, logbook: Logbook(database: database))
        if result.succeeded, let leaves = procedure.leavesRoom, let phase = RoomState.Phase(rawValue: leaves) {
            state.phase = phase
            if phase == .ready { state.poweredAt = timestamp(now()) }
            if phase == .tested { state.testedAt = timestamp(now()) }
            if phase == .off { state.testedAt = nil }
            try await states.set(state, of: room.id)
        }
        return await RunOutcome(
            room: room.id, procedure: procedure.id, result: result, logbookEntry: sessionID,
            phase: try states.state(of: room.id).phase)
    }

    /// The rules a run would break: the room's order, the test window, the operating unit.
    private func rulesBroken(
        by procedure: Procedure, state: RoomState, caller: Caller, unit: String, organizer: String?,
        inventory: Inventory
    ) -> [String] {
        let operatorName = caller.operatorName
        var broken: [String] = []
        if !procedure.requires.isEmpty && !procedure.requires.contains(state.phase.rawValue) {
            broken.append(
                "room is \(state.phase.rawValue); \(procedure.id) needs it \(procedure.requires.joined(separator: " or "))"
            )
        }
        if procedure.session == .official {
            let tested = state.testedAt.flatMap(parseTimestamp)
            if tested.map({ now().timeIntervalSince($0) > procedure.testWindowMinutes * 60 }) ?? true {
                broken.append("no test call passed in the last \(Int(procedure.testWindowMinutes)) minutes (Điều 5.4)")
            }
        }
        if let organizer, !inventory.organizers.isEmpty, inventory.organizers[organizer] == nil {
            broken.append(
                "organiser \"\(organizer)\" is not in the inventory's organizers: "
                    + inventory.organizers.keys.sorted().joined(separator: ", ") + " (Điều 5.3)")
        }
        // A service account carries its unit; a name given on the command line is looked up in `operators:`.
        if caller.unit == nil, let operatorName, !operatorName.isEmpty, !inventory.operators.isEmpty,
            inventory.operators[operatorName] == nil
        {
            broken.append("\(operatorName) is not among the operators in the inventory (Điều 5.3)")
        }
        if let operatorName, let operatorUnit = caller.unit ?? inventory.operators[operatorName], operatorUnit != unit {
            broken.append(
                "\(operatorName) belongs to \(operatorUnit), but \(unit) operates meetings organised by \(organizer ?? "this room's owner") (Điều 5.3)"
            )
        }
        return broken
    }

    /// The logbook (Điều 4): the session, each failed step as an incident, a forced run, the end
    /// of an official session. Returns the session's entry.
    private func record(
        _ result: RunResult, of procedure: Procedure, request: RunRequest, room: String, unit: String,
        operatorName: String?, overridden: [String], state: RoomState, logbook: Logbook
    ) async throws -> Int64? {
        var sessionID: Int64?
        if let kind = SessionKind(rawValue: procedure.session.rawValue) {
            var session = SessionContent(
                sessionType: kind, procedure: procedure.id, organizer: request.organizer ?? "",
                chairSite: request.number ?? "", operatorName: operatorName ?? "", unit: unit,
                startedAt: timestamp(result.startedAt), endedAt: timestamp(result.endedAt),
                outcome: result.succeeded ? "ok" : "failed")
            if let quality = result.quality { session.record(quality) }
            if request.force { session.forced = request.reason ?? "" }
            sessionID = try await logbook.append(room: room, session).id
        }
        for incident in result.incidents {
            try await logbook.append(
                room: room,
                IncidentContent(
                    what: "\(procedure.id): \(incident.step): \(incident.error)",
                    fix: incident.recoveredAt == nil ? "" : "recovered by the procedure",
                    kind: IncidentKind(rawValue: incident.kind) ?? .other, source: "procedure",
                    operatorName: operatorName ?? "", reportedAt: timestamp(), beganAt: timestamp(incident.failedAt),
                    fixedAt: incident.recoveredAt.map { timestamp($0) }),
                refersTo: sessionID)
        }
        if request.force && procedure.session == .none {
            try await logbook.append(
                room: room,
                IncidentContent(
                    what: "\(procedure.id) run against the rules: \(overridden.joined(separator: "; "))",
                    fix: "forced: \(request.reason ?? "")", kind: .procedure, source: "procedure",
                    operatorName: operatorName ?? "", reportedAt: timestamp()))
        }
        // Leaving an official session (shutdown) ends it: its real end goes to the logbook, for the report's hours.
        if state.phase == .inSession, result.succeeded, let leaves = procedure.leavesRoom,
            leaves != RoomState.Phase.inSession.rawValue,
            let open = try await logbook.list(room: room).last(where: { $0.session?.sessionType == .official })
        {
            var end = SessionEndContent(
                endedAt: timestamp(result.startedAt), procedure: procedure.id, operatorName: operatorName ?? "")
            await sampledQuality(of: open.id, into: &end)
            await sampledBridgeQuality(of: open.id, into: &end)
            try await logbook.append(room: room, end, refersTo: open.id)
        }
        return sessionID
    }
}

extension SessionContent {
    /// The connection quality a run measured; a figure not measured is left out, never 0.
    mutating func record(_ quality: QualitySummary) {
        qualitySamples = quality.samplesText
        qualitySeconds = String(format: "%.0f", quality.seconds)
        lossPercent = quality.lossPercent.map { String(format: "%.2f", $0) }
        lossMeasured = quality.lossSource?.rawValue
        lostPackets = quality.lostPackets.map(String.init)
        transmitLostPackets = quality.transmitLostPackets.map(String.init)
        jitterMs = quality.jitterMs.map { String(format: "%.0f", $0) }
        rateKbps = quality.rateKbps.map(String.init)
    }
}
