import Foundation
import HNTTCore
import HNTTDocuments
import HNTTGateway
import HNTTGovernance
import HNTTProcedures

/// JSON shapes of the service's own values (the Gateway's records use the Documents' shapes).
enum APIShapes {
    static func reading(_ reading: LiveStatus.Reading, device: String, now: Date = Date()) -> JSONValue {
        var fields: [(String, JSONValue)] = []
        if let status = reading.status, case .object(let shape) = status.json(device: device, now: now) {
            fields = shape
        } else {
            fields = [("device", .string(device))]
        }
        if let readAt = reading.readAt {
            fields.append(("read_at", .string(localTimestamp(readAt))))
            fields.append(("age_s", .number(max(0, Int(now.timeIntervalSince(readAt))))))
        }
        if let error = reading.error { fields.append(("error", error.json().errorFields)) }
        return .object(fields)
    }

    static func room(_ room: RoomOverview, now: Date = Date()) -> JSONValue {
        .object([
            ("id", .string(room.id)), ("name", .string(room.name)), ("unit", .string(room.unit)),
            ("state", .string(room.phase.rawValue)),
            (
                "devices",
                .array(
                    room.devices.map { device in
                        var fields: [(String, JSONValue)] = [
                            ("id", .string(device.id)), ("profile", .string(device.profile)),
                            ("camera", .bool(device.isCamera)), ("kind", .string(device.kind.rawValue)),
                        ]
                        if device.reading.status != nil || device.reading.error != nil {
                            fields.append(("status", reading(device.reading, device: device.id, now: now)))
                        }
                        if let drift = device.drift {
                            fields.append(
                                ("last_drift", .object([("status", .string(drift.status)), ("at", .string(drift.at))])))
                        }
                        return .object(fields)
                    })
            ),
            ("last_test_call", room.lastTestCall.map(session) ?? .null),
            ("open_incidents", .number(room.openIncidents.count)),
        ])
    }

    static func session(_ session: SessionContent) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("started_at", .string(session.startedAt)), ("outcome", .string(session.outcome)),
            ("chair_site", .string(session.chairSite)),
        ]
        if let loss = session.lossPercent { fields.append(("loss_percent", .string(loss))) }
        if let jitter = session.jitterMs { fields.append(("jitter_ms", .string(jitter))) }
        return .object(fields)
    }

    static func step(_ step: RunResult.StepOutcome) -> JSONValue {
        .object([
            ("title", .string(step.title)), ("title_vi", .string(step.vietnameseTitle)),
            ("status", .string(step.ok ? "ok" : "failed")),
            ("elapsed_s", .string(String(format: "%.1f", step.elapsed))), ("detail", .string(step.detail)),
        ])
    }

    static func run(_ run: RunBoard.Run) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("run_id", .string(run.id)), ("procedure", .string(run.procedure)), ("room", .string(run.room)),
            ("status", .string(run.status.rawValue)), ("started_by", .string(run.startedBy)),
            ("started_at", .string(localTimestamp(run.startedAt))), ("steps", .array(run.steps.map(step))),
            ("lines", stringsJSON(run.lines)),
        ]
        if let entry = run.logbookEntry { fields.append(("logbook_entry", .number(Int(entry)))) }
        if let error = run.error { fields.append(("error", error.json().errorFields)) }
        return .object(fields)
    }

}

extension JSONValue {
    /// The inner object of `{"error": {…}}`.
    var errorFields: JSONValue {
        if case .object(let pairs) = self, let inner = pairs.first?.1 { return inner }
        return self
    }
}
