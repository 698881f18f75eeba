import Foundation
import HNTTCore
import HNTTGovernance

/// The last status read of every device, refreshed in the background: a page or an API call reads
/// this and never waits on a device. A silent device costs its own refresh its timeout, no one else.
public actor LiveStatus {
    /// One device's last reading: the status, or why it could not be read, and when.
    public struct Reading: Sendable {
        public var status: DeviceStatus?
        public var error: HNTTError?
        /// When `status` was read.
        public var readAt: Date?
        /// When the last attempt ended.
        public var checkedAt: Date?

        public init() {}
    }

    private let gateway: Gateway
    private let every: Double
    private var readings: [String: Reading] = [:]
    private var loops: [Task<Void, Never>] = []
    /// Devices whose `unreachable` alert may be open (raised here, or left by an earlier process).
    private var mayHaveAlert: Set<String> = []
    private var seenOnce: Set<String> = []

    public init(gateway: Gateway, every seconds: Double = 10) {
        self.gateway = gateway
        self.every = seconds
    }

    /// Starts one refresh loop per device of the inventory.
    public func start() throws {
        for device in try gateway.inventory().devices {
            let id = device.id
            loops.append(
                Task { [weak self] in
                    while !Task.isCancelled {
                        await self?.refresh(id)
                        guard let every = self?.every else { return }
                        try? await Task.sleep(nanoseconds: UInt64(every * 1_000_000_000))
                    }
                })
        }
    }

    public func stop() {
        for loop in loops { loop.cancel() }
        loops.removeAll()
    }

    /// Reads one device now (also after an action changed it).
    public func refresh(_ device: String) async {
        do {
            let status = try await gateway.status(device)
            record(device) {
                $0.status = status
                $0.readAt = Date()
                $0.error = nil
            }
            if mayHaveAlert.contains(device) || !seenOnce.contains(device) {
                seenOnce.insert(device)
                mayHaveAlert.remove(device)
                await gateway.recoverAlerts(
                    subject: "device:\(device)", kinds: ["unreachable"], message: "answers again", at: gateway.now())
            }
        } catch {
            let failure = (error as? HNTTError) ?? HNTTError(.unreachable, "\(error)", device: device)
            record(device) { $0.error = failure }
            // A device that does not answer is an alert (once, until it answers again).
            if failure.category == .unreachable || failure.category == .timeout {
                seenOnce.insert(device)
                mayHaveAlert.insert(device)
                await gateway.alert(
                    AlertDraft(
                        kind: "unreachable", message: failure.message, room: gateway.room(of: device)?.id,
                        device: device), at: gateway.now())
            }
        }
    }

    /// Takes a status an action just returned, so the next page shows it without another read.
    public func took(_ status: DeviceStatus, of device: String) {
        record(device) {
            $0.status = status
            $0.readAt = Date()
            $0.error = nil
        }
    }

    public func reading(_ device: String) -> Reading { readings[device] ?? Reading() }

    public func all() -> [String: Reading] { readings }

    private func record(_ device: String, _ change: (inout Reading) -> Void) {
        var reading = readings[device] ?? Reading()
        change(&reading)
        reading.checkedAt = Date()
        readings[device] = reading
    }
}

/// A room at a glance: what the dashboard and `GET /api/v1/rooms` show.
public struct RoomOverview: Sendable {
    public struct Device: Sendable {
        public let id: String
        public let profile: String
        public let isCamera: Bool
        public let kind: DeviceKind
        public let reading: LiveStatus.Reading
        /// The last drift result (`clean`, `drift`, …) and when.
        public let drift: (status: String, at: String)?
    }

    public let id: String
    public let name: String
    public let unit: String
    public let phase: RoomPhase
    public let devices: [Device]
    public let lastTestCall: SessionContent?
    public let openIncidents: [IncidentRecord]
}

extension Gateway {
    /// Every room with its devices' last readings, drift, last test call and open incidents.
    public func roomOverviews(_ live: LiveStatus) async throws -> [RoomOverview] {
        let inventory = try inventory()
        let database = try await openDatabase()
        let readings = await live.all()
        let entries = try await Logbook(database: database).list()
        let drift = try await DriftChecker(database: database).latest()
        let states = try await RoomStates(database: database).all()
        let byRoom = Dictionary(grouping: entries, by: \.room)
        var rooms: [RoomOverview] = []
        for room in inventory.rooms {
            var devices: [RoomOverview.Device] = []
            for device in room.devices {
                let last = drift[device.id]
                devices.append(
                    .init(
                        id: device.id, profile: device.profileID, isCamera: (try? isCamera(device)) ?? false,
                        kind: (try? kind(of: device)) ?? .codec,
                        reading: readings[device.id] ?? LiveStatus.Reading(),
                        drift: last.map { ($0.status, $0.checkedAt) }))
            }
            let own = byRoom[room.id] ?? []
            let test = own.last { $0.session?.sessionType == .test }?.session
            rooms.append(
                RoomOverview(
                    id: room.id, name: room.name, unit: room.unit,
                    phase: states[room.id]?.phase ?? .off, devices: devices,
                    lastTestCall: test, openIncidents: IncidentRecord.all(in: own).filter { !$0.isFixed }))
        }
        return rooms
    }
}
