import Foundation
import HNTTCore
import HNTTGovernance

/// The conference bridge's view of a room in an official session: the room's leg (matched by the codec's
/// SIP URI or H.323 alias) sampled with the codec's own figures, and summed up at the session's end, so the
/// logbook shows what the province received next to what the room measured (Điều 4).
extension Gateway {
    /// The bridges of the inventory.
    public func bridges() -> [InventoryDevice] {
        ((try? inventory().devices) ?? []).filter { (try? kind(of: $0)) == .bridge }
    }

    /// The codec's own addresses, read from its configuration (the profile's `address_keys`).
    static func addresses(of codec: any CodecDriver, profile: DeviceProfile) async -> [String] {
        var addresses: [String] = []
        for key in profile.addressKeys {
            if let value = try? await codec.configuration(key: key)[key], !value.isEmpty { addresses.append(value) }
        }
        return addresses
    }

    /// The leg of the site with `addresses` on `bridge`, with its status; nil when the site is in no conference.
    public func bridgeLeg(_ bridge: String, matching addresses: [String]) async throws -> MCULeg? {
        guard !addresses.isEmpty else { return nil }
        return try await withBridge(bridge, .legs) { driver -> MCULeg? in
            for call in try await driver.conferences() {
                let legs = try await driver.legs(ofCall: call.id, withStatus: false)
                if let leg = legs.first(where: { SiteAddress.matches(remote: $0.remote, addresses: addresses) }) {
                    return try await driver.leg(leg.id)
                }
            }
            return nil
        }
    }

    /// One sample of the room's leg on every bridge that carries it; a bridge that fails costs only its sample.
    func sampleBridges(addresses: [String], session: Int64) async {
        for bridge in bridges() {
            do {
                // A bridge that measures nothing for the leg (the RMX) adds no sample.
                guard let leg = try await bridgeLeg(bridge.id, matching: addresses), !leg.quality.isEmpty else {
                    continue
                }
                let quality = leg.quality
                try await QualitySamples(database: openDatabase()).add(
                    BridgeSample(
                        at: now(), bridge: bridge.id, leg: leg.id, rxAudioLossPercent: quality.rxAudioLossPercent,
                        rxAudioJitterMs: quality.rxAudioJitterMs, rxVideoLossPercent: quality.rxVideoLossPercent,
                        txAudioLossPercent: quality.txAudioLossPercent, roundTripMs: quality.roundTripMs),
                    session: session)
            } catch {
                warn("sampling the room's leg on \(bridge.id) failed: \(error)")
            }
        }
    }

    /// The bridge's samples of an official session: average and worst, for its end in the logbook.
    func sampledBridgeQuality(of session: Int64, into end: inout SessionEndContent) async {
        guard let samples = try? await QualitySamples(database: openDatabase()).bridgeSamples(session: session),
            let bridge = samples.last?.bridge
        else { return }
        let own = samples.filter { $0.bridge == bridge }
        func average(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
        func summary(_ values: [Double], _ format: String) -> (String, String)? {
            values.isEmpty ? nil : (String(format: format, average(values)), String(format: format, values.max() ?? 0))
        }
        end.bridge = bridge
        end.bridgeSamples = String(own.count)
        if let (mean, worst) = summary(own.compactMap(\.rxAudioLossPercent), "%.2f") {
            end.bridgeLossAverage = mean
            end.bridgeLossWorst = worst
        }
        if let (mean, worst) = summary(own.compactMap(\.rxAudioJitterMs), "%.0f") {
            end.bridgeJitterAverage = mean
            end.bridgeJitterWorst = worst
        }
        end.bridgeVideoLossWorst = summary(own.compactMap(\.rxVideoLossPercent), "%.2f")?.1
        end.bridgeRoundTripAverage = summary(own.compactMap(\.roundTripMs), "%.0f")?.0
    }
}
