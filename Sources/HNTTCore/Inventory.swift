import Foundation
import HNTTTransport
import Yams

/// One device of a room, as the inventory names it, with the profile's defaults filled in.
public struct InventoryDevice: Sendable, Equatable {
    public let id: String
    public let roomID: String
    public let profileID: String
    public let transport: TransportKind
    public let host: String?
    public let port: UInt16?
    public let path: String?
    public let baud: Int?
    /// VISCA address on a serial chain (1–7).
    public let address: Int?
    /// Name of the credential in the secret store; nil when the device needs no login.
    public let credential: String?
    /// A pinned SSH host-key fingerprint (`SHA256:…`).
    public let hostKey: String?
    /// Where the device is declared, for messages.
    public let sourceLine: Int
    /// The pinned SHA-256 fingerprint of an HTTPS device's certificate (`tls_fingerprint:`), as written.
    public var tlsFingerprint: String? = nil

    /// True for a serial line, directly or through a serial server's raw TCP port.
    public var isSerialConsole: Bool { transport == .serial || transport == .tcp }

    /// "ssh 10.0.0.5:22", "serial /dev/ttyUSB0 @ 9600".
    public var endpointDescription: String {
        switch transport {
        case .serial: return "serial \(path ?? "?") @ \(baud ?? 0)"
        default: return "\(transport.rawValue) \(host ?? "?"):\(port ?? 0)"
        }
    }
}

/// A meeting room and the unit that operates it (Điều 4, 5.3).
public struct Room: Sendable, Equatable {
    public let id: String
    public let name: String
    public let unit: String
    public let devices: [InventoryDevice]
    /// The site's `schedule:` with the room's own keys applied.
    public var schedule = Schedule()
}

/// The site's rooms and devices (`inventory.yaml`), checked against the profiles.
public struct Inventory: Sendable {
    public let path: String
    /// The site as its documents name it (`site:`).
    public let organisation: Organisation
    public let rooms: [Room]
    /// The site's name (the issuing body).
    public var site: String { organisation.name }
    /// Which unit operates a meeting by its organizer (Điều 5.3): `Tỉnh ủy` → `Văn phòng Huyện ủy`, …
    public var organizers: [String: String] = [:]
    /// The technicians and their units.
    public var operators: [String: String] = [:]
    /// The site's `schedule:` (each room carries its own, with its overrides).
    public var schedule = Schedule()
    /// Where alerts go (`alerts:`); empty when the inventory names none.
    public var alerts = AlertSettings()

    /// The room with `id`, or an error listing the known ids.
    public func room(_ id: String) throws -> Room {
        if let room = rooms.first(where: { $0.id == id }) { return room }
        throw HNTTError(
            .badInput, "no room \"\(id)\" in \(path)", fix: "use one of: \(rooms.map(\.id).joined(separator: ", "))")
    }

    public var devices: [InventoryDevice] { rooms.flatMap(\.devices) }

    /// The device with `id`, or an error listing the known ids.
    public func device(_ id: String) throws -> InventoryDevice {
        if let device = devices.first(where: { $0.id == id }) { return device }
        let known = devices.map(\.id).joined(separator: ", ")
        throw HNTTError(
            .badInput, "no device \"\(id)\" in \(path)",
            fix: known.isEmpty ? "add the device to the inventory" : "use one of: \(known)")
    }

