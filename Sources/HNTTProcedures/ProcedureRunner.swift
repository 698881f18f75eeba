import Foundation
import HNTTCore

/// What a run did, step by step.
public struct RunResult: Sendable {
    public struct StepOutcome: Sendable {
        public let title: String
        /// The step's title in Vietnamese (the page shows it).
        public var vietnameseTitle = ""
        public let ok: Bool
        public let detail: String
        public let elapsed: Double
    }

    /// A failed step, as an incident for the logbook: when it failed and, if its recovery
    /// steps put it right, when.
    public struct Incident: Sendable {
        public let step: String
        public let error: String
        /// `network` for the call and its quality, `device` for the rest (the logbook's incident kinds).
        public let kind: String
        public let failedAt: Date
        public let recoveredAt: Date?
    }

    public var steps: [StepOutcome] = []
    public var incidents: [Incident] = []
    public var quality: QualitySummary?
    public var succeeded = true
    public var startedAt = Date()
    public var endedAt = Date()
}

/// The devices of a room a procedure acts on.
public struct RoomDevices: Sendable {
    public let codec: (any CodecDriver)?
    public let cameras: [any CameraDriver]

    public init(codec: (any CodecDriver)?, cameras: [any CameraDriver]) {
        self.codec = codec
        self.cameras = cameras
    }
}

/// Runs a procedure's steps on a room, printing each with its elapsed time; a failed step is an
/// incident, and then the step's `on_failure` decides: stop, continue, or run its recovery steps.
public struct ProcedureRunner: Sendable {
    public let devices: RoomDevices
    /// The chair site to dial.
    public let number: String?
    /// True when the configuration matches the approved baseline.
    public let driftCheck: @Sendable () async throws -> Bool
    /// Asks the technician; `--yes` answers yes.
    public let confirm: @Sendable (String) async -> Bool
    public let print: @Sendable (String) -> Void
    /// Each step's outcome as it ends (the service's live view).
    public let stepEnded: @Sendable (RunResult.StepOutcome) -> Void

    public init(
        devices: RoomDevices, number: String?, driftCheck: @escaping @Sendable () async throws -> Bool,
        confirm: @escaping @Sendable (String) async -> Bool, print: @escaping @Sendable (String) -> Void,
        stepEnded: @escaping @Sendable (RunResult.StepOutcome) -> Void = { _ in }
    ) {
        self.devices = devices
        self.number = number
        self.driftCheck = driftCheck
        self.confirm = confirm
        self.print = print
        self.stepEnded = stepEnded
    }

    public func run(_ procedure: Procedure) async -> RunResult {
        var result = RunResult()
        print(procedure.title.contains(procedure.id) ? procedure.title : "\(procedure.title) (\(procedure.id))")
        let clock = Date()
        _ = await runSteps(procedure.steps, into: &result, clock: clock, indent: "  ")
        result.endedAt = Date()
        print(
            result.succeeded
                ? "done in \(format(Date().timeIntervalSince(clock))) s"
                : "FAILED after \(format(Date().timeIntervalSince(clock))) s")
        return result
    }

    /// Runs steps; false when the run must stop.
    private func runSteps(_ steps: [Procedure.Step], into result: inout RunResult, clock: Date, indent: String) async
        -> Bool
    {
        for step in steps {
            let started = Date()
            do {
                let detail = try await perform(step, result: &result)
                result.steps.append(
                    .init(
                        title: step.title, vietnameseTitle: step.vietnameseTitle, ok: true, detail: detail,
                        elapsed: Date().timeIntervalSince(started)))
                stepEnded(result.steps[result.steps.count - 1])
                print(
                    "\(indent)[\(format(Date().timeIntervalSince(clock))) s] \(step.title): ok"
                        + (detail.isEmpty ? "" : " (\(detail))"))
            } catch {
                let message = (error as? HNTTError)?.message ?? "\(error)"
                result.steps.append(
                    .init(
                        title: step.title, vietnameseTitle: step.vietnameseTitle, ok: false, detail: message,
                        elapsed: Date().timeIntervalSince(started)))
                stepEnded(result.steps[result.steps.count - 1])
                print("\(indent)[\(format(Date().timeIntervalSince(clock))) s] \(step.title): FAILED: \(message)")
                let failedAt = Date()
                func incident(recoveredAt: Date?) -> RunResult.Incident {
                    .init(
                        step: step.title, error: message, kind: step.incidentKind, failedAt: failedAt,
                        recoveredAt: recoveredAt)
                }
                switch step.onFailure {
                case .stop:
                    result.incidents.append(incident(recoveredAt: nil))
                    result.succeeded = false
                    return false
                case .continue:
                    result.incidents.append(incident(recoveredAt: nil))
                case .recover:
                    print("\(indent)  recovering:")
                    let recovered = await runSteps(step.recover, into: &result, clock: clock, indent: indent + "    ")
                    result.incidents.append(incident(recoveredAt: recovered ? Date() : nil))
                    if !recovered {
                        result.succeeded = false
                        return false
                    }
                }
            }
        }
        return true
    }

