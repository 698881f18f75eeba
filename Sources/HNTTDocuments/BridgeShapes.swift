import Foundation
import HNTTCore

/// The contract's JSON for the bridge's conferences and sites (CONTRACT.md "MCU"): a figure the bridge did
/// not report is absent, never 0.
extension MCUCall {
    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [("id", .string(id)), ("name", .string(name))]
        if let legs { fields.append(("legs", .number(legs))) }
        return .object(fields)
    }
}

extension MCULegQuality {
    /// The figures in the contract's order, each with its JSON name.
    public var figures: [(name: String, value: Double)] {
        [
            ("rx_audio_loss_percent", rxAudioLossPercent), ("rx_audio_jitter_ms", rxAudioJitterMs),
            ("tx_audio_loss_percent", txAudioLossPercent), ("tx_audio_jitter_ms", txAudioJitterMs),
            ("rx_video_loss_percent", rxVideoLossPercent), ("rx_video_jitter_ms", rxVideoJitterMs),
            ("rtt_ms", roundTripMs),
        ].compactMap { name, value in value.map { (name, $0) } }
    }

    public var json: JSONValue { .object(figures.map { ($0.name, .decimal($0.value)) }) }
}

extension MCULeg {
    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("id", .string(id)), ("name", .string(name)), ("remote", .string(remote)),
        ]
        if let audioMuted { fields.append(("audio_muted", .bool(audioMuted))) }
        if let state { fields.append(("state", .string(state))) }
        fields.append(("quality", quality.json))
        fields.append(("alarms", stringsJSON(alarms)))
        return .object(fields)
    }

    /// One line for a terminal: name, remote, mute, loss, jitter and round trip.
    public var summary: String {
        func figure(_ value: Double?, _ unit: String) -> String {
            value.map { String(format: "%.1f", $0) + unit } ?? "–"
        }
        let mute = audioMuted == true ? " [muted]" : ""
        let stateText = state.map { $0 == "connected" ? "" : " [\($0)]" } ?? ""
        let alarmText = alarms.isEmpty ? "" : " alarms: " + alarms.joined(separator: ", ")
        let figures =
            quality.isEmpty
            ? "no media figures from the bridge"
            : "rx audio loss \(figure(quality.rxAudioLossPercent, "%"))"
                + " jitter \(figure(quality.rxAudioJitterMs, " ms"))"
                + "  rx video loss \(figure(quality.rxVideoLossPercent, "%"))"
                + "  rtt \(figure(quality.roundTripMs, " ms"))"
        return "\(id)  \(name) <\(remote)>\(mute)\(stateText)  \(figures)\(alarmText)"
    }
}

/// The replies of the MCU commands and routes: one shape for the command line's `--json` and the API.
public enum BridgeReplies {
    public static func calls(_ device: String, _ calls: [MCUCall]) -> JSONValue {
        .object([("device", .string(device)), ("calls", .array(calls.map(\.json)))])
    }

    public static func legs(_ device: String, call: String, _ legs: [MCULeg]) -> JSONValue {
        .object([("device", .string(device)), ("call", .string(call)), ("legs", .array(legs.map(\.json)))])
    }

    public static func muted(_ device: String, leg: String, _ muted: Bool) -> JSONValue {
        .object([("device", .string(device)), ("leg", .string(leg)), ("audio_muted", .bool(muted))])
    }

    public static func dropped(_ device: String, leg: String) -> JSONValue {
        .object([("device", .string(device)), ("leg", .string(leg)), ("dropped", .bool(true))])
    }

    public static func reconnected(_ device: String, leg: String) -> JSONValue {
        .object([("device", .string(device)), ("leg", .string(leg)), ("reconnected", .bool(true))])
    }

    public static func dialled(_ device: String, leg: String) -> JSONValue {
        .object([("device", .string(device)), ("leg_id", .string(leg))])
    }
}
