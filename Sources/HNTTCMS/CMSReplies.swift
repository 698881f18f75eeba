import Foundation
import HNTTCore

/// One page of a paged list: the items and the `total` the bridge says there are.
public struct CMSPage<Item: Sendable>: Sendable {
    public let total: Int
    public let items: [Item]
}

/// The Cisco Meeting Server's XML replies (API Reference Guide; ../shared/protocols/poly-and-others.md
/// §5.2, §5.2a), read with a real parser. A reply that is not the document expected is a device error
/// (exit 4) that says what came instead.
public enum CMSReplies {
    public static func calls(_ data: Data) throws -> CMSPage<MCUCall> {
        let root = try document(data, "calls")
        return CMSPage(
            total: try total(root),
            items: try root.all("call").map { call in
                MCUCall(
                    id: try id(call), name: call.value("name") ?? "",
                    legs: call.value("numCallLegs").flatMap { Int($0) })
            })
    }

    /// `GET /calls/<id>`: one conference, with `numCallLegs`.
    public static func call(_ data: Data) throws -> MCUCall {
        let root = try document(data, "call")
        return MCUCall(
            id: try id(root), name: root.value("name") ?? "", legs: root.value("numCallLegs").flatMap { Int($0) })
    }

    /// `<callLegs total="N">` with `<callLeg id>` items (name, remoteParty, call, alarms).
    public static func legs(_ data: Data) throws -> CMSPage<MCULeg> {
        let root = try document(data, "callLegs")
        return CMSPage(total: try total(root), items: try root.all("callLeg").map(leg))
    }

    /// `GET /callLegs/<id>`: the leg with its configuration (mutes) and status (state, media figures).
    public static func legDetail(_ data: Data) throws -> MCULeg {
        try leg(try document(data, "callLeg"))
    }

    /// The reason in a `<failureDetails>` reply (e.g. `callDoesNotExist`), if it is one.
    public static func failure(_ data: Data) -> String? {
        guard let root = XMLTree.parse(data), root.name == "failureDetails" else { return nil }
        return root.children.first?.name
    }

    static func leg(_ element: XMLTree) throws -> MCULeg {
        var leg = MCULeg(
            id: try id(element), name: element.value("name") ?? "", remote: element.value("remoteParty") ?? "",
            call: element.value("call"))
        leg.alarms = element.child("alarms")?.children.map(\.name) ?? []
        if let configuration = element.child("configuration") {
            leg.audioMuted = configuration.value("rxAudioMute").map { $0 == "true" }
        }
        if let status = element.child("status") {
            leg.state = status.value("state")
            leg.quality = quality(status)
        }
        return leg
    }

    /// The main media of each direction (a section without `role`, or `role="main"`); round trip from any
    /// transmit section that reports it.
    static func quality(_ status: XMLTree) -> MCULegQuality {
        func main(_ name: String) -> XMLTree? {
            let sections = status.all(name)
            return sections.first { ($0.attributes["role"] ?? "main") == "main" } ?? sections.first
        }
        func number(_ section: XMLTree?, _ name: String) -> Double? { section?.value(name).flatMap(Double.init) }
        var quality = MCULegQuality()
        let rxAudio = main("rxAudio")
        let txAudio = main("txAudio")
        let rxVideo = main("rxVideo")
        quality.rxAudioLossPercent = number(rxAudio, "packetLossPercentage")
        quality.rxAudioJitterMs = number(rxAudio, "jitter")
        quality.txAudioLossPercent = number(txAudio, "packetLossPercentage")
        quality.txAudioJitterMs = number(txAudio, "jitter")
        quality.rxVideoLossPercent = number(rxVideo, "packetLossPercentage")
        quality.rxVideoJitterMs = number(rxVideo, "jitter")
        quality.roundTripMs =
            (status.all("txAudio") + status.all("txVideo")).lazy.compactMap { number($0, "roundTripTime") }.first
        return quality
    }

    static func document(_ data: Data, _ name: String) throws -> XMLTree {
        guard let root = XMLTree.parse(data) else {
            throw HNTTError(
                .deviceError, "the bridge's reply is not well-formed XML (\(data.count) bytes)",
                fix: "check that the device is a Cisco Meeting Server and its API answers /api/v1")
        }
        if root.name == "failureDetails" {
            throw HNTTError(
                .deviceError, "the bridge refused: \(root.children.first?.name ?? "failure")",
                fix: "check the conference or leg id with `hntt mcu calls` / `hntt mcu legs`")
        }
        guard root.name == name else {
            throw HNTTError(
                .deviceError, "the bridge answered <\(root.name)> where <\(name)> was expected",
                fix: "check that the device is a Cisco Meeting Server")
        }
        return root
    }

    static func total(_ root: XMLTree) throws -> Int {
        guard let text = root.attributes["total"], let total = Int(text), total >= 0 else {
            throw HNTTError(
                .deviceError, "the bridge's <\(root.name)> list has no total",
                fix: "check that the device is a Cisco Meeting Server")
        }
        return total
    }

    static func id(_ element: XMLTree) throws -> String {
        guard let id = element.attributes["id"], !id.isEmpty else {
            throw HNTTError(
                .deviceError, "a <\(element.name)> of the bridge has no id",
                fix: "check that the device is a Cisco Meeting Server")
        }
        return id
    }
}
