import Foundation
import HNTTCore

/// What a logbook entry says, one Codable struct per kind. Stored as the JSON object of strings
/// the logbook has kept since its first version (the same keys), so older rows read the same.
public protocol LogbookContent: Codable, Sendable {
    static var kind: LogbookEntry.Kind { get }
}

/// A session run by a procedure: who, for whom, when, and the connection quality measured.
public struct SessionContent: LogbookContent, Equatable {
    public static let kind = LogbookEntry.Kind.session
    public var sessionType: SessionKind
    public var procedure: String
    public var organizer: String
    public var chairSite: String
    public var operatorName: String
    public var unit: String
    public var startedAt: String
    public var endedAt: String
    /// `ok` or `failed`.
    public var outcome: String
    /// The reason a forced run gave.
    public var forced: String?
    public var lossPercent: String?
    /// `received` or `transmitted`.
    public var lossMeasured: String?
    public var lostPackets: String?
    public var transmitLostPackets: String?
    public var jitterMs: String?
    public var rateKbps: String?
    public var qualitySamples: String?
    public var qualitySeconds: String?

    public init(
        sessionType: SessionKind, procedure: String, organizer: String, chairSite: String, operatorName: String,
        unit: String, startedAt: String, endedAt: String, outcome: String
    ) {
        self.sessionType = sessionType
        self.procedure = procedure
        self.organizer = organizer
        self.chairSite = chairSite
        self.operatorName = operatorName
        self.unit = unit
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.outcome = outcome
    }

    /// True when any connection-quality figure was measured.
    public var measured: Bool { lossPercent != nil || jitterMs != nil || lostPackets != nil }

    enum CodingKeys: String, CodingKey {
        case sessionType = "session_type"
        case procedure, organizer
        case chairSite = "chair_site"
        case operatorName = "operator"
        case unit
        case startedAt = "started_at"
        case endedAt = "ended_at"
        case outcome, forced
        case lossPercent = "loss_percent"
        case lossMeasured = "loss_measured"
        case lostPackets = "lost_packets"
        case transmitLostPackets = "transmit_lost_packets"
        case jitterMs = "jitter_ms"
        case rateKbps = "rate_kbps"
        case qualitySamples = "quality_samples"
        case qualitySeconds = "quality_seconds"
    }

    /// Lenient: a row written by an older hntt, or edited, still reads (missing texts are empty).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func text(_ key: CodingKeys) throws -> String { try c.decodeIfPresent(String.self, forKey: key) ?? "" }
        sessionType = SessionKind(rawValue: try text(.sessionType)) ?? .test
        procedure = try text(.procedure)
        organizer = try text(.organizer)
        chairSite = try text(.chairSite)
        operatorName = try text(.operatorName)
        unit = try text(.unit)
        startedAt = try text(.startedAt)
        endedAt = try text(.endedAt)
        outcome = try text(.outcome)
        forced = try c.decodeIfPresent(String.self, forKey: .forced)
        lossPercent = try c.decodeIfPresent(String.self, forKey: .lossPercent)
        lossMeasured = try c.decodeIfPresent(String.self, forKey: .lossMeasured)
        lostPackets = try c.decodeIfPresent(String.self, forKey: .lostPackets)
        transmitLostPackets = try c.decodeIfPresent(String.self, forKey: .transmitLostPackets)
        jitterMs = try c.decodeIfPresent(String.self, forKey: .jitterMs)
        rateKbps = try c.decodeIfPresent(String.self, forKey: .rateKbps)
        qualitySamples = try c.decodeIfPresent(String.self, forKey: .qualitySamples)
        qualitySeconds = try c.decodeIfPresent(String.self, forKey: .qualitySeconds)
    }
}

/// A fault and, when known, its fix (Điều 4).
public struct IncidentContent: LogbookContent, Equatable {
    public static let kind = LogbookEntry.Kind.incident
    public var what: String
    public var fix: String
    public var kind: IncidentKind
    /// `procedure` when a procedure's failed step wrote it.
    public var source: String?
    public var operatorName: String
    public var reportedAt: String?
    public var beganAt: String?
    public var fixedAt: String?

    public init(
        what: String, fix: String = "", kind: IncidentKind, source: String? = nil, operatorName: String,
        reportedAt: String?, beganAt: String? = nil, fixedAt: String? = nil
    ) {
        self.what = what
        self.fix = fix
        self.kind = kind
        self.source = source
        self.operatorName = operatorName
        self.reportedAt = reportedAt
        self.beganAt = beganAt
        self.fixedAt = fixedAt
    }

    enum CodingKeys: String, CodingKey {
        case what, fix, kind, source
        case operatorName = "operator"
        case reportedAt = "reported_at"
        case beganAt = "began_at"
        case fixedAt = "fixed_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        what = try c.decodeIfPresent(String.self, forKey: .what) ?? ""
        fix = try c.decodeIfPresent(String.self, forKey: .fix) ?? ""
        kind = IncidentKind(rawValue: try c.decodeIfPresent(String.self, forKey: .kind) ?? "") ?? .other
        source = try c.decodeIfPresent(String.self, forKey: .source)
        operatorName = try c.decodeIfPresent(String.self, forKey: .operatorName) ?? ""
        reportedAt = try c.decodeIfPresent(String.self, forKey: .reportedAt)
        beganAt = try c.decodeIfPresent(String.self, forKey: .beganAt)
        fixedAt = try c.decodeIfPresent(String.self, forKey: .fixedAt)
    }
}

/// How an incident left open was fixed, written later.
public struct FixContent: LogbookContent, Equatable {
    public static let kind = LogbookEntry.Kind.fix
    public var fix: String
    public var fixedAt: String
    public var operatorName: String

