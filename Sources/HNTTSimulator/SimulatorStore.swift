import Foundation

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
    /// Forget every feedback registration silently (the codec drops them; `xFeedback list` shows none).
    public var dropFeedbackRegistrations = false
    public init() {}
}

/// A simulated device's state, shared by its sessions: in memory for tests, or in a JSON file
/// (locked with flock) when each session is its own process behind sshd.
/// What every simulated device's state has: its faults, the commands it received, its logins.
public protocol SimulatedDeviceState: Codable, Sendable {
    var faults: SimulatorFaults { get set }
    /// Every command line received after login, oldest first (bounded).
    var commandLog: [String] { get set }
    var successfulLogins: Int { get set }
    var failedLogins: Int { get set }
}

public final class SimulatorStore<State: SimulatedDeviceState>: @unchecked Sendable {
    private let lock = NSLock()
    private var memory: State
    private let file: String?

    public init(_ data: State) {
        memory = data
        file = nil
    }

    /// State kept in `path`; created from `initial` when the file does not exist yet.
    public init(file path: String, initial: State) throws {
        memory = initial
        file = path
        if !FileManager.default.fileExists(atPath: path) { try save(initial) }
    }

    /// Reads the current state.
    public func read<T>(_ body: (State) -> T) -> T {
        withFileLock { body(load()) }
    }

    /// Changes the state atomically.
    @discardableResult
    public func update<T>(_ body: (inout State) -> T) -> T {
        withFileLock {
            var data = load()
            let result = body(&data)
            try? save(data)
            memory = data
            return result
        }
    }

    public var snapshot: State { read { $0 } }

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

    private func load() -> State {
        guard let file, let data = FileManager.default.contents(atPath: file),
            let decoded = try? JSONDecoder().decode(State.self, from: data)
        else { return memory }
        return decoded
    }

    private func save(_ data: State) throws {
        guard let file else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let encoded = try encoder.encode(data)
        let temporary = file + ".tmp-\(getpid())"
        _ = FileManager.default.createFile(atPath: temporary, contents: encoded, attributes: [.posixPermissions: 0o666])
        rename(temporary, file)
    }
}

/// The state of a simulated Cisco codec.
public typealias CiscoCodecStore = SimulatorStore<CiscoCodecData>

extension SimulatorStore {
    /// Records a received command and returns the faults in force for its reply.
    func logCommand(_ line: String) -> SimulatorFaults {
        update { data -> SimulatorFaults in
            data.commandLog.append(line)
            if data.commandLog.count > 1000 { data.commandLog.removeFirst() }
            return data.faults
        }
    }
}

extension SimulatorLink {
    /// Writes a reply, committing `faults`: a delay, garbage instead of the reply, half the reply
    /// then a hang-up (once; `clearDrop` resets it), or small pieces with pauses. `noise` is
    /// unsolicited output put in front. False when the connection was dropped.
    func deliver(
        _ reply: String, faults: SimulatorFaults, noise: String = "", endsConnection: Bool,
        clearDrop: () -> Void
    ) -> Bool {
        if faults.replyDelay > 0 { usleep(UInt32(min(faults.replyDelay, 600) * 1_000_000)) }
        if faults.garbage {
            var generator = SystemRandomNumberGenerator()
            write((0..<300).map { _ in UInt8.random(in: 0...255, using: &generator) })
            return true
        }
        let bytes = Array((faults.feedbackNoise ? noise + reply : reply).utf8)
        if faults.dropMidReply {
            clearDrop()
            write(Array(bytes.prefix(max(1, bytes.count / 2))))
            if endsConnection { close() }
            return false
        }
        if faults.splitWrites {
            var index = 0
            while index < bytes.count {
                let size = Int.random(in: 1...7)
                write(Array(bytes[index..<min(index + size, bytes.count)]))
                index += size
                usleep(300)
            }
        } else {
            write(bytes)
        }
        return true
    }
}
