import Foundation
import HNTTCore
import HNTTGovernance

/// The figures behind the report's short assessment (Điều 5.8: "đánh giá"): sessions held against
/// those booked, the share of measured sessions of good quality, and how incidents were fixed.
public struct YearlyAssessment: Sendable, Equatable {
    /// Good quality: packet loss at most 1 % and jitter at most 30 ms (ITU-T Y.1541 class 1 loss, and the
    /// jitter a video codec's buffer absorbs), as the session measured them or their average through it.
    public static let goodLossPercent = 1.0
    public static let goodJitterMs = 30.0

    /// Bookings of the year already begun and not cancelled; nil when the site keeps no bookings.
    public var booked: Int?
    /// Of those, the ones with an official session in their room between an hour before and their end.
    public var held: Int?
    public var officialSessions = 0
    public var measuredSessions = 0
    public var goodQualitySessions = 0
    public var incidents = 0
    public var incidentsFixed = 0
    public var averageMinutesToFix: Double?
    public var longestMinutesToFix: Double?

    public init() {}

    init(year: Int, logbook: [LogbookEntry], incidents: [IncidentRecord], bookings: [Booking], now: Date) {
        let prefix = String(year)
        // Each payload is decoded once, and sessions are matched by id and room: the province's report merges
        // every gateway's year.
        let sessions = logbook.compactMap { entry -> (entry: LogbookEntry, session: SessionContent)? in
            guard let session = entry.session,
                (session.startedAt.isEmpty ? entry.at : session.startedAt).hasPrefix(prefix)
            else { return nil }
            return (entry, session)
        }
        officialSessions = sessions.filter { $0.session.sessionType == .official }.count
        let ends = Dictionary(
            logbook.compactMap { entry in
                entry.refersTo.flatMap { id in entry.content(SessionEndContent.self).map { (id, $0) } }
            },
            uniquingKeysWith: { first, _ in first })
        for (entry, session) in sessions {
            let end = ends[entry.id]
            // The room's own figures first; the bridge's view of its leg when the codec measured nothing.
            let loss =
                end?.lossAverage.flatMap(Double.init) ?? session.lossPercent.flatMap(Double.init)
                ?? end?.bridgeLossAverage.flatMap(Double.init)
            let jitter =
                end?.jitterAverage.flatMap(Double.init) ?? session.jitterMs.flatMap(Double.init)
                ?? end?.bridgeJitterAverage.flatMap(Double.init)
            guard loss != nil || jitter != nil else { continue }
            measuredSessions += 1
            if (loss ?? 0) <= Self.goodLossPercent, (jitter ?? 0) <= Self.goodJitterMs { goodQualitySessions += 1 }
        }
        self.incidents = incidents.count
        incidentsFixed = incidents.filter(\.isFixed).count
        let minutes = incidents.compactMap(\.minutesToFix)
        averageMinutesToFix = minutes.isEmpty ? nil : minutes.reduce(0, +) / Double(minutes.count)
        longestMinutesToFix = minutes.max()
        let due = bookings.filter {
            $0.status == .booked && $0.start <= now && Calendar.current.component(.year, from: $0.start) == year
        }
        guard !due.isEmpty else { return }
        booked = due.count
        let official = Dictionary(
            grouping: sessions.compactMap { entry, session -> (room: String, start: Date)? in
                guard session.sessionType == .official,
                    let start = parseTimestamp(session.startedAt.isEmpty ? entry.at : session.startedAt)
                else { return nil }
                return (entry.room, start)
            }, by: \.room)
        held =
            due.filter { booking in
                (official[booking.room] ?? []).contains {
                    $0.start >= booking.start.addingTimeInterval(-3600) && $0.start <= booking.end
                }
            }.count
    }
}