    private func codec() throws -> any CodecDriver {
        guard let codec = devices.codec else {
            throw HNTTError(
                .badInput, "the room has no codec in the inventory", fix: "add the room's codec to the inventory")
        }
        return codec
    }

    private func perform(_ step: Procedure.Step, result: inout RunResult) async throws -> String {
        switch step.kind {
        case .action(let action, let target):
            if target == .cameras {
                for camera in devices.cameras {
                    switch action {
                    case .wake: try await camera.wake()
                    case .sleep: try await camera.sleep()
                    case .preset(let n): try await camera.recallPreset(n, camera: nil)
                    case .home: try await camera.home()
                    default:
                        throw HNTTError(
                            .badFile, "cameras cannot \(step.title)", fix: "use target: codec for this action")
                    }
                }
                return devices.cameras.isEmpty ? "no cameras driven directly" : "\(devices.cameras.count) camera(s)"
            }
            let codec = try codec()
            switch action {
            case .wake: try await codec.wake()
            case .sleep: try await codec.sleep()
            case .mute(let on): try await codec.setMicrophoneMute(on)
            case .preset(let n): try await codec.recallPreset(n, camera: nil)
            case .home: throw HNTTError(.badFile, "home is for cameras", fix: "use target: cameras")
            case .dial:
                guard let number else {
                    throw HNTTError(
                        .badInput, "no number to dial", fix: "pass --number (the chair site's number or URI)")
                }
                return "call \(try await codec.dial(number, protocol: .auto, rateKbps: nil)) to \(number)"
            case .hangup:
                let ended = try await codec.hangup(callID: nil)
                return ended.isEmpty ? "no call" : "ended \(ended.joined(separator: ", "))"
            }
            return ""
        case .check(let check, let timeout):
            if case .quality(let seconds, let maxLoss, let maxJitter) = check {
                guard let source = try codec() as? any MediaStatisticsSource else {
                    throw HNTTError(
                        .deviceError, "this codec does not report media statistics",
                        fix: "judge the picture and sound by eye and ear, and write it in the logbook")
                }
                let quality = try await QualitySampler(source: source).sample(seconds: seconds)
                result.quality = quality
                try quality.check(maxLossPercent: maxLoss, maxJitterMs: maxJitter)
                return quality.text
            }
            let deadline = Date().addingTimeInterval(timeout)
            while true {
                let (ok, seen) = try await evaluate(check)
                if ok { return seen }
                if Date() >= deadline {
                    throw HNTTError(
                        .deviceError, "still not so after \(Int(timeout)) s (\(seen))", fix: "see the device's status")
                }
                try await Task.sleep(nanoseconds: 500_000_000)
            }
        case .wait(let seconds):
            try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            return ""
        case .confirm(let text):
            guard await confirm(text) else {
                throw HNTTError(
                    .badInput, "the technician answered no",
                    fix: "fix what was asked about, then run the procedure again")
            }
            return "yes"
        }
    }

    private func evaluate(_ check: Procedure.Check) async throws -> (Bool, String) {
        switch check {
        case .noDrift:
            return try await driftCheck()
                ? (true, "clean") : (false, "configuration differs from the approved baseline")
        case .muted, .unmuted:
            let muted = try await codec().microphoneMuted()
            return (muted == (check == .muted), muted ? "muted" : "live")
        default:
            let status = try await codec().status()
            switch check {
            case .standbyOff: return (status.standby == .off, "standby \(status.standby.rawValue)")
            case .standbyOn: return (status.standby == .on, "standby \(status.standby.rawValue)")
            case .callConnected:
                let connected = status.calls.contains { $0.state == .connected }
                return (
                    connected,
                    status.calls.map { "#\($0.id) \($0.status)" }.joined(separator: ", ").isEmpty
                        ? "no call" : status.calls.map { "#\($0.id) \($0.status)" }.joined(separator: ", ")
                )
            case .noCall: return (status.calls.isEmpty, "\(status.calls.count) call(s)")
            default: return (false, "")
            }
        }
    }

    private func format(_ seconds: Double) -> String { String(format: "%.1f", seconds) }
}
