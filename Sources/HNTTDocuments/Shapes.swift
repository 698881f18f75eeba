import Foundation
import HNTTCore
import HNTTGateway
import HNTTGovernance
import HNTTTransport

// The JSON shapes of docs/CONTRACT.md and the one-line texts of the records the Gateway
// returns: one rendering for every interface (the CLI's `--json` and, later, the HTTP API).

/// Settings as JSON, secrets masked.
public func settingsJSON(_ settings: [Setting]) -> JSONValue {
    .object(settings.map { ($0.key, .string(SnapshotNormaliser.display($0.value))) })
}

/// Strings as a JSON array.
public func stringsJSON(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }

extension LogbookEntry {
    public var json: JSONValue {
        .object([
            ("id", .number(Int(id))), ("at", .string(at)), ("room", .string(room)), ("kind", .string(kind.rawValue)),
            ("refers_to", refersTo.map { .number(Int($0)) } ?? .null),
            ("content", .object(payload.keys.sorted().map { ($0, .string(payload[$0] ?? "")) })),
        ])
    }

    /// `12  2026-…  ubnd  →3  official session ok organizer …`.
    public var line: String {
        let summary: String
        switch kind {
        case .session:
            let s = session
            let measured = s?.measured ?? false
            let loss = s?.lossPercent.map { "\($0) %" } ?? s?.lostPackets.map { "\($0) packets" } ?? "not measured"
            summary =
                "\(s?.sessionType == .official ? "official session" : "test call") \(s?.outcome ?? "")"
                + " organizer \(s?.organizer ?? "-") chair \(s?.chairSite ?? "-") operator \(s?.operatorName ?? "-")"
                + (measured ? " loss \(loss) jitter \(s?.jitterMs.map { "\($0) ms" } ?? "not measured")" : "")
        case .incident:
            let i = incident
            summary =
                "incident" + (i.map { " (\($0.kind.rawValue))" } ?? "") + ": \(i?.what ?? "")"
                + ((i?.fix ?? "").isEmpty ? "" : "; fix: \(i?.fix ?? "")")
        case .signature: summary = "signed by \(content(SignatureContent.self)?.signedBy ?? "")"
        case .correction: summary = "correction: \(content(CorrectionContent.self)?.text ?? "")"
        case .fix: summary = "fixed: \(content(FixContent.self)?.fix ?? "")"
        case .sessionEnd: summary = "session ended (\(content(SessionEndContent.self)?.procedure ?? ""))"
        case .job:
            let job = content(JobContent.self)
            summary =
                "scheduled \(job?.job ?? "") for booking \(job?.booking ?? "") \(job?.outcome ?? "")"
                + ((job?.detail ?? "").isEmpty ? "" : ": \(job?.detail ?? "")")
        }
        return TextSafety.line("\(id)  \(at)  \(room)  " + (refersTo.map { "→\($0)  " } ?? "") + summary)
    }
}

extension AuditEntry {
    public var json: JSONValue {
        .object([
            ("id", .number(Int(id))), ("at", .string(at)), ("os_user", .string(osUser)),
            ("operator", .string(operatorName)), ("device", .string(device)), ("action", .string(action)),
            ("outcome", .string(outcome)), ("detail", .string(detail)),
        ])
    }

    public var line: String {
        TextSafety.line(
            "\(id)  \(at)  \(osUser)\(operatorName.isEmpty ? "" : " (\(operatorName))")  \(device)  \(action)  \(outcome)"
                + (detail.isEmpty ? "" : "  \(detail)"))
    }
}

extension Baseline {
    /// One version in a history listing.
    public var summaryJSON: JSONValue {
        .object([
            ("device", .string(device)), ("version", .number(version)), ("signer", .string(signer)),
            ("reference", .string(reference)), ("signed_at", .string(signedAt)), ("settings", .number(settings.count)),
        ])
    }

    public var line: String {
        TextSafety.line("\(device)  v\(version)  \(reference)  \(signer)  \(signedAt)  (\(settings.count) settings)")
    }

    /// The version in force with its settings.
    public var json: JSONValue {
        .object([
            ("device", .string(device)), ("version", .number(version)), ("reference", .string(reference)),
            ("signer", .string(signer)), ("settings", settingsJSON(settings)),
        ])
    }

    public var text: String {
        safeLines(
            ["\(device) baseline v\(version), \(reference), signed by \(signer) at \(signedAt)"]
                + settings.map { "\($0.key): \(SnapshotNormaliser.display($0.value))" })
    }
}

extension Snapshot {
    public var summaryJSON: JSONValue {
        .object([
            ("snapshot_id", .number(Int(id))), ("taken_at", .string(takenAt)), ("software", .string(software)),
            ("content_hash", .string(contentHash)),
        ])
    }

