import Foundation
import Yams

/// How hntt reaches a device.
public enum TransportKind: String, Sendable, CaseIterable, Codable {
    case ssh, telnet, serial, tcp, udp
    /// REST/XML over HTTPS with the certificate pinned (conference bridges).
    case https
}

/// A vendor model as data: which driver speaks to it, its ports and baud rates, prompts,
/// timeouts, and which configuration keys are volatile or secret.
///
/// Adding a model of a known vendor means adding a file to `device-profiles/`, not Swift code.
public struct DeviceProfile: Sendable {
    /// Default settings for one transport.
    public struct TransportDefaults: Sendable {
        public var port: UInt16?
        public var baud: Int?
    }

    /// Prompts of a `login:` / `Password:` dialogue (telnet, serial).
    public struct LoginPrompts: Sendable {
        public var username: [String] = ["login:"]
        public var password: [String] = ["Password:"]
        public var failure: [String] = ["Login incorrect"]
        /// How long a serial line may stay silent after a line end before hntt assumes no login
        /// is required (Cisco `SerialPort LoginRequired: Off`).
        public var serialProbeSeconds: Double = 1.5
    }

    /// Deadlines in seconds.
    public struct Timeouts: Sendable {
        public var connect: Double = 10
        public var login: Double = 15
        public var command: Double = 15

        public init(connect: Double = 10, login: Double = 15, command: Double = 15) {
            self.connect = connect
            self.login = login
            self.command = command
        }
    }

    /// How much a device may send before hntt gives up on it, whatever the deadline says.
    public struct Limits: Sendable {
        /// Bytes before the login is done (banner and prompts): a flooding console fails here.
        public var loginBytes = 64 << 10
        /// Bytes of one reply (a full configuration dump is well under 1 MiB).
        public var replyBytes = 4 << 20

        public init() {}
    }

    public let id: String
    public let vendor: String
    /// The driver that speaks this model's protocol (`cisco-xapi`, …).
    public let driver: String
    public let description: String
    public let transports: [TransportKind: TransportDefaults]
    public let login: LoginPrompts
    public var timeouts: Timeouts
    /// Keys that change by themselves; ignored by drift.
    public var volatileKeys: [String]
    /// Keys whose values are secrets: never stored or printed in clear (``KeyPattern`` patterns).
    public let secretKeys: [String]
    /// Operations the guard allows without an authorisation.
    public let operations: [String]
    /// The settings a configuration read asks for one by one, for devices without a full
    /// export (Poly's legacy API). Empty for devices that print their whole configuration.
    public var settings: [ConfigurationSetting] = []
    /// The keys a baseline approves (``KeyPattern`` patterns): what the department in charge governs.
    public var governedKeys: [String] = []
    /// The configuration keys that hold the codec's own addresses (SIP URI, H.323 alias and number): how a
    /// conference bridge's leg is matched to the room.
    public var addressKeys: [String] = []
    /// VISCA camera details; only for VISCA profiles.
    public var visca = VISCAOptions()
    /// Byte budgets before login and per reply (`limits:` in the profile).
    public var limits = Limits()
    /// True when UDP means Sony's VISCA over IP (8-byte header), false for raw packets.
    public var viscaOverIP: Bool { visca.overIP }
    /// The device repeats each command before answering it (Poly HDX); the reply is what follows.
    public var echoesCommands = false
    /// What ends a command line (`\n` for Cisco, `\r` for Poly).
    public var lineEnd: String = "\n"
    /// The least time between two commands, in seconds (Poly: 0.2).
    public var minimumSendInterval: Double = 0

    /// True if `key` is secret under this profile (exact, or prefix with a trailing `*`, or
    /// a last word `Password`/`Passphrase`/`Secret` whatever the profile says).
    public func isSecret(_ key: String) -> Bool {
        let lastWord = key.split(separator: " ").last.map { $0.lowercased() } ?? ""
        if ["password", "passphrase", "secret", "key", "apikey"].contains(lastWord) { return true }
        return KeyPattern.matchesAny(key, secretKeys)
    }

    static let topKeys: Set<String> = [
        "id", "vendor", "driver", "description", "transports", "login", "timeouts",
        "volatile_keys", "secret_keys", "operations", "line_end", "pacing_seconds",
        "settings", "command_echo", "visca", "governed_keys", "limits", "address_keys",
    ]

    /// Loads and checks a profile file.
    public static func load(path: String) throws -> DeviceProfile {
        try load(try YAMLFile(path: path, what: "device profile"))
    }

