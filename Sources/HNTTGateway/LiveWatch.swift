import Foundation
import HNTTCore
import HNTTGovernance

/// A supervised subscription on every codec that can push (``WatchableCodec``), each on a
/// connection of its own: registrations are made on every new connection and re-checked every
/// `recheckEvery`, each followed by a full re-read of the configuration so that nothing changed in
/// a gap goes unseen; every gap is audited. A configuration change that did not come through hntt
/// becomes an audit entry, a logbook incident (kind `configuration`) and an alert, and is left as
/// it is for the approver (Điều 3.3). Through an official session the watch samples the media
/// statistics every `quality_every` and reports a dropped call at once (redialled with `redial_on_drop`).
public actor LiveWatch {
    /// One codec's watch as the dashboard shows it.
    public struct State: Sendable {
        public var watching = false
        /// Since when the watch is down (never up yet, or lost); nil while watching.
        public var gapSince: Date?
        public var lastError: String?
    }

    private let gateway: Gateway
    private let recheckEvery: Double
    private let retryEvery: Double
    private var loops: [String: Task<Void, Never>] = [:]
    private var states: [String: State] = [:]
    private let live: LiveStatus?

    public init(gateway: Gateway, live: LiveStatus? = nil, recheckEvery: Double = 60, retryEvery: Double = 5) {
        self.gateway = gateway
        self.live = live
        self.recheckEvery = recheckEvery
        self.retryEvery = retryEvery
    }

    public static let caller = Caller(operatorName: "hntt (giám sát)")

    /// Starts one watch per codec of the inventory.
    public func start() throws {
        for device in try gateway.codecs() where loops[device.id] == nil {
            // A serial line (or a serial server's port) carries one session: it is not watched,
            // its drift checks and status reads go on as before.
            guard device.transport == .ssh || device.transport == .telnet else {
                states[device.id] = State(lastError: "not watched: its one line is kept for commands")
                continue
            }
            states[device.id] = State(gapSince: gateway.now())
            let watcher = CodecWatcher(
                gateway: gateway, device: device, recheckEvery: recheckEvery, retryEvery: retryEvery, watch: self)
            loops[device.id] = Task { await watcher.run() }
        }
    }

    public func stop() async {
        for loop in loops.values { loop.cancel() }
        for loop in loops.values { await loop.value }
        loops.removeAll()
    }

    public func state(of device: String) -> State { states[device] ?? State() }
    public func all() -> [String: State] { states }

    func update(_ device: String, _ change: (inout State) -> Void) {
        var state = states[device] ?? State()
        change(&state)
        states[device] = state
    }

    func statusChanged(_ device: String) async { await live?.refresh(device) }
}

/// The watch of one codec: connect, register, re-read, then read what it pushes until the
/// connection fails; then wait `retryEvery` and start again. Runs until cancelled.
struct CodecWatcher: Sendable {
    let gateway: Gateway
    let device: InventoryDevice
    let recheckEvery: Double
    let retryEvery: Double
    let watch: LiveWatch

    func run() async {
        var known: [String: String]?
        var gapSince: Date? = nil
        var sampler = QualitySampler(gateway: gateway, device: device)
        while !Task.isCancelled {
            let driver: any DeviceDriver
            do {
                driver = try gateway.driver(for: device)
            } catch {
                await lost(error, gapSince: &gapSince)
                try? await Task.sleep(for: .seconds(retryEvery * 6))
                continue
            }
            guard let codec = driver as? any WatchableCodec else {
                await watch.update(device.id) {
                    $0.lastError = "not watched: its driver has no feedback"
                    $0.gapSince = nil
                }
                return
            }
            do {
                try await codec.registerWatch()
                known = try await reread(codec, against: known, after: gapSince)
                if let since = gapSince { await gapEnded(since, why: "registered again") }
                gapSince = nil
                await watch.update(device.id) {
                    $0.watching = true
                    $0.gapSince = nil
                    $0.lastError = nil
                }
                var checked = Date()
                while !Task.isCancelled {
                    let events = try await codec.watchEvents(within: 1)
                    if !events.isEmpty { known = await handle(events, known: known ?? [:], codec: codec) }
                    try await sampler.sampleIfDue(codec)
                    guard Date().timeIntervalSince(checked) >= recheckEvery else { continue }
                    checked = Date()
                    if try await !codec.watchIntact() {
                        // The codec dropped the registrations: a gap from the last check to now.
                        let since = gateway.now() - recheckEvery
                        await gapBegan(since, why: "the codec dropped its feedback registrations")
                        try await codec.registerWatch()
                        known = try await reread(codec, against: known, after: since)
                        await gapEnded(since, why: "registered again")
                    }
                }
            } catch {
                await lost(error, gapSince: &gapSince)
            }
            await driver.close()
            if !Task.isCancelled { try? await Task.sleep(for: .seconds(retryEvery)) }
        }
    }