    public var line: String { TextSafety.line("\(id)  \(takenAt)  \(software)  \(contentHash.prefix(12))") }
}

extension SnapshotOutcome {
    /// The contract's `snapshot` shape, or nil when the device failed.
    public var json: JSONValue? {
        guard let snapshot else { return nil }
        return .object([
            ("device", .string(device)), ("snapshot_id", .number(Int(snapshot.id))),
            ("taken_at", .string(snapshot.takenAt)),
            ("new", .bool(isNew)), ("settings", settingsJSON(snapshot.settings)),
            ("unsupported", stringsJSON(unsupported)),
        ])
    }

    public var line: String {
        guard let snapshot else { return TextSafety.line("\(device): FAILED: \(error?.message ?? "")") }
        return TextSafety.line(
            "\(device): snapshot \(snapshot.id)"
                + (isNew ? " (\(snapshot.settings.count) settings)" : " (unchanged since then)"))
    }
}

extension DriftReport {
    /// One device of the contract's `drift` shape.
    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("device", .string(device)), ("status", .string(status.rawValue)),
            (
                "changes",
                .array(
                    changes.map { change in
                        .object([
                            ("key", .string(change.key)),
                            ("approved", .string(SnapshotNormaliser.display(change.before ?? ""))),
                            ("live", change.after.map { .string(SnapshotNormaliser.display($0)) } ?? .null),
                        ])
                    })
            ),
        ]
        if let error { fields.append(("error", .string(error))) }
        if !unsupported.isEmpty { fields.append(("unsupported", stringsJSON(unsupported))) }
        return .object(fields)
    }

    /// The device's result as text, with each change (secrets masked).
    public func lines(remediating: Bool) -> [String] {
        var lines: [String]
        switch status {
        case .drift:
            lines = ["\(device): drift" + (remediating ? " (remediation below)" : "")]
            for change in changes {
                let secret = (change.before ?? "").hasPrefix(SnapshotNormaliser.secretPrefix) ? " (secret changed)" : ""
                let before = SnapshotNormaliser.display(change.before ?? "(absent)")
                let after = SnapshotNormaliser.display(change.after ?? "(absent)")
                lines.append("  \(change.key): \(before) → \(after)\(secret)")
            }
        case .unreachable, .error: lines = ["\(device): \(status.rawValue): \(error ?? "")"]
        default: lines = ["\(device): \(status.rawValue)"]
        }
        if !unsupported.isEmpty {
            lines.append(
                "  the baseline governs \(unsupported.joined(separator: ", ")), which this firmware does not have"
                    + " (not compared; ask the Sở for a baseline without them)")
        }
        return lines.map(TextSafety.line)
    }
}

extension RemediationOutcome {
    /// What was done, as notes for a person.
    public var notes: [String] {
        var notes: [String] = []
        if !putBack.isEmpty { notes.append("\(device): put back \(putBack.joined(separator: ", "))") }
        if !secretsLeft.isEmpty {
            notes.append(
                "\(device): cannot put back \(secretsLeft.joined(separator: ", ")): only a keyed hash of the approved"
                    + " secret is kept; set it with a change order")
        }
        if let error { notes.append("error: \(error)") }
        return notes.map(TextSafety.line)
    }
}

extension StoredCredential {
    public var json: JSONValue {
        .object([
            ("name", .string(name)), ("username", .string(username)), ("devices", stringsJSON(devices)),
        ])
    }

    public var line: String {
        TextSafety.line(
            "\(name)  user \(username)"
                + (devices.isEmpty ? "  (no device uses it)" : "  \(devices.joined(separator: ", "))"))
    }
}

extension PendingChange {
    public var json: JSONValue {
        .object([
            ("id", .string(journal.id)), ("action", .string(journal.action)), ("authority", .string(journal.authority)),
            ("phase", .string(journal.phase.rawValue)),
            ("confirm_by", journal.confirmBy.map(JSONValue.string) ?? .null),
            ("devices", stringsJSON(journal.devices.map(\.device))), ("started_at", .string(journal.startedAt)),
            ("operator", .string(journal.operatorName)), ("running", .bool(running)),
        ])
    }

    public var line: String {
        let state =
            running
            ? "its process is running"
            : journal.phase == .awaitingConfirmation
                ? "its process ended; confirm with `hntt change confirm \(journal.id)` before \(journal.confirmBy ?? "?")"
                    + " or it is undone" : "its process ended; the next command on its devices puts them back"
        return TextSafety.line(
            "\(journal.id)  \(journal.action)  \(journal.authority)  \(journal.phase.rawValue)"
                + "  \(journal.devices.map(\.device).joined(separator: ","))  started \(journal.startedAt): \(state)")
    }
}

/// Lines of text output, each with its control characters escaped (a stored `\n` cannot fake a line).
func safeLines(_ lines: [String]) -> String {
    lines.map(TextSafety.line).joined(separator: "\n")
}

