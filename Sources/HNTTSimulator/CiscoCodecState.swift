import Foundation

/// The software generation a simulated codec pretends to run.
public enum CiscoFlavor: String, Codable, CaseIterable, Sendable {
    case tc7, ce9, roomos11
}

/// Faults a simulated device can be told to commit, to test that hntt survives them.
public struct SimulatorFaults: Codable, Sendable, Equatable {
    /// Seconds to wait before each reply (a slow device).
    public var replyDelay: Double = 0
    /// Send half of the next reply, then drop the connection.
    public var dropMidReply = false
    /// Answer commands with random bytes instead of xAPI.
    public var garbage = false
    /// Read commands but never answer (a hung device).
    public var silent = false
    /// Write replies in small pieces with short pauses (reassembly).
    public var splitWrites = false
    /// Interleave unsolicited feedback with every reply, registered or not.
    public var feedbackNoise = false
    /// Reboot when the next command arrives: the command is lost, boot text and (if the port
    /// requires it) a new `login:` follow, and the session starts afresh (echo on).
    public var rebootBeforeNextCommand = false
    public init() {}
}

/// One call on the simulated codec.
public struct SimulatedCall: Codable, Sendable, Equatable {
    public var id: Int
    public var number: String
    public var status: String
    public var callProtocol: String
    public var rate: Int
}

/// A stored camera preset.
public struct SimulatedPreset: Codable, Sendable, Equatable {
    public var id: Int
    public var camera: Int
    public var pan: Int
    public var tilt: Int
    public var zoom: Int
}

/// Everything a simulated Cisco codec remembers; tests read it to see the effect of a command.
public struct CiscoCodecData: Codable, Sendable {
    public var flavor: CiscoFlavor
    public var systemName: String
    /// `Off` (awake), `Standby` or `Halfwake`.
    public var standby = "Standby"
    public var micMuted = false
    public var calls: [SimulatedCall] = []
    public var nextCallID = 2
    public var presets: [SimulatedPreset] = []
    public var activePreset: Int?
    public var cameraPan = 0, cameraTilt = 0, cameraZoom = 4000
    public var configuration: [CiscoConfigurationDefaults.Setting]
    /// username → password of the local accounts (telnet and serial logins).
    public var users: [String: String]
    public var faults = SimulatorFaults()
    /// Every command line received after login, oldest first (bounded).
    public var commandLog: [String] = []
    public var successfulLogins = 0
    public var failedLogins = 0

    public init(flavor: CiscoFlavor, systemName: String = "UBND-Room", address: String = "10.10.1.20",
                users: [String: String] = ["admin": "admin-pass"]) {
        self.flavor = flavor
        self.systemName = systemName
        self.configuration = CiscoConfigurationDefaults.settings(systemName: systemName, address: address)
        self.users = users
    }

    public func setting(_ key: String) -> String? {
        configuration.first { $0.key.lowercased() == key.lowercased() }?.value
    }

    public mutating func setSetting(_ key: String, _ value: String) {
        if let index = configuration.firstIndex(where: { $0.key.lowercased() == key.lowercased() }) {
            configuration[index].value = value
        }
    }

    public var serialLoginRequired: Bool { setting("SerialPort LoginRequired")?.lowercased() != "off" }
}

/// The simulated codec's state, shared by its sessions: in memory for tests, or in a JSON file
/// (locked with flock) when each session is its own process behind sshd.
public final class CiscoCodecStore: @unchecked Sendable {
    private let lock = NSLock()
    private var memory: CiscoCodecData
    private let file: String?

    public init(_ data: CiscoCodecData) {
        memory = data
        file = nil
    }

    /// State kept in `path`; created from `initial` when the file does not exist yet.
    public init(file path: String, initial: CiscoCodecData) throws {
        memory = initial
        file = path
        if !FileManager.default.fileExists(atPath: path) { try save(initial) }
    }

    /// Reads the current state.
    public func read<T>(_ body: (CiscoCodecData) -> T) -> T {
        withFileLock { body(load()) }
    }

    /// Changes the state atomically.
    @discardableResult
    public func update<T>(_ body: (inout CiscoCodecData) -> T) -> T {
        withFileLock {
            var data = load()
            let result = body(&data)
            try? save(data)
            memory = data
            return result
        }
    }

    public var snapshot: CiscoCodecData { read { $0 } }

    private func withFileLock<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        guard let file else { return body() }
        let fd = open(file + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o666)
        if fd >= 0 { flock(fd, LOCK_EX) }
        defer {
            if fd >= 0 {
                flock(fd, LOCK_UN)
                close(fd)
            }
        }
        return body()
    }

    private func load() -> CiscoCodecData {
        guard let file, let data = FileManager.default.contents(atPath: file),
              let decoded = try? JSONDecoder().decode(CiscoCodecData.self, from: data) else { return memory }
        return decoded
    }

    private func save(_ data: CiscoCodecData) throws {
        guard let file else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let encoded = try encoder.encode(data)
        let temporary = file + ".tmp-\(getpid())"
        _ = FileManager.default.createFile(atPath: temporary, contents: encoded, attributes: [.posixPermissions: 0o666])
        rename(temporary, file)
    }
}
