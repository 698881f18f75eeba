import Foundation
import HNTTCore

/// The conference bridge (MCU) of the chair site: its conferences and sites, seen and steered one leg at a
/// time. Each operation must be listed in the bridge's profile (`operations:`); the bridge's configuration
/// (coSpaces, call profiles) is not an operation: it changes only through a signed order (Điều 3.3).
extension Gateway {
    /// The operations on a bridge, as profiles list them.
    public enum BridgeOperation: String, Sendable, CaseIterable {
        case calls = "mcu-calls"
        case legs = "mcu-legs"
        case mute = "mcu-mute"
        case drop = "mcu-drop"
        case dial = "mcu-dial"
        case reconnect = "mcu-reconnect"
    }

    /// Runs `body` with a bridge's driver, once its profile allows `operation`; a codec or camera is refused.
    public func withBridge<T: Sendable>(
        _ id: String, _ operation: BridgeOperation, _ body: (any BridgeDriver) async throws -> T
    ) async throws -> T {
        let device = try device(id)
        let profile = try profile(of: device)
        guard try kind(of: device) == .bridge else {
            throw HNTTError(
                .badInput, "\(id) is not a conference bridge (profile \(profile.id))", device: id,
                fix: "name a device with profile cisco-cms or polycom-rmx; `hntt devices` lists them")
        }
        guard profile.operations.contains(operation.rawValue) else {
            throw HNTTError(
                .blocked, "profile \(profile.id) does not allow \(operation.rawValue) on \(id)", device: id,
                fix: "operations are allow-listed by the department in charge in device-profiles/\(profile.id).yaml")
        }
        return try await withDevice(id) { driver in
            guard let bridge = driver as? any BridgeDriver else {
                throw HNTTError(.badInput, "\(id)'s driver does not steer a bridge", device: id)
            }
            return try await body(bridge)
        }
    }

    /// The operations a bridge's profile allows (the page shows only those).
    public func bridgeOperations(_ id: String) throws -> Set<BridgeOperation> {
        let profile = try profile(of: device(id))
        return Set(BridgeOperation.allCases.filter { profile.operations.contains($0.rawValue) })
    }

    /// The bridge's active conferences.
    public func bridgeCalls(_ id: String) async throws -> [MCUCall] {
        try await withBridge(id, .calls) { try await $0.conferences() }
    }

    /// Every site of a conference with its connection quality as the bridge measures it.
    public func bridgeLegs(_ id: String, call: String) async throws -> [MCULeg] {
        try await withBridge(id, .legs) { try await $0.legs(ofCall: call) }
    }

    /// Mutes or unmutes what the bridge receives from a site, and reads it back: a bridge that says yes but
    /// stays as it was is an error.
    @discardableResult
    public func bridgeMute(_ id: String, leg: String, muted: Bool, by caller: Caller) async throws -> MCULeg {
        try await audited(
            AuditRecord(device: id, action: "mcu mute", detail: "leg \(leg) \(muted ? "on" : "off")"), by: caller
        ) {
            try await withBridge(id, .mute) { bridge in
                try await bridge.setAudioMute(leg: leg, muted)
                let now = try await bridge.leg(leg)
                guard now.audioMuted == muted else {
                    let state = now.audioMuted.map { $0 ? "muted" : "live" } ?? "silent about its mute"
                    throw HNTTError(
                        .deviceError, "the bridge accepted the command but the leg is \(state)", device: id,
                        fix: "check the leg on the bridge's own page")
                }
                return now
            }
        }
    }

    /// Removes a site from its conference.
    public func bridgeDrop(_ id: String, leg: String, by caller: Caller) async throws {
        try await audited(AuditRecord(device: id, action: "mcu drop", detail: "leg \(leg)"), by: caller) {
            try await withBridge(id, .drop) { try await $0.drop(leg: leg) }
        }
    }

    /// Brings a dropped site back into its conference (a bridge that keeps it defined: the RMX).
    public func bridgeReconnect(_ id: String, leg: String, by caller: Caller) async throws {
        try await audited(AuditRecord(device: id, action: "mcu reconnect", detail: "leg \(leg)"), by: caller) {
            try await withBridge(id, .reconnect) { try await $0.reconnect(leg: leg) }
        }
    }

    /// Dials a site into a conference; returns the new leg's id.
    public func bridgeDial(_ id: String, call: String, uri: String, by caller: Caller) async throws -> String {
        try await audited(
            AuditRecord(device: id, action: "mcu dial", detail: "call \(call) remote \(uri.debugDescription)"),
            by: caller
        ) {
            try await withBridge(id, .dial) { try await $0.dial(uri, into: call) }
        }
    }
}
