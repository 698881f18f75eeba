/// Whether the room's codec is awake; the contract's `standby` field.
public enum StandbyState: String, Sendable, Codable {
    case on, off, halfwake
    /// The codec has no way to say (Poly's API reports sleep only as an event) and nothing in
    /// this session showed it.
    case unknown
}

/// One call as the codec reports it.
public struct CallInfo: Sendable, Codable, Equatable {
    public let id: String
    public let number: String
    public let status: String
    public init(id: String, number: String, status: String) {
        self.id = id
        self.number = number
        self.status = status
    }
}

/// What `hntt status` reports for a device.
public struct DeviceStatus: Sendable, Codable, Equatable {
    public let standby: StandbyState
    public let micMuted: Bool
    public let calls: [CallInfo]
    public let software: String
    public init(standby: StandbyState, micMuted: Bool, calls: [CallInfo], software: String) {
        self.standby = standby
        self.micMuted = micMuted
        self.calls = calls
        self.software = software
    }
}

/// The call signalling a dial asks for.
public enum CallProtocol: String, Sendable, CaseIterable {
    case auto, sip, h323
}

/// Configuration as the device prints it: keys are the vendor's path words joined by single
/// spaces, in the device's order.
public struct ConfigurationSettings: Sendable, Equatable {
    public var entries: [(key: String, value: String)]
    public init(_ entries: [(key: String, value: String)]) { self.entries = entries }
    public subscript(key: String) -> String? { entries.first { $0.key == key }?.value }
    public static func == (a: ConfigurationSettings, b: ConfigurationSettings) -> Bool {
        a.entries.map(\.key) == b.entries.map(\.key) && a.entries.map(\.value) == b.entries.map(\.value)
    }
}

/// The operations every room codec driver offers, whatever its vendor and transport.
///
/// The command line speaks only to this protocol, so a technician uses the same `hntt` command on
/// any codec. Implementations are actors that own one connection and open it on first use.
/// Values are validated before anything is sent: an unsafe value throws `.badInput` with the
/// connection untouched.
public protocol CodecDriver: Sendable {
    /// Standby, microphones, calls and software, read live (several requests on one session).
    func status() async throws -> DeviceStatus
    /// Leaves standby, so the room is ready before a session (Điều 3.2's switch-on step).
    func wake() async throws
    /// Enters standby; the codec stays reachable.
    func sleep() async throws
    /// Places a call; returns the codec's call id.
    func dial(_ number: String, protocol: CallProtocol, rateKbps: Int?) async throws -> String
    /// Ends one call, or every call when `callID` is nil; returns the ids that were ended.
    func hangup(callID: String?) async throws -> [String]
    /// Mutes or unmutes every microphone of the room.
    func setMicrophoneMute(_ muted: Bool) async throws
    /// Whether the microphones are muted now, as the codec reports it.
    func microphoneMuted() async throws -> Bool
    /// Moves a camera to a stored preset (1–35 on Cisco).
    func recallPreset(_ preset: Int, camera: Int?) async throws
    /// Stores the camera's current position as a preset.
    func storePreset(_ preset: Int, camera: Int?) async throws
    /// The whole configuration, or the one key.
    func configuration(key: String?) async throws -> ConfigurationSettings
    /// Connects and logs in without changing anything (`hntt devices --check`).
    func checkLogin() async throws -> String
    /// Ends the session; the next operation opens a new one.
    func close() async
}