    private func lost(_ error: any Error, gapSince: inout Date?) async {
        guard !Task.isCancelled else { return }
        let message = (error as? HNTTError)?.message ?? "\(error)"
        await watch.update(device.id) {
            $0.watching = false
            $0.lastError = message
            if $0.gapSince == nil { $0.gapSince = gateway.now() }
        }
        if gapSince == nil {
            gapSince = gateway.now()
            await gapBegan(gateway.now(), why: message)
        }
    }

    private func gapBegan(_ since: Date, why: String) async {
        await gateway.audit(
            AuditRecord(device: device.id, action: "watch gap", detail: "from \(timestamp(since))"),
            by: LiveWatch.caller, outcome: "started", why: why)
    }

    private func gapEnded(_ since: Date, why: String) async {
        await gateway.audit(
            AuditRecord(
                device: device.id, action: "watch gap",
                detail: "from \(timestamp(since)) to \(timestamp(gateway.now())), configuration re-read"),
            by: LiveWatch.caller, outcome: "done", why: why)
    }

    /// The whole configuration read again; what differs from what the watch knew is a change seen now.
    private func reread(_ codec: any WatchableCodec, against known: [String: String]?, after since: Date?) async throws
        -> [String: String]
    {
        let settings = try await normalised(codec.configuration(key: nil).entries)
        let now = Dictionary(settings.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        guard let known else { return now }
        for setting in settings where known[setting.key] != setting.value {
            await changed(setting.key, from: known[setting.key], to: setting.value, gapSince: since)
        }
        return now
    }

    private func normalised(_ entries: [Setting]) throws -> [Setting] {
        try gateway.normaliser().normalise(ConfigurationSettings(entries), profile: gateway.profile(of: device))
    }

    private func handle(_ events: [WatchEvent], known: [String: String], codec: any WatchableCodec) async
        -> [String: String]
    {
        var known = known
        var statusChanged = false
        for event in events {
            switch event {
            case .configuration(let raw):
                guard let setting = try? normalised([raw]).first, known[setting.key] != setting.value else { continue }
                await changed(setting.key, from: known[setting.key], to: setting.value, gapSince: nil)
                known[setting.key] = setting.value
            case .callEnded(_, let cause, let remote):
                statusChanged = true
                if remote { await CallDrop(gateway: gateway, device: device).handle(cause: cause, codec: codec) }
            case .call, .standby, .microphonesMuted:
                statusChanged = true
            }
        }
        if statusChanged { await watch.statusChanged(device.id) }
        return known
    }

    /// A setting changed on the device: hntt's own change (audited as such) is expected; anything
    /// else is reported and left as it is.
    private func changed(_ key: String, from old: String?, to new: String, gapSince: Date?) async {
        if await gateway.isChangingConfiguration(device.id) { return }
        let seen = gateway.now()
        let shown = { (value: String?) in value.map(SnapshotNormaliser.display) ?? "(none)" }
        let words = "\(key): \(shown(old)) → \(shown(new))"
        let when = gapSince.map { "between \(timestamp($0)) and \(timestamp(seen))" } ?? "at \(timestamp(seen))"
        await gateway.audit(
            AuditRecord(device: device.id, action: "unauthorised change", detail: words), by: LiveWatch.caller,
            outcome: "seen", why: "not through hntt, seen \(when); left for the approver")
        let room = gateway.room(of: device.id)?.id
        if let room {
            _ = try? await Logbook(database: gateway.openDatabase()).append(
                room: room,
                IncidentContent(
                    what: "\(device.id): cấu hình thay đổi ngoài hntt — \(words) (seen \(when))",
                    kind: .configuration, source: "watch", operatorName: LiveWatch.caller.operatorName ?? "",
                    reportedAt: timestamp(seen), beganAt: timestamp(gapSince ?? seen)))
        }
        await gateway.alert(
            AlertDraft(
                kind: "unauthorised-change", message: "\(words), not through hntt; left for the approver",
                room: room, device: device.id, key: key), at: seen)
    }
}

extension Gateway {
    /// True while hntt itself writes to this device's configuration (a change, a remediation, a
    /// recovery audited in the last ten minutes, by this process or another).
    public func isChangingConfiguration(_ device: String) async -> Bool {
        guard let entries = try? await AuditLog(database: openDatabase()).list(limit: 200) else { return false }
        let writes: Set<String> = ["change apply", "config set", "remediate", "change recover"]
        let since = Date() - 600
        return entries.contains { entry in
            writes.contains(entry.action)
                && entry.device.split(separator: ",").contains { $0 == device || $0 == "*" }
                && (parseTimestamp(entry.at) ?? .distantPast) >= since
        }
    }
}
