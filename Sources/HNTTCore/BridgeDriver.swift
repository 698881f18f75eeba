import Foundation

/// What a driver drives: a room's codec, a camera driven directly, or a conference bridge (MCU).
public enum DeviceKind: String, Sendable, Codable {
    case codec, camera, bridge
}

/// An active conference on the bridge (`GET /api/v1/calls`).
public struct MCUCall: Sendable, Equatable, Codable {
    public let id: String
    public let name: String
    /// `numCallLegs` when the bridge gives it.
    public let legs: Int?

    public init(id: String, name: String, legs: Int?) {
        self.id = id
        self.name = name
        self.legs = legs
    }
}

/// A site's connection quality as the bridge measures it; a figure the bridge did not report is nil.
public struct MCULegQuality: Sendable, Equatable, Codable {
    public var rxAudioLossPercent: Double?
    public var rxAudioJitterMs: Double?
    public var txAudioLossPercent: Double?
    public var txAudioJitterMs: Double?
    public var rxVideoLossPercent: Double?
    public var rxVideoJitterMs: Double?
    public var roundTripMs: Double?

    public init() {}
}

/// One participant of a conference (a call leg).
public struct MCULeg: Sendable, Equatable, Codable {
    public let id: String
    public var name: String
    public var remote: String
    public var call: String?
    public var state: String?
    public var audioMuted: Bool?
    public var quality = MCULegQuality()
    /// `packetLoss`, `excessiveJitter`, `highRoundTripTime`, … as the bridge names them.
    public var alarms: [String] = []

    public init(id: String, name: String, remote: String, call: String? = nil) {
        self.id = id
        self.name = name
        self.remote = remote
        self.call = call
    }
}

/// A conference bridge (MCU): its conferences and their sites, steered one leg at a time. Nothing here
/// changes the bridge's configuration (coSpaces, profiles): that is a change for a signed order.
public protocol BridgeDriver: DeviceDriver {
    /// The active conferences.
    func conferences() async throws -> [MCUCall]
    /// Every leg of a conference (all pages), each with its configuration and status.
    func legs(ofCall call: String) async throws -> [MCULeg]
    /// One leg with its configuration and status.
    func leg(_ id: String) async throws -> MCULeg
    /// Mutes or unmutes what the bridge receives from the leg's site.
    func setAudioMute(leg: String, _ muted: Bool) async throws
    /// Removes the leg from its conference.
    func drop(leg: String) async throws
    /// Dials a site into a conference; returns the new leg's id.
    func dial(_ uri: String, into call: String) async throws -> String
}

extension MCULegQuality {
    /// True when the bridge reported no figure at all.
    public var isEmpty: Bool {
        [
            rxAudioLossPercent, rxAudioJitterMs, txAudioLossPercent, txAudioJitterMs, rxVideoLossPercent,
            rxVideoJitterMs, roundTripMs,
        ].allSatisfy { $0 == nil }
    }
}
