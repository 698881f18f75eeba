import Foundation

/// The software generation a simulated codec pretends to run.
public enum CiscoFlavor: String, Codable, CaseIterable, Sendable {
    case tc7, ce9, roomos11
}

/// One call on the simulated codec.
public struct SimulatedCall: Codable, Sendable, Equatable {
    public var id: Int
    public var number: String
    public var status: String
    public var callProtocol: String
    public var rate: Int
    /// When the call connected (seconds since 1970), for the media counters.
    public var startedAt: Double = Date().timeIntervalSince1970
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
public struct CiscoCodecData: SimulatedDeviceState {
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
    /// The share of received packets lost, for the media counters of calls (0.001 = 0.1 %).
    public var packetLoss = 0.001
    /// `xStatus SIP Registration 1 Status` (`Registered`, `Failed`, `Deregistered`…).
    public var sipRegistration = "Registered"
    /// `xStatus H323 Gatekeeper Status` (`Registered`, `Inactive`, `Rejected`…).
    public var gatekeeper = "Inactive"
    /// Configuration keys whose write is refused with an error block (a value the codec rejects).
    public var refuseWrites: [String] = []
    /// Configuration keys whose write takes effect and then cuts the connection (a network change).
    public var cutOnWrite: [String] = []
    /// Seconds a configuration write takes before its answer (a codec busy applying it).
    public var writeDelay: Double = 0
    /// Every command line received after login, oldest first (bounded).
    public var commandLog: [String] = []
    public var successfulLogins = 0
    public var failedLogins = 0
    /// Events (`*e …`) for the sessions registered to them, numbered; the latest 100.
    public var events: [SimulatedEvent] = []
    public var nextEventNumber = 1

    public init(
        flavor: CiscoFlavor, systemName: String = "UBND-Room", address: String = "10.10.1.20",
        users: [String: String] = ["admin": "admin-pass"]
    ) {
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

    /// The far end hangs up every call (or the network drops it): the calls end and a
    /// `CallDisconnect` event with the cause goes to the sessions registered for it.
    public mutating func dropCalls(cause: String = "Network failure", causeValue: Int = 38) {
        for call in calls {
            record(
                event: ["CallDisconnect"],
                "*e CallDisconnect CallId: \(call.id) CauseValue: \(causeValue) CauseString: \"\(cause)\""
                    + " CauseType: RemoteDisconnect OrigCallDirection: \"outgoing\"")
        }
        calls.removeAll()
    }

    mutating func record(event path: [String], _ text: String) {
        events.append(SimulatedEvent(number: nextEventNumber, path: path, text: text))
        nextEventNumber += 1
        if events.count > 100 { events.removeFirst(events.count - 100) }
    }

    public var serialLoginRequired: Bool { setting("SerialPort LoginRequired")?.lowercased() != "off" }
}

/// An event as the codec prints it, under its feedback path (`Event CallDisconnect`).
public struct SimulatedEvent: Codable, Sendable, Equatable {
    public var number: Int
    public var path: [String]
    public var text: String
}
