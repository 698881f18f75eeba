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
        let alarmText = alarms.isEmpty ? "" : " alarms: " + alarms.joined(separator: ", ")
        return "\(id)  \(name) <\(remote)>\(mute)  rx audio loss \(figure(quality.rxAudioLossPercent, "%"))"
            + " jitter \(figure(quality.rxAudioJitterMs, " ms"))"
            + "  rx video loss \(figure(quality.rxVideoLossPercent, "%"))"
            + "  rtt \(figure(quality.roundTripMs, " ms"))\(alarmText)"
    }
}