    public init(fix: String, fixedAt: String, operatorName: String) {
        self.fix = fix
        self.fixedAt = fixedAt
        self.operatorName = operatorName
    }

    enum CodingKeys: String, CodingKey {
        case fix
        case fixedAt = "fixed_at"
        case operatorName = "operator"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        fix = try c.decodeIfPresent(String.self, forKey: .fix) ?? ""
        fixedAt = try c.decodeIfPresent(String.self, forKey: .fixedAt) ?? ""
        operatorName = try c.decodeIfPresent(String.self, forKey: .operatorName) ?? ""
    }
}

/// The technician's sign-off (ký xác nhận).
public struct SignatureContent: LogbookContent, Equatable {
    public static let kind = LogbookEntry.Kind.signature
    public var signedBy: String
    public var signedAt: String

    public init(signedBy: String, signedAt: String) {
        self.signedBy = signedBy
        self.signedAt = signedAt
    }

    enum CodingKeys: String, CodingKey {
        case signedBy = "signed_by"
        case signedAt = "signed_at"
    }
}

/// A correction of an entry (entries are never edited).
public struct CorrectionContent: LogbookContent, Equatable {
    public static let kind = LogbookEntry.Kind.correction
    public var text: String
    public var operatorName: String

    public init(text: String, operatorName: String) {
        self.text = text
        self.operatorName = operatorName
    }

    enum CodingKeys: String, CodingKey {
        case text
        case operatorName = "operator"
    }
}

/// The end of an official session (the shutdown that closed it).
public struct SessionEndContent: LogbookContent, Equatable {
    public static let kind = LogbookEntry.Kind.sessionEnd
    public var endedAt: String
    public var procedure: String
    public var operatorName: String
    /// The quality sampled through the session (Điều 4): how many samples, average and worst.
    public var qualitySamples: String?
    public var lossAverage: String?
    public var lossWorst: String?
    public var jitterAverage: String?
    public var jitterWorst: String?
    public var rateAverage: String?
    public var rateLowest: String?
    /// The same session as the conference bridge measured the room's leg (what the province received).
    public var bridge: String?
    public var bridgeSamples: String?
    public var bridgeLossAverage: String?
    public var bridgeLossWorst: String?
    public var bridgeJitterAverage: String?
    public var bridgeJitterWorst: String?
    public var bridgeVideoLossWorst: String?
    public var bridgeRoundTripAverage: String?

    public init(endedAt: String, procedure: String, operatorName: String) {
        self.endedAt = endedAt
        self.procedure = procedure
        self.operatorName = operatorName
    }

    enum CodingKeys: String, CodingKey {
        case endedAt = "ended_at"
        case procedure
        case operatorName = "operator"
        case qualitySamples = "quality_samples"
        case lossAverage = "loss_percent_average"
        case lossWorst = "loss_percent_worst"
        case jitterAverage = "jitter_ms_average"
        case jitterWorst = "jitter_ms_worst"
        case rateAverage = "rate_kbps_average"
        case rateLowest = "rate_kbps_lowest"
        case bridge
        case bridgeSamples = "bridge_samples"
        case bridgeLossAverage = "bridge_rx_audio_loss_percent_average"
        case bridgeLossWorst = "bridge_rx_audio_loss_percent_worst"
        case bridgeJitterAverage = "bridge_rx_audio_jitter_ms_average"
        case bridgeJitterWorst = "bridge_rx_audio_jitter_ms_worst"
        case bridgeVideoLossWorst = "bridge_rx_video_loss_percent_worst"
        case bridgeRoundTripAverage = "bridge_rtt_ms_average"
    }
}

/// What a scheduled job of a booking did (Điều 5.1, 5.4): run on time, late, skipped or missed.
public struct JobContent: LogbookContent, Equatable {
    public static let kind = LogbookEntry.Kind.job
    /// `power-on`, `test-call`, `diagnostics`, `dial`, `shutdown`.
    public var job: String
    public var booking: String
    public var dueAt: String
    public var ranAt: String
    /// `done`, `failed`, `skipped`, `missed`, `ready`.
    public var outcome: String
    public var detail: String
    public var operatorName: String

    public init(
        job: String, booking: String, dueAt: String, ranAt: String, outcome: String, detail: String,
        operatorName: String
    ) {
        self.job = job
        self.booking = booking
        self.dueAt = dueAt
        self.ranAt = ranAt
        self.outcome = outcome
        self.detail = detail
        self.operatorName = operatorName
    }

    enum CodingKeys: String, CodingKey {
        case job, booking
        case dueAt = "due_at"
        case ranAt = "ran_at"
        case outcome, detail
        case operatorName = "operator"
    }
}

extension LogbookContent {
    /// The content as the logbook stores it: a JSON object of strings (absent values left out).
    public var payload: [String: String] {
        guard let data = try? JSONEncoder().encode(self),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return [:] }
        return object.compactMapValues { $0 as? String }
    }

    /// The content of a stored payload; nil when it does not read as this kind.
    public init?(payload: [String: String]) {
        guard let content = try? Self(from: PayloadDecoder(payload: payload)) else { return nil }
        self = content
    }
}

extension LogbookEntry {
    /// The entry's content as `type`, when the entry is of that kind.
    public func content<C: LogbookContent>(_ type: C.Type) -> C? {
        kind == C.kind ? C(payload: payload) : nil
    }

    public var session: SessionContent? { content(SessionContent.self) }
    public var incident: IncidentContent? { content(IncidentContent.self) }
}

extension Logbook {
    /// Appends typed content.
    @discardableResult
    public func append<C: LogbookContent>(room: String, _ content: C, refersTo: Int64? = nil, at date: Date = Date())
        async throws -> LogbookEntry
    {
        try await append(room: room, kind: C.kind, refersTo: refersTo, payload: content.payload, at: date)
    }
}
