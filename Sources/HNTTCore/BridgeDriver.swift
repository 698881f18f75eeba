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
    /// Every leg of a conference (all pages), each with its configuration and status when `withStatus`
    /// (one more request per leg), else as the list names them (name, remote party, alarms).
    func legs(ofCall call: String, withStatus: Bool) async throws -> [MCULeg]
    /// One leg with its configuration and status.
    func leg(_ id: String) async throws -> MCULeg
    /// Mutes or unmutes what the bridge receives from the leg's site.
    func setAudioMute(leg: String, _ muted: Bool) async throws
    /// Removes the leg from its conference.
    func drop(leg: String) async throws
    /// Dials a site into a conference; returns the new leg's id.
    func dial(_ uri: String, into call: String) async throws -> String
    /// Brings a dropped site that the bridge keeps defined back into its conference (the RMX's disconnect).
    func reconnect(leg: String) async throws
}

extension BridgeDriver {
    public func legs(ofCall call: String) async throws -> [MCULeg] { try await legs(ofCall: call, withStatus: true) }

    /// A bridge that forgets a dropped leg (the CMS) cannot reconnect it: the site is dialled again.
    public func reconnect(leg: String) async throws {
        throw HNTTError(
            .badInput, "this bridge forgets a dropped site, so it cannot reconnect leg \(leg)",
            fix: "dial the site again with `hntt mcu dial DEVICE CALL URI`")
    }
}

/// A site's address as a bridge and a codec write it, compared: `sip:UBND@x.vn;transport=tls` is `ubnd@x.vn`.
public enum SiteAddress {
    public static func canonical(_ text: String) -> String {
        var value = text.trimmingCharacters(in: .whitespaces).lowercased()
        value.removeAll { $0 == "<" || $0 == ">" || $0 == "\"" }
        for scheme in ["sips:", "sip:", "h323:", "tel:"] where value.hasPrefix(scheme) {
            value.removeFirst(scheme.count)
        }
        if let parameters = value.firstIndex(of: ";") { value = String(value[..<parameters]) }
        return value
    }

    /// True when the leg's remote party is one of the codec's addresses: the whole URI, or its user part
    /// for an address without a domain (an H.323 alias or E.164 number).
    public static func matches(remote: String, addresses: [String]) -> Bool {
        let remote = canonical(remote)
        guard !remote.isEmpty else { return false }
        let user = remote.split(separator: "@").first.map(String.init) ?? remote
        return addresses.map(canonical).contains { address in
            !address.isEmpty && (address == remote || (!address.contains("@") && address == user))
        }
    }
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
