@_spi(Driver) import HNTTCore

/// One call's media statistics as `advnetstats` and `netstats` print them (docs/protocols/poly-and-others.md
/// §2.7a): `field:value` pairs whose values may carry a unit after a space (`16 K`, `3 ms`,
/// `0.0 %`) or none (`0.0%`), `---` where the call type reports nothing.
public struct PolyMediaStatistics: Sendable, Equatable {
    /// Every field by name (`rapl`, `%pktloss`, …), its value as printed without the unit.
    public private(set) var fields: [String: String] = [:]

    public init() {}

    /// Parses the lines of one or both replies; lines of other shapes are ignored.
    public init(lines: [String]) {
        for line in lines { absorb(line) }
    }

    /// Adds one reply line's fields.
    public mutating func absorb(_ line: String) {
        var key: String?
        var value: [Substring] = []
        func flush() {
            if let key { fields[key] = value.joined(separator: " ") }
        }
        for token in line.split(separator: " ") {
            if let colon = token.firstIndex(of: ":"), colon != token.startIndex,
                token[..<colon].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "%" || $0 == "_" })
            {
                flush()
                key = token[..<colon].lowercased()
                let rest = token[token.index(after: colon)...]
                value = rest.isEmpty ? [] : [rest]
            } else if key != nil {
                value.append(token)
            }
        }
        flush()
    }

    /// A field as a number: `16 K` → 16, `3 ms` → 3, `0.0%` → 0; nil for `---`, empty or absent.
    public func number(_ name: String) -> Double? {
        guard let raw = fields[name] else { return nil }
        let digits = raw.prefix { $0.isNumber || $0 == "." || $0 == "-" }
        guard !digits.isEmpty, digits != "---", !digits.hasPrefix("--") else { return nil }
        return Double(digits)
    }

    /// The sum of the fields that are present; nil when none is.
    func sum(_ names: [String]) -> Double? {
        let values = names.compactMap(number)
        return values.isEmpty ? nil : values.reduce(0, +)
    }

    /// The counters the quality check samples: receive loss counts (`rapl` + `rvpl`), transmit
    /// loss counts (`tapl` + `tvpl`), the worst receive jitter (`raj`, `rvj`), the receive rate
    /// (`rar` + `rvr`, else `rxrate`) and `%pktloss`. Packets received are not counted by the API.
    public var counters: MediaCounters {
        let jitters = ["raj", "rvj"].compactMap(number)
        return MediaCounters(
            packets: nil, lost: sum(["rapl", "rvpl"]).map { Int($0) },
            jitterMs: jitters.max(), rateKbps: (sum(["rar", "rvr"]) ?? number("rxrate")).map { Int($0) },
            transmitLost: sum(["tapl", "tvpl"]).map { Int($0) }, lossPercent: number("%pktloss"))
    }

    /// Counters of several calls together: counts and rates add up, the worst jitter and loss count.
    public static func combined(_ calls: [MediaCounters]) -> MediaCounters? {
        guard !calls.isEmpty else { return nil }
        func total(_ values: [Int?]) -> Int? {
            let present = values.compactMap { $0 }
            return present.isEmpty ? nil : present.reduce(0, +)
        }
        return MediaCounters(
            packets: total(calls.map(\.packets)), lost: total(calls.map(\.lost)),
            jitterMs: calls.compactMap(\.jitterMs).max(), rateKbps: total(calls.map(\.rateKbps)),
            transmitLost: total(calls.map(\.transmitLost)),
            lossPercent: calls.compactMap(\.lossPercent).max())
    }
}