/// ISO 8601 with the machine's offset, as the contract's JSON times are written.
public func localTimestamp(_ date: Date) -> String {
    ISO8601Formatters.formatter(.withInternetDateTime, timeZone: .current).string(from: date)
}

extension CameraPosition {
    public var json: JSONValue { .object([("pan", .number(pan)), ("tilt", .number(tilt)), ("zoom", .number(zoom))]) }
    public var text: String { "pan \(pan), tilt \(tilt), zoom \(zoom)" }
}

extension DeviceStatus {
    /// The contract's `status` shape (plus `standby_seen_at`/`standby_age_s` for a state seen
    /// earlier, and the camera's fields).
    public func json(device: String, now: Date = Date()) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("device", .string(device)), ("standby", .string(standby.rawValue)), ("mic_muted", .bool(micMuted)),
            (
                "calls",
                .array(
                    calls.map {
                        .object([
                            ("id", .string($0.id)), ("number", .string($0.number)),
                            ("status", .string($0.status)), ("state", .string($0.state.rawValue)),
                        ])
                    })
            ),
            ("software", .string(software)),
        ]
        if let seen = standbySeenAt {
            fields.append(("standby_seen_at", .string(localTimestamp(seen))))
            fields.append(("standby_age_s", .number(max(0, Int(now.timeIntervalSince(seen))))))
        }
        if let camera {
            fields.append(("power", .string(camera.power)))
            fields.append(("preset", camera.presetInUse.map { .number($0) } ?? .null))
            fields.append(("position", camera.position?.json ?? .null))
        }
        return .object(fields)
    }

    public func text(device: String, now: Date = Date()) -> String {
        if let camera {
            return safeLines([
                device, "  power:       \(camera.power)",
                "  preset:      \(camera.presetInUse.map(String.init) ?? "unknown")",
                "  position:    \(camera.position?.text ?? "unknown (in standby)")", "  software:    \(software)",
            ])
        }
        let callText =
            calls.isEmpty ? "none" : calls.map { "#\($0.id) \($0.status) \($0.number)" }.joined(separator: ", ")
        return safeLines([
            device, "  standby:     \(standbyText(now: now))", "  microphones: \(micMuted ? "muted" : "live")",
            "  calls:       \(callText)", "  software:    \(software)",
        ])
    }

    /// `on`, or `on (last seen …, 5 min ago)` for a state seen earlier, or what unknown means.
    public func standbyText(now: Date = Date()) -> String {
        if standby == .unknown {
            return "unknown (this codec cannot be asked and hntt has not seen it go to sleep or wake;"
                + " `hntt wake` or `hntt sleep` makes it known)"
        }
        guard let seen = standbySeenAt else { return standby.rawValue }
        let minutes = max(0, Int(now.timeIntervalSince(seen) / 60))
        return "\(standby.rawValue) (last seen \(LogbookDocument.local(seen, "yyyy-MM-dd HH:mm:ss")), "
            + (minutes == 0 ? "just now" : "\(minutes) min ago") + ")"
    }
}

extension Inventory {
    /// `hntt devices`: rooms and devices, with each check's result when there is one.
    public func json(checks: [String: Result<String, HNTTError>]) -> JSONValue {
        .object([
            ("site", .string(site)),
            (
                "rooms",
                .array(
                    rooms.map { room in
                        .object([
                            ("id", .string(room.id)), ("name", .string(room.name)), ("unit", .string(room.unit)),
                            (
                                "devices",
                                .array(
                                    room.devices.map { device in
                                        var fields: [(String, JSONValue)] = [
                                            ("id", .string(device.id)), ("profile", .string(device.profileID)),
                                            ("transport", .string(device.transport.rawValue)),
                                            ("endpoint", .string(device.endpointDescription)),
                                        ]
                                        switch checks[device.id] {
                                        case .success(let detail)?:
                                            fields.append(
                                                ("check", .object([("ok", .bool(true)), ("detail", .string(detail))])))
                                        case .failure(let error)?:
                                            fields.append(
                                                (
                                                    "check",
                                                    .object([
                                                        ("ok", .bool(false)),
                                                        ("code", .string(error.category.rawValue)),
                                                        ("message", .string(error.message)),
                                                    ])
                                                ))
                                        case nil: break
                                        }
                                        return .object(fields)
                                    })
                            ),
                        ])
                    })
            ),
        ])
    }

    public func text(checks: [String: Result<String, HNTTError>]) -> String {
        var lines = [site.isEmpty ? path : site]
        for room in rooms {
            lines.append("  \(room.id)  \(room.name)  [\(room.unit)]")
            for device in room.devices {
                var line = "    \(device.id)  \(device.profileID)  \(device.endpointDescription)"
                switch checks[device.id] {
                case .success(let detail)?: line += "  ok (\(detail))"
                case .failure(let error)?: line += "  FAILED: \(error.message)"
                case nil: break
                }
                lines.append(line)
            }
        }
        return safeLines(lines)
    }
}

