import ArgumentParser
import Foundation
import HNTTCore
import HNTTGateway
import HNTTDocuments
import HNTTTransport

struct DevicesCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "devices",
        abstract: "List rooms and devices; --check connects and logs in to each.")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Connect and log in to every device, in parallel.") var check = false
    @Option(help: "How many devices to check at once.") var parallel = 32

    func execute() async throws {
        let context = global.context()
        let inventory = try context.inventory()
        var results: [String: Result<String, HNTTError>] = [:]
        if check {
            results = await checkAll(inventory.devices, context: context)
        }
        var rooms: [JSONValue] = []
        var lines = ["\(inventory.site.isEmpty ? inventory.path : inventory.site)"]
        for room in inventory.rooms {
            lines.append("  \(room.id)  \(room.name)  [\(room.unit)]")
            var devices: [JSONValue] = []
            for device in room.devices {
                var fields: [(String, JSONValue)] = [
                    ("id", .string(device.id)), ("profile", .string(device.profileID)),
                    ("transport", .string(device.transport.rawValue)), ("endpoint", .string(device.endpointDescription)),
                ]
                var line = "    \(device.id)  \(device.profileID)  \(device.endpointDescription)"
                switch results[device.id] {
                case .success(let detail)?:
                    fields.append(("check", .object([("ok", .bool(true)), ("detail", .string(detail))])))
                    line += "  ok (\(detail))"
                case .failure(let error)?:
                    fields.append(("check", .object([("ok", .bool(false)), ("code", .string(error.category.rawValue)),
                                                     ("message", .string(error.message))])))
                    line += "  FAILED: \(error.message)"
                case nil: break
                }
                devices.append(.object(fields))
                lines.append(line)
            }
            rooms.append(.object([("id", .string(room.id)), ("name", .string(room.name)), ("unit", .string(room.unit)),
                                  ("devices", .array(devices))]))
        }
        global.output.result(.object([("site", .string(inventory.site)), ("rooms", .array(rooms))]),
                             human: lines.joined(separator: "\n"))
        let failures = results.values.compactMap { result -> HNTTError? in
            if case .failure(let error) = result { return error } else { return nil }
        }
        if let first = failures.first { throw ExitCode(first.exitCode) }
    }

    private func checkAll(_ devices: [InventoryDevice], context: CommandContext) async -> [String: Result<String, HNTTError>] {
        await withTaskGroup(of: (String, Result<String, HNTTError>).self) { group in
            var results: [String: Result<String, HNTTError>] = [:]
            var pending = devices[...]
            func start(_ device: InventoryDevice) {
                group.addTask {
                    do {
                        let driver = try context.driver(for: device)
                        let detail = try await context.withDriver(driver, device: device.id) { try await driver.checkLogin() }
                        return (device.id, .success(detail))
                    } catch let error as HNTTError {
                        return (device.id, .failure(error.on(device: device.id)))
                    } catch {
                        return (device.id, .failure(HNTTError(.unreachable, "\(error)", device: device.id)))
                    }
                }
            }
            for _ in 0..<max(1, parallel) { if let next = pending.popFirst() { start(next) } }
            var done = 0
            for await (id, result) in group {
                results[id] = result
                done += 1
                if devices.count > 10 { global.output.note("checked \(done)/\(devices.count)") }
                if let next = pending.popFirst() { start(next) }
            }
            return results
        }
    }
}

struct SecretCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "secret", abstract: "The encrypted credential store.",
                                                    subcommands: [SecretSetCommand.self])
}

struct SecretSetCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "set",
        abstract: "Store a credential (encrypted); the password is read from standard input.")
    var audit: AuditRecord? { AuditRecord(device: "*", action: "secret set", detail: "credential \(name) for user \(username)") }
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The credential name the inventory's `credential:` uses.") var name: String
    @Option(help: "The login name.") var username: String
    @Flag(help: "Read the password from standard input (its first line).") var passwordStdin = false

    func execute() async throws {
        guard passwordStdin else {
            throw HNTTError(.badInput, "the password must come from standard input",
                            fix: "pipe it: `printf '%s' \"$PW\" | hntt secret set \(name) --username \(username) --password-stdin`")
        }
        var line = readLine(strippingNewline: true) ?? ""
        if line.hasSuffix("\r") { line.removeLast() }
        let context = global.context()
        try context.data.ensureExists()
        try context.secrets.set(name: name, username: username, password: SecretText(line))
        global.output.result(.object([("name", .string(name)), ("username", .string(username)), ("stored", .bool(true))]),
                             human: "credential \(name) stored for user \(username)")
    }
}

struct TrustHostCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "trust-host",
        abstract: "Connect, show the SSH host key fingerprint, and pin it.")
    var audit: AuditRecord? { AuditRecord(device: device, action: "trust-host", detail: replace ? "replace" : "") }
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The device id.") var device: String
    @Option(help: "Pin only if the device presents exactly this fingerprint (SHA256:…).") var fingerprint: String?
    @Flag(help: "Replace a different fingerprint pinned before (after the device was replaced or reset).") var replace = false

    func execute() async throws {
        let context = global.context()
        let entry = try context.inventory().device(device)
        guard entry.transport == .ssh, let host = entry.host, let port = entry.port else {
            throw HNTTError(.badInput, "\(device) is not reached over SSH; only SSH has host keys", device: device)
        }
        let profile = try context.profiles.load(entry.profileID)
        let presented = try await attributing(to: device) {
            try await SSHTransport.probeHostKey(host: host, port: port, deadline: .after(seconds: profile.timeouts.connect))
        }
        global.output.note("\(device) (\(host):\(port)) presents host key \(presented)")
        if let fingerprint, SSHTransport.normalise(fingerprint) != presented {
            throw HNTTError(.hostKey, "the device presents \(presented), not the expected \(SSHTransport.normalise(fingerprint))",
                            device: device, fix: "check the fingerprint on the device itself; nothing was pinned")
        }
        if let previous = context.pins.pin(for: device), previous != presented, !replace {
            throw HNTTError(.hostKey, "the host key CHANGED: pinned \(previous), presented \(presented); nothing was pinned",
                            device: device,
                            fix: "if the codec was replaced or reset, confirm the new key on the device and run `hntt trust-host \(device) --replace`")
        }
        if let inventoryPin = entry.hostKey, SSHTransport.normalise(inventoryPin) != presented {
            global.output.note("warning: the inventory pins \(inventoryPin) for \(device); the inventory's pin takes precedence")
        }
        try context.pins.store(presented, for: device)
        global.output.result(.object([("device", .string(device)), ("host_key", .string(presented)), ("pinned", .bool(true))]),
                             human: "\(device): pinned \(presented)")
    }
}