    /// Checks a profile already read (`file.path` names it in errors).
    public static func load(_ file: YAMLFile) throws -> DeviceProfile {
        var id = ""
        var vendor = ""
        var driver = ""
        var description = ""
        var transports: [TransportKind: TransportDefaults] = [:]
        var login = LoginPrompts()
        var timeouts = Timeouts()
        var limits = Limits()
        var volatileKeys: [String] = []
        var secretKeys: [String] = []
        var operations: [String] = []
        var lineEnd = "\n"
        var pacing = 0.0
        var echo = false
        var visca = VISCAOptions()
        var governed: [String] = []
        var addressKeys: [String] = []
        var settings: [ConfigurationSetting] = []
        for (key, keyNode, value) in try file.mapping(file.root, "the profile", allowed: topKeys) {
            switch key {
            case "id": id = try file.string(value, key)
            case "vendor": vendor = try file.string(value, key)
            case "driver": driver = try file.string(value, key)
            case "description": description = try file.string(value, key)
            case "transports":
                for (name, nameNode, settings) in try file.mapping(
                    value, "transports",
                    allowed: Set(TransportKind.allCases.map(\.rawValue)))
                {
                    var defaults = TransportDefaults()
                    if case .mapping = settings {
                        for (field, _, fieldValue) in try file.mapping(
                            settings, "transport \(name)", allowed: ["port", "baud"])
                        {
                            if field == "port" {
                                defaults.port = UInt16(try file.int(fieldValue, "port", range: 1...65535))
                            }
                            if field == "baud" {
                                defaults.baud = try file.int(fieldValue, "baud", range: 300...4_000_000)
                            }
                        }
                    } else if settings.null == nil {
                        throw file.error(
                            nameNode, "transport \(name) takes `port:` and/or `baud:`",
                            fix: "write `\(name): {port: N}`")
                    }
                    transports[TransportKind(rawValue: name)!] = defaults
                }
            case "login":
                for (field, _, fieldValue) in try file.mapping(
                    value, "login",
                    allowed: ["username_prompts", "password_prompts", "failure", "serial_probe_seconds"])
                {
                    switch field {
                    case "username_prompts": login.username = try file.strings(fieldValue, field)
                    case "password_prompts": login.password = try file.strings(fieldValue, field)
                    case "failure": login.failure = try file.strings(fieldValue, field)
                    default: login.serialProbeSeconds = try file.double(fieldValue, field)
                    }
                }
            case "timeouts":
                for (field, _, fieldValue) in try file.mapping(
                    value, "timeouts", allowed: ["connect", "login", "command"])
                {
                    let seconds = try file.double(fieldValue, field)
                    switch field {
                    case "connect": timeouts.connect = seconds
                    case "login": timeouts.login = seconds
                    default: timeouts.command = seconds
                    }
                }
            case "limits":
                for (field, _, fieldValue) in try file.mapping(
                    value, "limits", allowed: ["login_bytes", "reply_bytes"])
                {
                    let bytes = try file.int(fieldValue, field, range: 1024...(64 << 20))
                    if field == "login_bytes" { limits.loginBytes = bytes } else { limits.replyBytes = bytes }
                }
            case "volatile_keys": volatileKeys = try file.strings(value, key)
            case "secret_keys": secretKeys = try file.strings(value, key)
            case "governed_keys": governed = try file.strings(value, key)
            case "address_keys": addressKeys = try file.strings(value, key)
            case "operations": operations = try file.strings(value, key)
            case "line_end":
                let text = try file.string(value, key)
                guard ["\n", "\r", "\r\n"].contains(text) else {
                    throw file.error(
                        value, "line_end must be \"\\n\", \"\\r\" or \"\\r\\n\"",
                        fix: "write it in double quotes, e.g. line_end: \"\\r\"")
                }
                lineEnd = text
            case "pacing_seconds": pacing = try file.double(value, key)
            case "visca":
                for (field, _, fieldValue) in try file.mapping(
                    value, "visca",
                    allowed: ["preset_encoding", "presets", "udp", "ack_seconds", "tcp"])
                {
                    switch field {
                    case "tcp":
                        let text = try file.string(fieldValue, field)
                        guard text == "serial-server" || text == "camera" else {
                            throw file.error(
                                fieldValue,
                                "tcp must be serial-server (a chain behind it, numbered with AddressSet) or camera (the camera's own raw port)",
                                fix: "write `tcp: serial-server` or `tcp: camera`")
                        }
                        visca.tcpIsSerialServer = text == "serial-server"
                    case "preset_encoding":
                        let text = try file.string(fieldValue, field)
                        guard text == "nibble" || text == "byte" else {
                            throw file.error(
                                fieldValue,
                                "preset_encoding must be nibble (Sony, 0p) or byte (PTZOptics and clones, pp)",
                                fix: "write `preset_encoding: nibble` or `preset_encoding: byte`")
                        }
                        visca.presetFullByte = text == "byte"
                    case "presets": visca.presetCount = try file.int(fieldValue, field, range: 1...255)
                    case "ack_seconds": visca.ackSeconds = try file.double(fieldValue, field)
                    default:
                        let text = try file.string(fieldValue, field)
                        guard text == "sony" || text == "raw" else {
                            throw file.error(
                                fieldValue,
                                "udp must be sony (VISCA over IP, 8-byte header) or raw (one packet per datagram)",
                                fix: "write `udp: sony` or `udp: raw`")
                        }
                        visca.overIP = text == "sony"
                    }
                }
            case "command_echo":
                guard let flag = value.bool else {
                    throw file.error(value, "command_echo must be true or false", fix: "write `command_echo: true`")
                }
                echo = flag
            case "settings": settings = try ConfigurationSetting.load(value, file: file)
            default: throw file.error(keyNode, "unexpected key \(key)", fix: "remove it")
            }
        }
        for (name, value) in [("id", id), ("vendor", vendor), ("driver", driver)] where value.isEmpty {
            throw file.error(file.root, "the profile has no `\(name):`", fix: "add `\(name): …` at the top level")
        }
        if transports.isEmpty {
            throw file.error(
                file.root, "the profile lists no transports",
                fix: "add `transports:` with at least one of ssh, telnet, serial, tcp, udp")
        }
        var profile = DeviceProfile(
            id: id, vendor: vendor, driver: driver, description: description, transports: transports,
            login: login, timeouts: timeouts, volatileKeys: volatileKeys, secretKeys: secretKeys,
            operations: operations)
        profile.lineEnd = lineEnd
        profile.minimumSendInterval = pacing
        profile.settings = settings
        profile.echoesCommands = echo
        profile.visca = visca
        profile.governedKeys = governed
        profile.addressKeys = addressKeys
        profile.limits = limits
        return profile
    }
}