    /// `--inventory`, else `$HNTT_INVENTORY`, else `./inventory.yaml`.
    public static func resolvePath(_ explicit: String?) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let environment = ProcessInfo.processInfo.environment["HNTT_INVENTORY"], !environment.isEmpty {
            return environment
        }
        return "inventory.yaml"
    }

    public static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
    }

    /// Loads and checks an inventory; every problem names the file, the line and the fix.
    public static func load(path: String, profiles: ProfileCatalog) throws -> Inventory {
        try load(try YAMLFile(path: path, what: "inventory"), profiles: profiles)
    }

    /// Checks an inventory already read (`file.path` names it in errors).
    public static func load(_ file: YAMLFile, profiles: ProfileCatalog) throws -> Inventory {
        let path = file.path
        var organisation = Organisation(name: "")
        var rooms: [Room] = []
        var organizers: [String: String] = [:]
        var operators: [String: String] = [:]
        var roomIDs = Set<String>()
        var deviceIDs = Set<String>()
        var loadedProfiles: [String: DeviceProfile] = [:]
        var schedule = Schedule()
        var roomSchedules: [String: Node] = [:]
        var alerts = AlertSettings()
        for (key, _, value) in try file.mapping(
            file.root, "the inventory", allowed: ["site", "rooms", "organizers", "operators", "schedule", "alerts"])
        {
            if key == "schedule" {
                schedule = try Schedule.parse(value, file: file, over: Schedule())
                continue
            }
            if key == "alerts" {
                alerts = try AlertSettings.parse(value, file: file)
                continue
            }
            if key == "site" {
                organisation = try Organisation.parse(value, file: file)
                continue
            }
            if key == "organizers" {
                for (organizer, _, unit) in try file.mapping(value, "organizers", allowed: nil) {
                    organizers[organizer] = try file.string(unit, organizer)
                }
                continue
            }
            if key == "operators" {
                for node in try file.sequence(value, "operators") {
                    var name = ""
                    var unit = ""
                    for (field, _, fieldValue) in try file.mapping(node, "an operator", allowed: ["name", "unit"]) {
                        if field == "name" {
                            name = try file.string(fieldValue, field)
                        } else {
                            unit = try file.string(fieldValue, field)
                        }
                    }
                    guard !name.isEmpty, !unit.isEmpty else {
                        throw file.error(
                            node, "an operator needs `name:` and `unit:`",
                            fix: "write e.g. `- {name: \"Lê Thị B\", unit: \"Văn phòng Huyện ủy\"}`")
                    }
                    operators[name] = unit
                }
                continue
            }
            for roomNode in try file.sequence(value, "rooms") {
                var id = ""
                var name = ""
                var unit = ""
                var devices: [InventoryDevice] = []
                var idNode: Node = roomNode
                var scheduleNode: Node?
                for (roomKey, _, roomValue) in try file.mapping(
                    roomNode, "a room", allowed: ["id", "name", "unit", "devices", "schedule"])
                {
                    switch roomKey {
                    case "schedule": scheduleNode = roomValue
                    case "id":
                        id = try file.string(roomValue, "id")
                        idNode = roomValue
                    case "name": name = try file.string(roomValue, "name")
                    case "unit": unit = try file.string(roomValue, "unit")
                    default:
                        for deviceNode in try file.sequence(roomValue, "devices") {
                            devices.append(
                                try loadDevice(
                                    deviceNode, roomID: id, file: file, profiles: profiles,
                                    loaded: &loadedProfiles, ids: &deviceIDs))
                        }
                    }
                }
                guard isValidID(id) else {
                    throw file.error(
                        idNode, "room id \"\(id)\" is missing or invalid",
                        fix: "use lower-case letters, digits and dashes, e.g. `id: ubnd`")
                }
                guard roomIDs.insert(id).inserted else {
                    throw file.error(idNode, "room id \"\(id)\" is used twice", fix: "give each room its own id")
                }
                devices = devices.map { device in
                    InventoryDevice(
                        id: device.id, roomID: id, profileID: device.profileID, transport: device.transport,
                        host: device.host, port: device.port, path: device.path, baud: device.baud,
                        address: device.address, credential: device.credential, hostKey: device.hostKey,
                        sourceLine: device.sourceLine, tlsFingerprint: device.tlsFingerprint)
                }
                if let scheduleNode { roomSchedules[id] = scheduleNode }
                rooms.append(Room(id: id, name: name.isEmpty ? id : name, unit: unit, devices: devices))
            }
        }
        // A room's keys apply over the site's, wherever `schedule:` stands in the file.
        for index in rooms.indices {
            rooms[index].schedule =
                try roomSchedules[rooms[index].id].map { try Schedule.parse($0, file: file, over: schedule) }
                ?? schedule
        }
        for room in rooms { try organisation.checkUnit(room.unit, usedBy: "room \(room.id)", file: file) }
        for (organizer, unit) in organizers.sorted(by: { $0.key < $1.key }) {
            try organisation.checkUnit(unit, usedBy: "organizer \"\(organizer)\"", file: file)
        }
        for (name, unit) in operators.sorted(by: { $0.key < $1.key }) {
            try organisation.checkUnit(unit, usedBy: "operator \(name)", file: file)
        }
        var inventory = Inventory(path: path, organisation: organisation, rooms: rooms)
        inventory.organizers = organizers
        inventory.operators = operators
        inventory.schedule = schedule
        inventory.alerts = alerts
        return inventory
    }

    static let deviceKeys: Set<String> = [
        "id", "profile", "transport", "host", "port", "path", "baud", "address",
        "credential", "host_key", "tls_fingerprint",
    ]

    private static func loadDevice(
        _ node: Node, roomID: String, file: YAMLFile, profiles: ProfileCatalog,
        loaded: inout [String: DeviceProfile], ids: inout Set<String>
    ) throws -> InventoryDevice {
        var fields: [String: (String, Node)] = [:]
        for (key, _, value) in try file.mapping(node, "a device", allowed: deviceKeys) {
            fields[key] = (try file.string(value, key), value)
        }
        let line = node.mark?.line ?? 0
        guard let (id, idNode) = fields["id"], isValidID(id) else {
            throw file.error(
                fields["id"]?.1 ?? node, "a device has a missing or invalid id",
                fix: "use lower-case letters, digits and dashes, e.g. `id: ubnd-codec`")
        }
        guard ids.insert(id).inserted else {
            throw file.error(
                idNode, "device id \"\(id)\" is used twice", fix: "device ids must be unique across the site")
        }
        guard let (profileID, profileNode) = fields["profile"] else {
            throw file.error(
                node, "device \(id) names no profile",
                fix: "add `profile:` with one of: \(profiles.available.joined(separator: ", "))")
        }
        if loaded[profileID] == nil {
            guard profiles.exists(profileID) else {
                throw file.error(
                    profileNode, "device \(id): no profile \"\(profileID)\" in \(profiles.directory)",
                    fix: "use one of: \(profiles.available.joined(separator: ", "))")
            }
            loaded[profileID] = try profiles.load(profileID)
        }
        let profile = loaded[profileID]!
        guard let (transportName, transportNode) = fields["transport"] else {
            throw file.error(
                node, "device \(id) names no transport",
                fix:
                    "add `transport:` with one of: \(profile.transports.keys.map(\.rawValue).sorted().joined(separator: ", "))"
            )
        }
        guard let transport = TransportKind(rawValue: transportName), let defaults = profile.transports[transport]
        else {
            throw file.error(
                transportNode, "device \(id): profile \(profileID) does not support transport \"\(transportName)\"",
                fix: "use one of: \(profile.transports.keys.map(\.rawValue).sorted().joined(separator: ", "))")
        }
        func number(_ key: String, _ range: ClosedRange<Int>) throws -> Int? {
            guard let (text, valueNode) = fields[key] else { return nil }
            guard let value = Int(text), range.contains(value) else {
                throw file.error(
                    valueNode,
                    "device \(id): \(key) \"\(text)\" must be a number from \(range.lowerBound) to \(range.upperBound)",
                    fix: "write a whole number in that range")
            }
            return value
        }
        let port = try number("port", 1...65535).map(UInt16.init) ?? defaults.port
        let baud = try number("baud", 300...4_000_000) ?? defaults.baud
        let address = try number("address", 1...7)
        let host = fields["host"]?.0
        let path = fields["path"]?.0
        switch transport {
        case .serial:
            guard let path, path.hasPrefix("/") else {
                throw file.error(
                    node, "device \(id) uses serial but has no absolute `path:`",
                    fix: "add `path: /dev/ttyUSB0` (the serial device)")
            }
            guard baud != nil else {
                throw file.error(
                    node, "device \(id) has no baud rate", fix: "add `baud: 9600` (or set it in the profile)")
            }
        default:
            guard let host, !host.isEmpty, !host.contains(" ") else {
                throw file.error(
                    node, "device \(id) uses \(transport.rawValue) but has no `host:`",
                    fix: "add `host: 10.10.1.20` (its IP address or name)")
            }
            guard port != nil else {
                throw file.error(
                    node, "device \(id) has no port and profile \(profileID) gives none for \(transport.rawValue)",
                    fix: "add `port: N`")
            }
        }
        let tlsFingerprint = fields["tls_fingerprint"]
        if let (text, valueNode) = tlsFingerprint {
            let hex = PinnedHTTPSClient.normalised(text)
            guard transport == .https, hex.count == 64, hex.allSatisfy(\.isHexDigit) else {
                throw file.error(
                    valueNode,
                    transport == .https
                        ? "device \(id): tls_fingerprint \"\(text)\" is not a SHA-256 fingerprint"
                        : "device \(id): tls_fingerprint is only for `transport: https`",
                    fix: "write it as `openssl x509 -noout -fingerprint -sha256` prints it, "
                        + "or run `hntt trust-host \(id)` to read and pin it")
            }
        }
        return InventoryDevice(
            id: id, roomID: roomID, profileID: profileID, transport: transport, host: host,
            port: port, path: path, baud: baud, address: address,
            credential: fields["credential"]?.0, hostKey: fields["host_key"]?.0, sourceLine: line,
            tlsFingerprint: tlsFingerprint?.0)
    }
}
