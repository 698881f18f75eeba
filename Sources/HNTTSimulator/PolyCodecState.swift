import Foundation

/// The model family a simulated Poly codec pretends to be.
public enum PolyFlavor: String, Codable, CaseIterable, Sendable {
    /// RealPresence Group Series: one acknowledgement per command, no echo.
    case group
    /// HDX: echoes every command (even an invalid one) before its acknowledgement.
    case hdx
}

/// How a Poly serial port asks for a login (Group Series admin guide, "RS-232 Login Mode").
public enum PolySerialLogin: String, Codable, Sendable {
    case passwordOnly = "password"
    case usernamePassword = "username"
    case none
}

/// One call on the simulated Poly codec.
public struct PolySimulatedCall: Codable, Sendable, Equatable {
    public var id: Int
    public var name: String
    public var number: String
    public var speed: Int
    public var status: String
    public var callType: String
}

/// Everything a simulated Poly codec remembers.
public struct PolyCodecData: SimulatedDeviceState {
    public var flavor: PolyFlavor
    public var systemName: String
    public var softwareVersion: String
    public var asleep = true
    public var nearMuted = false
    public var calls: [PolySimulatedCall] = []
    public var nextCallID = 41
    /// Stored presets, by number, as the camera position.
    public var presets: [Int] = []
    public var activePreset: Int?
    public var camera = 1
    /// `systemsetting` values by name.
    public var systemSettings: [String: String]
    /// Legacy per-setting commands (`autoanswer get` → `autoanswer no`) by command word.
    public var legacySettings: [String: String]
    /// Numbers that answer busy.
    public var busyNumbers: [String] = ["84999999"]
    /// The API password (and user name in Username/Password mode).
    public var username: String
    public var password: String
    public var serialLogin: PolySerialLogin = .passwordOnly
    /// Telnet asks for a user name too (Username/Password mode).
    public var telnetAsksUsername = false
    /// Registrations per port, as the codec keeps them in flash ("ssh", "telnet", "serial").
    public var registrations: [String: [String]] = [:]
    /// Put an unsolicited notification in the middle of every multi-line reply and before acks.
    public var notificationNoise = false
    public var faults = SimulatorFaults()
    public var commandLog: [String] = []
    public var successfulLogins = 0
    public var failedLogins = 0

    public init(flavor: PolyFlavor, systemName: String = "UBND-Poly", username: String = "admin", password: String = "poly-pass") {
        self.flavor = flavor
        self.systemName = systemName
        self.username = username
        self.password = password
        softwareVersion = flavor == .group ? "6.2.2.1-600008" : "3.1.14-539011"
        systemSettings = [
            "sipaccountname": "ubnd-poly", "sipenable": "True", "sipregistrarserver": "10.10.0.6",
            "sipproxyserver": "10.10.0.6", "siptransportprotocol": "TCP", "connectionpreference": "VIDEO_THEN_AUDIO",
            "dialingmethod": "Manual", "selfview": "Auto", "webenabled": "True", "transcodingenabled": "True",
            "stereoenable": "False", "enablepolycommics": "True", "lineinlevel": "5", "displayiconsincall": "True",
            "cameracontent": "None", "primarycamera": "1", "h323name": systemName, "h323extension": "84237002",
            "sippassword": "",
        ]
        legacySettings = [
            "autoanswer": "no", "mpautoanswer": "no", "encryption": "when_available", "enablesnmp": "no",
            "farcontrolnearcamera": "no", "h239enable": "yes", "gatekeeperip": "10.10.0.5", "sleeptime": "30",
            "volume": "35", "lanport": "auto", "dynamicbandwidth": "yes", "maxtimeincall": "480",
        ]
    }
}

/// The state of a simulated Poly codec.
public typealias PolyCodecStore = SimulatorStore<PolyCodecData>
