import ArgumentParser
import HNTTCisco
import HNTTCore
import HNTTPoly
import HNTTTransport

/// Options every command takes (CONTRACT.md).
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The inventory file (default $HNTT_INVENTORY, else ./inventory.yaml).")
    var inventory: String?

    @Option(name: .long, help: "The data folder (default $HNTT_DATA, else $XDG_DATA_HOME/hntt).")
    var data: String?

    @Flag(name: .long, help: "Print one JSON document on standard output; text goes to standard error.")
    var json = false

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
    func codec(_ deviceID: String, hostKeyPolicy: HostKeyPolicy? = nil) throws -> any CodecDriver {
        let device = try inventory().device(deviceID)
        return try codec(for: device, hostKeyPolicy: hostKeyPolicy)
    }

    func codec(for device: InventoryDevice, hostKeyPolicy: HostKeyPolicy? = nil) throws -> any CodecDriver {
        let profile = try profiles.load(device.profileID)
        let plan = try ConnectionPlan.make(device: device, profile: profile, secrets: secrets, pins: pins,
                                           hostKeyPolicy: hostKeyPolicy)
        return try DriverRegistry.codecDriver(for: plan)
    }

    /// Runs `body` with the device's driver and always closes the connection.
    func withCodec<T>(_ deviceID: String, _ body: (any CodecDriver) async throws -> T) async throws -> T {
        try await withCodec(try codec(deviceID), body)
    }

    /// Runs `body` with `driver` and always closes its connection.
    func withCodec<T>(_ driver: any CodecDriver, _ body: (any CodecDriver) async throws -> T) async throws -> T {
        do {
            let result = try await body(driver)
            await driver.close()
            return result
        } catch {
            await driver.close()
            throw error
        }
    }
}

/// Which driver speaks each profile's protocol (the profile's `driver:` field).
enum DriverRegistry {
    static func codecDriver(for plan: ConnectionPlan) throws -> any CodecDriver {
        switch plan.profile.driver {
        case "cisco-xapi":
            return CiscoXAPIDriver(plan: plan)
        case "poly-legacy":
            return PolyLegacyDriver(plan: plan)
        default:
            throw HNTTError(.badFile, "profile \(plan.profile.id) names driver \"\(plan.profile.driver)\", which this hntt does not have",
                            device: plan.device.id, fix: "use a profile whose driver is cisco-xapi or poly-legacy")
        }
    }
}
