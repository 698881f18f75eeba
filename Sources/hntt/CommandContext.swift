import ArgumentParser
import Foundation
import HNTTCisco
import HNTTCore
import HNTTPoly
import HNTTVISCA
import HNTTTransport

/// Options every command takes (CONTRACT.md).
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The inventory file (default $HNTT_INVENTORY, else ./inventory.yaml).")
    var inventory: String?

    @Option(name: .long, help: "The data folder (default $HNTT_DATA, else $XDG_DATA_HOME/hntt).")
    var data: String?

    @Flag(name: .long, help: "Print one JSON document on standard output; text goes to standard error.")
    var json = false

    @Option(name: .customLong("operator"), help: "Your name, for the audit log (default $HNTT_OPERATOR).")
    var operatorName: String?

    /// The technician named for the audit log.
    var auditOperator: String? { operatorName ?? ProcessInfo.processInfo.environment["HNTT_OPERATOR"] }

    var output: Output { Output(json: json) }

    /// Loads what a command needs, lazily: commands that touch no device never read the inventory.
    func context() -> CommandContext { CommandContext(options: self) }
}

/// The site as a command sees it: inventory, profiles, data folder, secrets, pins.
struct CommandContext {
    let options: GlobalOptions

    var inventoryPath: String { Inventory.resolvePath(options.inventory) }
    var profiles: ProfileCatalog { ProfileCatalog.locate(inventoryPath: inventoryPath) }
    var data: DataDirectory { DataDirectory.resolve(options.data) }
    var secrets: SecretStore { SecretStore(data: data) }
    var pins: HostKeyPins { HostKeyPins(data: data) }

    func inventory() throws -> Inventory { try Inventory.load(path: inventoryPath, profiles: profiles) }

    /// The driver for a device, ready to connect on first use.
    func driver(for device: InventoryDevice, hostKeyPolicy: HostKeyPolicy? = nil) throws -> any DeviceDriver {
        let profile = try profiles.load(device.profileID)
        let plan = try ConnectionPlan.make(device: device, profile: profile, secrets: secrets, pins: pins,
                                           hostKeyPolicy: hostKeyPolicy)
        return try DriverRegistry.driver(for: plan)
    }

    /// Runs `body` with any device's driver (codec or camera) and always closes the connection.
    func withDevice<T>(_ deviceID: String, _ body: (any DeviceDriver) async throws -> T) async throws -> T {
        let driver = try driver(for: try inventory().device(deviceID))
        return try await withDriver(driver) { try await body(driver) }
    }

    /// Runs `body` with a codec's driver; a camera is refused with a message that says why.
    func withCodec<T>(_ deviceID: String, _ body: (any CodecDriver) async throws -> T) async throws -> T {
        let driver = try driver(for: try inventory().device(deviceID))
        guard let codec = driver as? any CodecDriver else {
            throw HNTTError(.badInput, "\(deviceID) is a camera: it has no calls, microphones or configuration to read",
                            device: deviceID, fix: "use the room's codec for this command")
        }
        return try await withDriver(codec) { try await body(codec) }
    }

    /// Runs `body` with a camera's driver; a codec is refused with a message that says why.
    func withCamera<T>(_ deviceID: String, _ body: (any CameraDriver) async throws -> T) async throws -> T {
        let driver = try driver(for: try inventory().device(deviceID))
        guard let camera = driver as? any CameraDriver else {
            throw HNTTError(.badInput, "\(deviceID) is a codec, not a camera driven directly", device: deviceID,
                            fix: "use `hntt preset \(deviceID) recall N --camera C` to move the codec's camera")
        }
        return try await withDriver(camera) { try await body(camera) }
    }

    /// Runs `body` with `driver` and always closes its connection; a standby state the driver
    /// saw is remembered for the next session.
    func withDriver<T>(_ driver: any DeviceDriver, _ body: () async throws -> T) async throws -> T {
        do {
            let result = try await body()
            await finish(driver)
            return result
        } catch {
            await finish(driver)
            throw error
        }
    }

    /// Closes `driver`, keeping what it saw of the standby state.
    func finish(_ driver: any DeviceDriver) async {
        await driver.close()
        if let observing = driver as? any StandbyObserving, let seen = await observing.observedStandby,
            let device = (driver as? any PlannedDriver)?.plan.device.id
        {
            rememberStandby(seen, device: device)
        }
    }
}

/// A driver built from a connection plan (every driver is).
protocol PlannedDriver { var plan: ConnectionPlan { get } }
extension CiscoXAPIDriver: PlannedDriver {}
extension PolyLegacyDriver: PlannedDriver {}
extension VISCACameraDriver: PlannedDriver {}

/// Which driver speaks each profile's protocol (the profile's `driver:` field).
enum DriverRegistry {
    static func driver(for plan: ConnectionPlan) throws -> any DeviceDriver {
        switch plan.profile.driver {
        case "cisco-xapi":
            return CiscoXAPIDriver(plan: plan)
        case "poly-legacy":
            return PolyLegacyDriver(plan: plan)
        case "sony-visca":
            return VISCACameraDriver(plan: plan)
        default:
            throw HNTTError(.badFile, "profile \(plan.profile.id) names driver \"\(plan.profile.driver)\", which this hntt does not have",
                            device: plan.device.id, fix: "use a profile whose driver is cisco-xapi, poly-legacy or sony-visca")
        }
    }
}
