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
    /// `sip` or `h323` (what `dial manual … sip|h323` asked for; auto dials H.323).
    public var signalling: String = "h323"
    /// When the call connected (seconds since 1970), for counters that grow with time.
    public var connectedAt: Double = Date().timeIntervalSince1970
}

/// How a simulated codec prints `%pktloss` (docs/protocols/poly-and-others.md §2.7a shows both).
public enum PolyLossSpelling: String, Codable, Sendable {
    /// `%pktloss:0.0 %` (AVISPL capture).
    case spaced
    /// `%pktloss:0.0%` (Poly X30 driver).
    case tight
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
    /// LAN sessions (telnet, SSH) echo every command line before its reply (§2.3a); serial
    /// sessions of a Group Series do not. HDX echoes everywhere.
    public var lanEcho = true
    /// Settings this firmware does not know: reading one answers `error: command has illegal parameters`.
    public var unsupportedSettings: [String] = []
    /// Received packets lost per second of a call, audio and video (advnetstats `rapl`, `rvpl`).
    public var lossPerSecond = 0.0
    /// Jitter the calls report, in ms (advnetstats `raj`/`rvj`, H.323 calls only).
    public var jitterMs = 9
    /// The transmit loss percentage netstats prints (`%pktloss`).
    public var transmitLossPercent = 0.0
    public var lossSpelling: PolyLossSpelling = .spaced
    /// Sleep events waiting for the next command of each port registered for them (a codec
    /// that fell asleep or woke by itself: sleeptime, the remote, another port).
    public var pendingEvents: [String: [String]] = [:]
    /// Drop LAN sessions when the system goes to sleep (the manual's warning, §2.6a).
    public var dropsSessionOnSleep = false
    public var faults = SimulatorFaults()
    public var commandLog: [String] = []
    public var successfulLogins = 0
    public var failedLogins = 0

    /// Changes the sleep state as the codec's own timer or remote would: ports registered for
    /// sleep events get `listen going to sleep` / `listen waking up` before their next reply.
    public mutating func fall(asleep: Bool) {
        guard self.asleep != asleep else { return }
        self.asleep = asleep
        for (port, registered) in registrations where registered.contains("sleep") {
            pendingEvents[port, default: []].append(asleep ? "listen going to sleep" : "listen waking up")
        }
    }

    public init(
        flavor: PolyFlavor, systemName: String = "UBND-Poly", username: String = "admin", password: String = "poly-pass"
    ) {
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
