import ArgumentParser
import Foundation
import HNTTCore
import HNTTGateway
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

    /// Who asks, for the audit log.
    var caller: Caller { Caller(operatorName: auditOperator) }

    /// The application, one per process.
    var gateway: Gateway { Gateways.shared(inventory: inventory, data: data) }

    var output: Output { Output(json: json) }

    /// Loads what a command needs, lazily: commands that touch no device never read the inventory.
    func context() -> CommandContext { CommandContext(options: self) }
}

/// The site as a command sees it: the Gateway, and what older commands still reach through it.
struct CommandContext {
    let options: GlobalOptions

    var gateway: Gateway { options.gateway }
    var inventoryPath: String { gateway.inventoryPath }
    var profiles: ProfileCatalog { gateway.profiles }
    var data: DataDirectory { gateway.data }
    var secrets: SecretStore { gateway.secrets }
    var pins: HostKeyPins { gateway.pins }

    func inventory() throws -> Inventory { try gateway.inventory() }

    func driver(for device: InventoryDevice, hostKeyPolicy: HostKeyPolicy? = nil) throws -> any DeviceDriver {
        try gateway.driver(for: device, hostKeyPolicy: hostKeyPolicy)
    }

    func withDevice<T: Sendable>(_ deviceID: String, _ body: (any DeviceDriver) async throws -> T) async throws -> T {
        try await gateway.withDevice(deviceID, body)
    }

    func withCodec<T: Sendable>(_ deviceID: String, _ body: (any CodecDriver) async throws -> T) async throws -> T {
        try await gateway.withCodec(deviceID, body)
    }

    /// Runs `body` with `driver` and always closes its connection (keeping a standby state seen).
    func withDriver<T>(_ driver: any DeviceDriver, device: String, _ body: () async throws -> T) async throws -> T {
        do {
            let result = try await body()
            await gateway.finish(driver, device: device)
            return result
        } catch {
            await gateway.finish(driver, device: device)
            throw error
        }
    }
}

/// One Gateway per process and site.
enum Gateways {
    nonisolated(unsafe) private static var cache: [String: Gateway] = [:]
    private static let lock = NSLock()

    static func shared(inventory: String?, data: String?) -> Gateway {
        lock.withLock {
            let key = "\(inventory ?? "")\u{1F}\(data ?? "")"
            if let gateway = cache[key] { return gateway }
            let gateway = Gateway(inventory: inventory, data: data)
            cache[key] = gateway
            return gateway
        }
    }
}
