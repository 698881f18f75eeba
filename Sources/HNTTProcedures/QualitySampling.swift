import Foundation
import HNTTCore

/// One reading of the call's media statistics during a quality check: loss over the interval
/// since the previous reading. Nil is a figure the codec did not report ("not measured").
public struct QualitySample: Sendable, Equatable {
    public let atSecond: Double
    public let lossPercent: Double?
    public let jitterMs: Double?
    public let rateKbps: Int?
}

/// Connection quality measured during a run: loss over the whole window, the worst jitter,
/// the last rate, and the readings behind them (for the logbook, Điều 4).
public struct QualitySummary: Sendable, Equatable {
    /// Where the loss figure comes from.
    public enum LossSource: String, Sendable {
        /// Received packets lost over packets received (Cisco).
        case received
        /// The codec's own percentage for what it sent (Poly `netstats` `%pktloss`).
        case transmitted
    }

    public let lossPercent: Double?
    public let lossSource: LossSource?
    /// Received packets lost during the window, when the codec counts them.
    public let lostPackets: Int?
    /// Transmitted packets the far end lost during the window, when the codec counts them.
    public let transmitLostPackets: Int?
    public let jitterMs: Double?
    public let rateKbps: Int?
    public let seconds: Double
    public let samples: [QualitySample]

    /// True when neither loss nor jitter was reported.
    public var measuredNothing: Bool { lossPercent == nil && lostPackets == nil && jitterMs == nil }

    /// `loss 0.00 % (received), jitter 7 ms, 6000 kbps`, with "not measured" for what is missing.
    public var text: String {
        var parts: [String] = []
        if let lossPercent {
            parts.append(String(format: "loss %.2f %%", lossPercent) + (lossSource == .transmitted ? " (sent)" : ""))
        } else if let lostPackets {
            parts.append("\(lostPackets) packets lost")
        } else {
            parts.append("loss not measured")
        }
        parts.append(jitterMs.map { String(format: "jitter %.0f ms", $0) } ?? "jitter not measured")
        if let rateKbps { parts.append("\(rateKbps) kbps") }
        return parts.joined(separator: ", ")
    }

    /// `2s 0.00% 7ms 6000kbps; 4s …`: the samples as the logbook stores them (`-` not measured).
    public var samplesText: String {
        samples.map { sample in
            let loss = sample.lossPercent.map { String(format: "%.2f%%", $0) } ?? "-%"
            let jitter = sample.jitterMs.map { String(format: "%.0fms", $0) } ?? "-ms"
            let rate = sample.rateKbps.map { "\($0)kbps" } ?? "-kbps"
            return String(format: "%.0fs ", sample.atSecond) + "\(loss) \(jitter) \(rate)"
        }.joined(separator: "; ")
    }

    /// Throws when a measured figure is over its threshold, or nothing could be measured.
    public func check(maxLossPercent: Double, maxJitterMs: Double) throws {
        if measuredNothing {
            throw HNTTError(
                .deviceError, "connection quality not measured: the codec reports no loss or jitter for this call",
                fix:
                    "judge the picture and sound by eye and ear and write it in the logbook; H.323 calls report more figures"
            )
        }
        if let lossPercent, lossPercent > maxLossPercent {
            throw HNTTError(
                .deviceError, "quality below thresholds: \(text)", fix: "check the network path to the chair site")
        }
        if let jitterMs, jitterMs > maxJitterMs {
            throw HNTTError(
                .deviceError, "quality below thresholds: \(text)", fix: "check the network path to the chair site")
        }
    }
}

/// Samples a codec's media counters over a window: up to ten readings, at least a second apart;
/// loss over the interval, not since the call began.
struct QualitySampler {
    let source: any MediaStatisticsSource

    func sample(seconds: Double) async throws -> QualitySummary {
        guard let first = try await source.mediaCounters() else {
            throw HNTTError(.deviceError, "no call in progress to measure", fix: "dial the chair site first")
        }
        let interval = max(1, seconds / 10)
        let started = Date()
        var previous = first
        var samples: [QualitySample] = []
        var readings = [first]
        while Date().timeIntervalSince(started) < seconds - 0.01 {
            let remaining = seconds - Date().timeIntervalSince(started)
            try await Task.sleep(nanoseconds: UInt64(min(interval, remaining) * 1e9))
            guard let reading = try await source.mediaCounters() else {
                throw HNTTError(.deviceError, "the call ended while it was measured", fix: "dial again")
            }
            samples.append(
                QualitySample(
                    atSecond: Date().timeIntervalSince(started),
                    lossPercent: QualitySampler.loss(from: previous, to: reading),
                    jitterMs: reading.jitterMs, rateKbps: reading.rateKbps))
            previous = reading
            readings.append(reading)
        }
        let counted = QualitySampler.countedLoss(from: first, to: previous)
        let ownFigures = readings.dropFirst().compactMap(\.lossPercent)
        let loss =
            counted ?? (ownFigures.isEmpty ? first.lossPercent : ownFigures.reduce(0, +) / Double(ownFigures.count))
        let source: QualitySummary.LossSource? = counted != nil ? .received : loss != nil ? .transmitted : nil
        return QualitySummary(
            lossPercent: loss, lossSource: source, lostPackets: difference(first.lost, previous.lost),
            transmitLostPackets: difference(first.transmitLost, previous.transmitLost),
            jitterMs: samples.compactMap(\.jitterMs).max() ?? previous.jitterMs,
            rateKbps: previous.rateKbps, seconds: seconds, samples: samples)
    }

    private func difference(_ earlier: Int?, _ later: Int?) -> Int? {
        guard let earlier, let later else { return nil }
        return max(0, later - earlier)
    }

    /// Loss between two readings: counted when the codec counts packets, else its own figure.
    static func loss(from earlier: MediaCounters, to later: MediaCounters) -> Double? {
        countedLoss(from: earlier, to: later) ?? later.lossPercent
    }

    static func countedLoss(from earlier: MediaCounters, to later: MediaCounters) -> Double? {
        guard let lostBefore = earlier.lost, let lostAfter = later.lost, let packetsBefore = earlier.packets,
            let packetsAfter = later.packets
        else { return nil }
        let lost = Double(max(0, lostAfter - lostBefore))
        return lost * 100 / Double(max(1, packetsAfter - packetsBefore))
    }
}
