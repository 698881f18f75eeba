import Foundation
import HNTTCore
import HNTTGovernance

/// The pre-conference check of a room (15 minutes before, like Cisco TMS): each check, passed or not, and why.
public struct RoomDiagnostics: Sendable {
    public struct Check: Sendable, Equatable {
        public let name: String
        public let passed: Bool
        public let detail: String
    }

    public let room: String
    public let checks: [Check]
    public var passed: Bool { checks.allSatisfy(\.passed) }

    /// The failed checks in one line, or every check's name when all passed.
    public var summary: String {
        let failed = checks.filter { !$0.passed }
        if failed.isEmpty { return "passed: " + checks.map(\.name).joined(separator: ", ") }
        return failed.map { "\($0.name): \($0.detail)" }.joined(separator: "; ")
    }
}

extension Gateway {
    /// Every device reachable, each codec registered (SIP or H.323, where it reports it), no drift
    /// from the approved baseline, a test call passed within the test window (Điều 5.4).
    public func diagnose(room id: String, testWindow: TimeInterval = 1800) async throws -> RoomDiagnostics {
        let room = try inventory().room(id)
        var checks: [RoomDiagnostics.Check] = []
        var reachableCodecs: [InventoryDevice] = []
        for device in room.devices {
            do {
                _ = try await status(device.id)
                checks.append(.init(name: "\(device.id) reachable", passed: true, detail: ""))
                if try isCodec(device) { reachableCodecs.append(device) }
            } catch {
                let message = (error as? HNTTError)?.message ?? "\(error)"
                checks.append(.init(name: "\(device.id) reachable", passed: false, detail: message))
            }
        }
        for codec in reachableCodecs {
            guard
                let registrations = try? await withCodec(
                    codec.id,
                    { codec in
                        try await (codec as? any RegistrationReporting)?.registrations()
                    }), !registrations.isEmpty
            else { continue }   // a codec that reports none (Poly's legacy API) is not judged on it
            // In use means not switched off; one registration up is enough to call.
            let used = registrations.filter { !["inactive", "off", "disabled"].contains($0.status.lowercased()) }
            let up = used.contains(where: \.isRegistered)
            checks.append(
                .init(
                    name: "\(codec.id) registered", passed: up,
                    detail: up
                        ? ""
                        : used.map { "\($0.signalling) \($0.status)" }.joined(separator: ", ")
                            .ifEmpty("no SIP or H.323 registration in use")))
        }
        for report in try await drift(reachableCodecs, parallel: 4) {
            let clean = report.status == .clean || report.status == .noBaseline
            let keys = report.changes.map(\.key).joined(separator: ", ")
            checks.append(
                .init(
                    name: "\(report.device) as approved", passed: clean,
                    detail: clean ? "" : report.error ?? "changed: \(keys)"))
        }
        let state = try await RoomStates(database: openDatabase()).state(of: id)
        let tested = state.testedAt.flatMap(parseTimestamp).map { now().timeIntervalSince($0) <= testWindow } ?? false
        checks.append(
            .init(
                name: "test call within \(Int(testWindow / 60)) min", passed: tested,
                detail: tested ? "" : "no test call passed in the window (Điều 5.4)"))
        return RoomDiagnostics(room: id, checks: checks)
    }
}
