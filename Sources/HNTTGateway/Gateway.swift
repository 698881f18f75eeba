import Foundation
import HNTTCore
import HNTTGovernance
import HNTTTransport

/// The application: one object that every interface (the CLI, the service, the scheduler, the
/// hub) calls. Built from the inventory, the data folder and a driver registry; its intent
/// methods return values, audit themselves and throw ``HNTTError``s. Interfaces parse, render
/// and map errors; they hold no logic of their own.
public final class Gateway: @unchecked Sendable {
    public let inventoryPath: String
    public let data: DataDirectory
    public let profiles: ProfileCatalog
    public let registry: DriverRegistry
    /// Connections kept open between requests (the service); nil: one connection per call (the CLI).
    public let connections: DeviceConnections?
    /// The time the rules are judged by (the test window of Điều 5.4, the scheduler); a test injects its own.
    public let now: @Sendable () -> Date
    /// Wakes the service's alert delivery when an alert was queued.
    public let alertsQueued = Signal()
    private let lock = NSLock()
    private var openDatabase: GovernanceDatabase?
    /// The inventory and the profiles as last parsed, with the file stamps they were parsed from: a
    /// long-running service reads each file again only when it changed.
    private var parsedInventory: (stamp: FileStamp, inventory: Inventory)?
    private var parsedProfiles: [String: (stamp: FileStamp, profile: DeviceProfile)] = [:]

    public init(
        inventoryPath: String, data: DataDirectory, profiles: ProfileCatalog, registry: DriverRegistry = .standard,
        keepingConnections: Bool = false, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.now = now
        self.inventoryPath = inventoryPath
        self.data = data
        self.profiles = profiles
        self.registry = registry
        self.connections = keepingConnections ? DeviceConnections() : nil
    }

    /// The gateway as the contract finds it: `--inventory`/`$HNTT_INVENTORY`/`./inventory.yaml`,
    /// `--data`/`$HNTT_DATA`/`$XDG_DATA_HOME/hntt`, profiles beside the inventory or installed.
    public convenience init(inventory: String?, data: String?, keepingConnections: Bool = false) {
        let path = Inventory.resolvePath(inventory)
        self.init(
            inventoryPath: path, data: DataDirectory.resolve(data),
            profiles: ProfileCatalog.locate(inventoryPath: path),
            keepingConnections: keepingConnections)
    }

    public var secrets: SecretStore { SecretStore(data: data) }
    public var pins: HostKeyPins { HostKeyPins(data: data) }

    public func inventory() throws -> Inventory {
        let stamp = FileStamp(inventoryPath)
        if let stamp, let parsed = lock.withLock({ parsedInventory }), parsed.stamp == stamp { return parsed.inventory }
        let inventory = try Inventory.load(path: inventoryPath, profiles: profiles)
        if let stamp { lock.withLock { parsedInventory = (stamp, inventory) } }
        return inventory
    }

    /// The one database of this process, opened (and migrated) on first use, off the cooperative pool.
    public func openDatabase() async throws -> GovernanceDatabase {
        if let open = lock.withLock({ openDatabase }) { return open }
        return try await onOwnThread { try self.database() }
    }

    /// The one database of this process, opened (and migrated) on first use; blocks while it opens.
    public func database() throws -> GovernanceDatabase {
        try lock.withLock {
            if let openDatabase { return openDatabase }
            let database = try GovernanceDatabase(data: data)
            openDatabase = database
            return database
        }
    }

    public func device(_ id: String) throws -> InventoryDevice { try inventory().device(id) }

    public func profile(of device: InventoryDevice) throws -> DeviceProfile {
        let id = device.profileID
        let stamp = FileStamp(profiles.path(for: id))
        if let stamp, let parsed = lock.withLock({ parsedProfiles[id] }), parsed.stamp == stamp {
            return parsed.profile
        }
        let profile = try profiles.load(id)
        if let stamp { lock.withLock { parsedProfiles[id] = (stamp, profile) } }
        return profile
    }

    /// True for devices driven as cameras (no configuration, calls or microphones).
    public func isCamera(_ device: InventoryDevice) throws -> Bool { try kind(of: device) == .camera }

    /// A room's codec, a camera driven directly, or a conference bridge.
    public func kind(of device: InventoryDevice) throws -> DeviceKind {
        try registry.entry(for: profile(of: device), device: device.id).kind
    }

    /// True for codecs: the devices with calls, microphones and a configuration under baselines.
    public func isCodec(_ device: InventoryDevice) throws -> Bool { try kind(of: device) == .codec }

    /// The driver for a device, ready to connect on first use.
    public func driver(for device: InventoryDevice, hostKeyPolicy: HostKeyPolicy? = nil) throws -> any DeviceDriver {
        let plan = try ConnectionPlan.make(
            device: device, profile: profile(of: device), secrets: secrets, pins: pins,
            hostKeyPolicy: hostKeyPolicy)
        return try registry.driver(for: plan)
    }

    /// Closes `driver`, keeping what it saw of a standby state the device cannot be asked for.
    public func finish(_ driver: any DeviceDriver, device: String) async {
        await driver.close()
        guard let observing = driver as? any StandbyObserving, let seen = await observing.observedStandby else {
            return
        }
        try? await DeviceStates(database: openDatabase()).record(seen, device: device)
    }