/// The changes between two snapshots, grouped by feature.
public func snapshotDiffJSON(from older: Snapshot, to newer: Snapshot, changes: [SettingChange]) -> JSONValue {
    func shown(_ value: String?) -> JSONValue { value.map { .string(SnapshotNormaliser.display($0)) } ?? .null }
    return .object([
        ("from", .number(Int(older.id))), ("to", .number(Int(newer.id))),
        (
            "groups",
            .object(
                SettingsDiff.grouped(changes).map { group in
                    (
                        group.group,
                        .array(
                            group.changes.map { change in
                                .object([
                                    ("key", .string(change.key)), ("before", shown(change.before)),
                                    ("after", shown(change.after)),
                                ])
                            })
                    )
                })
        ),
    ])
}

extension TrustedKey {
    public var json: JSONValue {
        .object([("name", .string(name)), ("public_key", .string(publicKey)), ("added_at", .string(addedAt))])
    }

    public var line: String { TextSafety.line("\(name)  \(publicKey)  \(addedAt)") }
}

extension HNTTError {
    /// The contract's error shape, `{"error":{"code","message","device"?,"fix"?}}`; `code` replaces the category's.
    public func json(code: String? = nil) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("code", .string(code ?? category.rawValue)), ("message", .string(message)),
        ]
        if let device { fields.append(("device", .string(device))) }
        if let fix { fields.append(("fix", .string(fix))) }
        return .object([("error", .object(fields))])
    }
}

extension ChangeOutcome {
    /// `{"order_id","devices":[{"device","applied":[KEY…]}]}`: keys only, never values.
    public var json: JSONValue {
        let results: [JSONValue] = reports.map {
            .object([("device", .string($0.device)), ("applied", .array($0.applied.map { .string($0.key) }))])
        }
        return .object([("order_id", .string(order.id)), ("devices", .array(results))])
    }
}

extension UserAccount {
    public var json: JSONValue {
        .object([
            ("name", .string(name)), ("role", .string(role.rawValue)), ("unit", unit.map(JSONValue.string) ?? .null),
            ("created_at", .string(createdAt)),
        ])
    }

    public var line: String { TextSafety.line("\(name)  \(role.rawValue)  \(unit ?? "-")  \(createdAt)") }
}

extension Booking {
    /// The contract's booking shape: `{"booking_id","room","start","end","organizer","chair","status",…}`.
    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("booking_id", .number(Int(id))), ("room", .string(room)), ("start", .string(localTimestamp(start))),
            ("end", .string(localTimestamp(end))), ("organizer", .string(organizer)), ("chair", .string(chair)),
            ("status", .string(status.rawValue)), ("title", .string(title)), ("booked_by", .string(bookedBy)),
            ("booked_at", .string(bookedAt)),
        ]
        if let cancelReason { fields.append(("cancel_reason", .string(cancelReason))) }
        return .object(fields)
    }

    public var line: String {
        TextSafety.line(
            "\(id)  \(room)  \(LogbookDocument.local(start, "yyyy-MM-dd HH:mm"))–\(LogbookDocument.local(end, "HH:mm"))"
                + "  \(organizer)  \(chair)  \(status.rawValue)\(title.isEmpty ? "" : "  \(title)")")
    }
}

extension AlertRecord {
    /// The contract's webhook body `{"kind","message","at","room"?,"device"?,"booking"?,"key"?}` plus `"id"`.
    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("id", .number(Int(id))), ("kind", .string(kind)), ("message", .string(message)),
            ("at", .string(localTimestamp(at))),
        ]
        if let room { fields.append(("room", .string(room))) }
        if let device { fields.append(("device", .string(device))) }
        if let booking { fields.append(("booking", .number(Int(booking)))) }
        if let key { fields.append(("key", .string(key))) }
        return .object(fields)
    }

    /// The alert as an e-mail's subject line.
    public var subjectLine: String {
        TextSafety.line("[hntt] \(kind): " + [room, device].compactMap { $0 }.joined(separator: " ") + " — \(message)")
    }
}

extension JobRecord {
    /// `{"job","booking","due_at","ran_at","state","detail","logbook_entry"?}`
    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("job", .string(kind)), ("due_at", .string(localTimestamp(dueAt))),
            ("ran_at", .string(localTimestamp(ranAt))), ("state", .string(state.rawValue)), ("detail", .string(detail)),
        ]
        if let booking { fields.insert(("booking", .number(Int(booking))), at: 1) }
        if let logbookEntry { fields.append(("logbook_entry", .number(Int(logbookEntry)))) }
        return .object(fields)
    }
}
