import Foundation
import HNTTCore
import HNTTGovernance

extension Gateway {
    /// The room a device belongs to.
    func room(of device: String) -> Room? {
        try? inventory().rooms.first { $0.devices.contains { $0.id == device } }
    }

    /// The official session of `room` in progress: its logbook entry (the last official session
    /// with no end written), when the room is in session.
    func openOfficialSession(of room: String) async throws -> LogbookEntry? {
        let database = try await openDatabase()
        guard try await RoomStates(database: database).state(of: room).phase == .inSession else { return nil }
        let entries = try await Logbook(database: database).list(room: room)
        guard let session = entries.last(where: { $0.session?.sessionType == .official }) else { return nil }
        let ended = entries.contains { $0.kind == .sessionEnd && $0.refersTo == session.id }
        return ended ? nil : session
    }

    /// The booking of `room` whose time includes `date`.
    func currentBooking(of room: String, at date: Date) async -> Booking? {
        let bookings = try? await BookingStore(database: openDatabase()).list(room: room, from: date, to: date + 1)
        return bookings?.first { $0.status == .booked && $0.start <= date }
    }

    /// The quality sampled through an official session: average and worst, for its end in the logbook.
    func sampledQuality(of session: Int64, into end: inout SessionEndContent) async {
        guard let samples = try? await QualitySamples(database: openDatabase()).samples(session: session),
            !samples.isEmpty
        else { return }
        end.qualitySamples = String(samples.count)
        func average(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
        let loss = samples.compactMap(\.lossPercent)
        if !loss.isEmpty {
            end.lossAverage = String(format: "%.2f", average(loss))
            end.lossWorst = String(format: "%.2f", loss.max() ?? 0)
        }
        let jitter = samples.compactMap(\.jitterMs)
        if !jitter.isEmpty {
            end.jitterAverage = String(format: "%.0f", average(jitter))
            end.jitterWorst = String(format: "%.0f", jitter.max() ?? 0)
        }
        let rate = samples.compactMap(\.rateKbps)
        if !rate.isEmpty {
            end.rateAverage = String(Int(average(rate.map(Double.init)).rounded()))
            end.rateLowest = String(rate.min() ?? 0)
        }
    }
}

/// Samples the media statistics of an official session every `quality_every` on the watch's own
/// connection; loss per interval from the cumulative counters.
struct QualitySampler: Sendable {
    let gateway: Gateway
    let device: InventoryDevice
    private var lastCheck = Date.distantPast
    private var previous: (session: Int64, counters: MediaCounters)?
    /// The codec's SIP URI and H.323 alias, read once, to find its leg on the bridges.
    private var addresses: [String]?

    init(gateway: Gateway, device: InventoryDevice) {
        self.gateway = gateway
        self.device = device
    }

    mutating func sampleIfDue(_ codec: any WatchableCodec) async throws {
        guard let room = gateway.room(of: device.id), Date().timeIntervalSince(lastCheck) >= room.schedule.qualityEvery
        else { return }
        lastCheck = Date()
        guard let session = try await gateway.openOfficialSession(of: room.id) else {
            previous = nil
            return
        }
        let bridges = gateway.bridges()
        if !bridges.isEmpty {
            if addresses == nil, let profile = try? gateway.profile(of: device) {
                addresses = await Gateway.addresses(of: codec, profile: profile)
            }
            await gateway.sampleBridges(addresses: addresses ?? [], session: session.id)
        }
        guard let source = codec as? any MediaStatisticsSource, let counters = try await source.mediaCounters() else {
            previous = nil
            return
        }
        var loss = counters.lossPercent
        if loss == nil, let packets = counters.packets, let lost = counters.lost {
            let base = previous?.session == session.id ? previous?.counters : nil
            let sent = packets - (base?.packets ?? 0)
            let missing = lost - (base?.lost ?? 0)
            if sent > 0 { loss = 100 * Double(max(0, missing)) / Double(sent) }
        }
        previous = (session.id, counters)
        try await QualitySamples(database: gateway.openDatabase()).add(
            QualitySample(
                at: gateway.now(), lossPercent: loss, jitterMs: counters.jitterMs, rateKbps: counters.rateKbps),
            session: session.id)
    }
}

/// A call of an official session that the far end or the network ended: an incident at once, an
/// alert, and with `redial_on_drop` the chair dialled again and the reconnection logged.
struct CallDrop: Sendable {
    let gateway: Gateway
    let device: InventoryDevice

    func handle(cause: String?, codec: any WatchableCodec) async {
        guard let room = gateway.room(of: device.id),
            let session = try? await gateway.openOfficialSession(of: room.id),
            let logbook = try? await Logbook(database: gateway.openDatabase())
        else { return }
        let seen = gateway.now()
        let chair = session.session?.chairSite ?? ""
        let why = cause ?? "no cause given"
        let incident = try? await logbook.append(
            room: room.id,
            IncidentContent(
                what: "\(device.id): cuộc gọi tới \(chair) bị ngắt (\(why))", kind: .network, source: "watch",
                operatorName: LiveWatch.caller.operatorName ?? "", reportedAt: timestamp(seen),
                beganAt: timestamp(seen)),
            refersTo: session.id)
        let booking = await gateway.currentBooking(of: room.id, at: seen)
        let alert = AlertDraft(
            kind: "call-dropped", message: "the call to \(chair) dropped: \(why)", room: room.id, device: device.id,
            booking: booking?.id)
        await gateway.alert(alert, at: seen)
        guard room.schedule.redialOnDrop, !chair.isEmpty, let incident else { return }
        do {
            let call = try await gateway.dial(device.id, number: chair, by: LiveWatch.caller)
            try await logbook.append(
                room: room.id,
                FixContent(
                    fix: "gọi lại \(chair) tự động (redial_on_drop), cuộc gọi \(call)",
                    fixedAt: timestamp(gateway.now()),
                    operatorName: LiveWatch.caller.operatorName ?? ""),
                refersTo: incident.id)
            await gateway.recoverAlerts(
                subject: alert.subject, kinds: [alert.kind], message: "redialled \(chair)", at: gateway.now())
        } catch {
            gateway.warn("redialling \(chair) from \(device.id) failed: \(error)")
        }
    }
}