    /// Runs `body` with a device's driver and always closes the connection.
    /// A change a dead process left on this device is finished or undone first (``recoverChanges(touching:by:)``).
    public func withDevice<T: Sendable>(_ id: String, _ body: (any DeviceDriver) async throws -> T) async throws -> T {
        try await withDevice(id, recovering: true, body)
    }

    func withDevice<T: Sendable>(
        _ id: String, recovering: Bool, _ body: (any DeviceDriver) async throws -> T
    ) async throws -> T {
        if recovering { await recoverChanges(touching: id) }
        if let connections { return try await withKeptDriver(device(id), in: connections, body) }
        let driver = try driver(for: device(id))
        do {
            let result = try await body(driver)
            await finish(driver, device: id)
            return result
        } catch {
            await finish(driver, device: id)
            throw error
        }
    }

    /// Runs `body` with a codec's driver; a camera is refused with a message that says why.
    public func withCodec<T: Sendable>(_ id: String, _ body: (any CodecDriver) async throws -> T) async throws -> T {
        try await withDevice(id) { driver in
            guard let codec = driver as? any CodecDriver else {
                if driver is any BridgeDriver {
                    throw HNTTError(
                        .badInput, "\(id) is a conference bridge, not a room's codec", device: id,
                        fix: "use `hntt mcu calls|legs|mute|drop|dial \(id)` for the bridge")
                }
                throw HNTTError(
                    .badInput, "\(id) is a camera: it has no calls, microphones or configuration to read",
                    device: id, fix: "use the room's codec for this command")
            }
            return try await body(codec)
        }
    }

    /// Runs `body` with a camera's driver; a codec is refused with a message that says why.
    public func withCamera<T: Sendable>(_ id: String, _ body: (any CameraDriver) async throws -> T) async throws -> T {
        try await withDevice(id) { driver in
            guard let camera = driver as? any CameraDriver else {
                throw HNTTError(
                    .badInput, "\(id) is a codec, not a camera driven directly", device: id,
                    fix: "use `hntt preset \(id) recall N --camera C` to move the codec's camera")
            }
            return try await body(camera)
        }
    }
}

/// What an audited intent does, for the audit log.
public struct AuditRecord: Sendable {
    public let device: String
    public let action: String
    public let detail: String

    public init(device: String, action: String, detail: String = "") {
        self.device = device
        self.action = action
        self.detail = detail
    }
}

extension Gateway {
    /// Runs `body` and appends the attempt to the audit log: done, failed or refused (exit 3),
    /// with why. An audit that cannot be written is reported on standard error, loudly.
    /// `failure` tells a result that counts as failed (a procedure whose step failed) and why.
    public func audited<T: Sendable>(
        _ record: AuditRecord, by caller: Caller, failure: (T) -> String? = { _ in nil },
        _ body: () async throws -> T
    ) async throws -> T {
        // Intent first, and fail closed: an action that cannot be audited does not run.
        do {
            try await appendAudit(record, by: caller, outcome: "started", why: "")
        } catch {
            let reason = (error as? HNTTError)?.message ?? "\(error)"
            throw HNTTError(
                .badFile, "the audit log cannot be written, so nothing was done: \(reason)",
                fix:
                    "check the data folder (free space, permissions); restore hntt.sqlite from a backup if it is damaged"
            )
        }
        do {
            let result = try await body()
            let why = failure(result)
            await audit(record, by: caller, outcome: why == nil ? "done" : "failed", why: why ?? "")
            return result
        } catch let error as HNTTError {
            await audit(record, by: caller, outcome: error.exitCode == 3 ? "refused" : "failed", why: error.message)
            throw error
        } catch let error as TransportError {
            await audit(record, by: caller, outcome: "failed", why: error.detail)
            throw HNTTError.from(error, device: record.device)
        } catch {
            await audit(record, by: caller, outcome: "failed", why: "\(error)")
            throw error
        }
    }

    /// Appends one audit entry now; a failure is a warning (the action it records has happened).
    public func audit(_ record: AuditRecord, by caller: Caller, outcome: String, why: String) async {
        do {
            try await appendAudit(record, by: caller, outcome: outcome, why: why)
        } catch {
            FileHandle.standardError.write(Data("warning: the audit log could not be written: \(error)\n".utf8))
        }
    }

    private func appendAudit(_ record: AuditRecord, by caller: Caller, outcome: String, why: String) async throws {
        let detail = why.isEmpty ? record.detail : record.detail + (record.detail.isEmpty ? "" : "; ") + why
        try await AuditLog(database: openDatabase()).append(
            device: record.device, action: record.action, outcome: outcome,
            detail: detail, operatorName: caller.operatorName, osUser: caller.osUser)
    }
}

/// What tells a file changed: its inode, size and modification time (to the nanosecond).
struct FileStamp: Equatable {
    let inode: UInt64
    let size: Int64
    let seconds: Int
    let nanoseconds: Int

    /// Nil when the file cannot be read (the load then reports why).
    init?(_ path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        seconds = info.st_mtim.tv_sec
        nanoseconds = info.st_mtim.tv_nsec
    }
}
