import Foundation
import HNTTCore
import HNTTGovernance
import HNTTGuard

/// A preset operation.
public enum PresetAction: String, Sendable, CaseIterable {
    case recall, store
}

/// The configuration as a person may see it: secret values masked.
public struct ShownConfiguration: Sendable {
    public let settings: [Setting]
    /// Keys the firmware does not have.
    public let unsupported: [String]
}

/// What a raw diagnostic command returned, secrets masked.
public struct ExecResult: Sendable {
    public let command: String
    public let lines: [String]
}

/// Device actions (Điều 3.2): every one that changes something is audited.
extension Gateway {
    /// The device's state; for a codec that cannot be asked its standby state, the last one seen.
    public func status(_ id: String) async throws -> DeviceStatus {
        var status = try await withDevice(id) { try await $0.status() }
        if status.standby == .unknown,
            let seen = try? await DeviceStates(database: openDatabase()).lastStandby(device: id)
        {
            status.standby = seen.state
            status.standbySeenAt = seen.seenAt
        }
        return status
    }

    public func wake(_ id: String, by caller: Caller) async throws {
        try await audited(AuditRecord(device: id, action: "wake"), by: caller) {
            try await withDevice(id) { try await $0.wake() }
        }
    }

    public func sleep(_ id: String, by caller: Caller) async throws {
        try await audited(AuditRecord(device: id, action: "sleep"), by: caller) {
            try await withDevice(id) { try await $0.sleep() }
        }
    }

    /// Places a call; returns the codec's call id.
    public func dial(
        _ id: String, number: String, protocol callProtocol: CallProtocol = .auto, rateKbps: Int? = nil,
        by caller: Caller
    ) async throws -> String {
        try await audited(
            AuditRecord(device: id, action: "dial", detail: "number \(number.debugDescription)"), by: caller
        ) {
            try await withCodec(id) { try await $0.dial(number, protocol: callProtocol, rateKbps: rateKbps) }
        }
    }

    /// Ends one call, or all; returns the ids ended.
    public func hangup(_ id: String, callID: String?, by caller: Caller) async throws -> [String] {
        try await audited(
            AuditRecord(device: id, action: "hangup", detail: callID.map { "call \($0)" } ?? "all calls"), by: caller
        ) {
            try await withCodec(id) { try await $0.hangup(callID: callID) }
        }
    }

    /// Whether the codec's microphones are muted now.
    public func microphoneMuted(_ id: String) async throws -> Bool {
        try await withCodec(id) { try await $0.microphoneMuted() }
    }

    /// Mutes or unmutes, and reads it back: a codec that says yes but stays as it was is an error.
    @discardableResult
    public func setMicrophoneMute(_ id: String, _ muted: Bool, by caller: Caller) async throws -> Bool {
        try await audited(AuditRecord(device: id, action: "mute", detail: muted ? "on" : "off"), by: caller) {
            let now = try await withCodec(id) { codec -> Bool in
                try await codec.setMicrophoneMute(muted)
                return try await codec.microphoneMuted()
            }
            guard now == muted else {
                throw HNTTError(
                    .deviceError,
                    "the codec accepted the command but its microphones are still \(now ? "muted" : "live")",
                    device: id, fix: "check the room's microphones and the codec's audio settings")
            }
            return now
        }
    }

    /// Recalls or stores a camera preset, through a codec or on a camera.
    public func preset(_ id: String, _ action: PresetAction, _ preset: Int, camera: Int?, by caller: Caller)
        async throws
    {
        try await audited(
            AuditRecord(device: id, action: "preset \(action.rawValue)", detail: "preset \(preset)"), by: caller
        ) {
            try await withDevice(id) { driver in
                switch action {
                case .recall: try await driver.recallPreset(preset, camera: camera)
                case .store: try await driver.storePreset(preset, camera: camera)
                }
            }
        }
    }

    /// A camera to its home position.
    public func home(_ id: String, by caller: Caller) async throws {
        try await audited(AuditRecord(device: id, action: "camera home"), by: caller) {
            try await withCamera(id) { try await $0.home() }
        }
    }

    /// A camera's pan, tilt and zoom now.
    public func position(_ id: String) async throws -> CameraPosition {
        try await withCamera(id) { try await $0.position() }
    }

    /// The configuration read live, whole or one key, secrets masked.
    public func configuration(_ id: String, key: String?) async throws -> ShownConfiguration {
        let profile = try profile(of: device(id))
        let settings = try await withCodec(id) { try await $0.configuration(key: key) }
        let shown = settings.entries.map { entry in
            Setting(entry.key, profile.isSecret(entry.key) && !entry.value.isEmpty ? "********" : entry.value)
        }
        return ShownConfiguration(settings: shown, unsupported: settings.unsupported)
    }

    /// A raw diagnostic command, canonicalised and checked by the guard: reads and allow-listed
    /// operations only; a configuration change is refused (exit 3) and needs a signed order.
    public func exec(_ id: String, command text: String, by caller: Caller) async throws -> ExecResult {
        try await audited(AuditRecord(device: id, action: "exec", detail: Gateway.withoutValue(text)), by: caller) {
            let device = try device(id)
            let profile = try profile(of: device)
            guard let policy = try registry.entry(for: profile, device: id).commandPolicy else {
                throw HNTTError(
                    .badInput, "\(id) takes no raw commands", device: id, fix: "use the hntt commands for it")
            }
            switch policy(text, Set(profile.operations)) {
            case .needsAuthorisation(let why):
                throw HNTTError(
                    .blocked, "refused: \(why)", device: id,
                    fix: "configuration changes go through signed change orders: " + Authorizer.whoCanAuthorise)
            case .unknown(let why):
                throw HNTTError(
                    .blocked, "refused: \(why)", device: id,
                    fix: "use a read (xStatus, xConfiguration without a value) or an allowed operation")
            case .allowed(let canonical):
                let lines = try await withDevice(id) { driver -> [String] in
                    guard let raw = driver as? any RawCommandDevice else {
                        throw HNTTError(.badInput, "\(id) takes no raw commands", device: id)
                    }
                    return try await raw.execute(canonical)
                }
                return ExecResult(command: canonical.text, lines: lines.map { Gateway.masked($0, profile: profile) })
            }
        }
    }

    /// A raw command as the audit log keeps it: its verb and path, never a value that may be a
    /// secret (`xConfiguration SIP Authentication Password: "…"`, `systemsetting sippassword …`).
    static func withoutValue(_ text: String) -> String {
        if let colon = text.firstIndex(of: ":") { return text[..<colon].trimmingCharacters(in: .whitespaces) + ": …" }
        let words = text.split(separator: " ")
        return words.count > 2 ? words.prefix(2).joined(separator: " ") + " …" : text
    }

    /// A reply line with a secret value masked (`… Password: ********`).
    static func masked(_ line: String, profile: DeviceProfile) -> String {
        guard let colon = line.range(of: ": ") else { return line }
        let key = line[..<colon.lowerBound].split(separator: " ").filter {
            !$0.hasPrefix("*") && $0 != "xConfiguration"
        }
        .joined(separator: " ")
        return profile.isSecret(key) ? line[..<colon.upperBound] + "********" : line
    }
}