/// Finds profiles by id in the profile folder.
public struct ProfileCatalog: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// `$HNTT_PROFILES`, else a `device-profiles` folder beside the inventory, in the working
    /// directory, or above the executable (the repository checkout).
    public static func locate(inventoryPath: String?) -> ProfileCatalog {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["HNTT_PROFILES"], !explicit.isEmpty { return ProfileCatalog(directory: explicit) }
        var candidates: [String] = []
        if let inventoryPath {
            candidates.append((inventoryPath as NSString).deletingLastPathComponent + "/device-profiles")
        }
        candidates.append(FileManager.default.currentDirectoryPath + "/device-profiles")
        var folder = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
            .deletingLastPathComponent()
        // Installed (scripts/install-service): PREFIX/bin/hntt beside PREFIX/share/hntt/device-profiles.
        candidates.append(folder.deletingLastPathComponent().appendingPathComponent("share/hntt/device-profiles").path)
        candidates += ["/usr/local/share/hntt/device-profiles", "/usr/share/hntt/device-profiles"]
        for _ in 0..<6 {
            candidates.append(folder.appendingPathComponent("device-profiles").path)
            folder.deleteLastPathComponent()
        }
        let found = candidates.first { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
        return ProfileCatalog(directory: found ?? candidates[0])
    }

    public func path(for id: String) -> String { "\(directory)/\(id).yaml" }

    public func exists(_ id: String) -> Bool { FileManager.default.fileExists(atPath: path(for: id)) }

    public var available: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    }

    public func load(_ id: String) throws -> DeviceProfile {
        let profile = try DeviceProfile.load(path: path(for: id))
        guard profile.id == id else {
            throw HNTTError(
                .badFile, "\(path(for: id)) declares id \"\(profile.id)\"",
                fix: "make `id:` match the file name (\(id))")
        }
        return profile
    }
}

/// One setting read by its own command, as a profile lists it: the key shown to people and
/// stored in snapshots, and the command that reads it (`systemsetting get sipaccountname`,
/// `autoanswer get`).
public struct ConfigurationSetting: Sendable, Equatable {
    public let key: String
    public let command: String

    public init(key: String, command: String) {
        self.key = key
        self.command = command
    }

    static func load(_ node: Yams.Node, file: YAMLFile) throws -> [ConfigurationSetting] {
        var result: [ConfigurationSetting] = []
        var seen = Set<String>()
        for item in try file.sequence(node, "settings") {
            var key = ""
            var command = ""
            for (field, _, value) in try file.mapping(item, "a setting", allowed: ["key", "get"]) {
                if field == "key" {
                    key = try file.string(value, field)
                } else {
                    command = try file.string(value, field)
                }
            }
            guard !key.isEmpty, !command.isEmpty else {
                throw file.error(
                    item, "a setting needs both `key:` and `get:`",
                    fix: "write e.g. `- {key: sipaccountname, get: systemsetting get sipaccountname}`")
            }
            guard seen.insert(key).inserted else {
                throw file.error(item, "setting \"\(key)\" is listed twice", fix: "keep one of them")
            }
            result.append(ConfigurationSetting(key: key, command: command))
        }
        return result
    }
}

/// How a VISCA model encodes what differs between vendors (docs/protocols/visca-and-serial.md §1.7).
public struct VISCAOptions: Sendable, Equatable {
    /// Preset number as a full byte `pp` (PTZOptics, clones) instead of Sony's nibble `0p`.
    public var presetFullByte = false
    /// How many presets the camera stores (Sony 16).
    public var presetCount = 16
    /// UDP is Sony's VISCA over IP (else raw packets, one per datagram).
    public var overIP = true
    /// The deadline for an ACK or an inquiry answer.
    public var ackSeconds = 1.0
    /// TCP reaches a serial server with a chain behind it (numbered with AddressSet), rather
    /// than the camera's own raw port (PTZOptics 5678), which takes no broadcasts.
    public var tcpIsSerialServer = true
    public init() {}
}
