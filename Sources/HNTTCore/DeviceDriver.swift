import Foundation

/// Whether the room's codec is awake; the contract's `standby` field.
public enum StandbyState: String, Sendable, Codable {
    case on, off, halfwake
    /// The codec has no way to say (Poly's API reports sleep only as an event) and nothing in
    /// this session showed it.
    case unknown
}

/// Where a call is, the same for every vendor (Cisco `Connected`/`Dialling`/`Ringing`…, Poly
/// `connected`/`connecting`/`complete`/`ringing`…), so no caller reads vendor text.
public enum CallState: String, Sendable, Codable, CaseIterable {
    case connecting, ringing, connected
    case onHold = "on-hold"
    case disconnecting, disconnected, idle, unknown

    /// The state a vendor's status text means.
    public init(vendorText text: String) {
        switch text.lowercased().replacingOccurrences(of: "_", with: "") {
        case "connected", "complete", "active": self = .connected
        case "dialling", "dialing", "connecting", "allocated", "opened", "earlymedia", "proceeding": self = .connecting
        case "ringing", "alerting": self = .ringing
        case "onhold", "held", "preserved", "remotepreserved": self = .onHold
        case "disconnecting": self = .disconnecting
        case "disconnected", "ended", "cleared": self = .disconnected
        case "idle", "inactive": self = .idle
        default: self = .unknown
        }
    }
}

/// One call as the codec reports it: its own status text, and what that means.
public struct CallInfo: Sendable, Codable, Equatable {
    public let id: String
    public let number: String
    /// The codec's own word (`Connected`, `connected`), as the contract's JSON shows it.
    public let status: String
    public let state: CallState
    public init(id: String, number: String, status: String) {
        self.id = id
        self.number = number
        self.status = status
        self.state = CallState(vendorText: status)
    }
}

/// A PTZ camera's position in its own units (signed 16-bit pan/tilt, unsigned zoom on VISCA).
public struct CameraPosition: Sendable, Codable, Equatable {
    public let pan: Int
    public let tilt: Int
    public let zoom: Int
    public init(pan: Int, tilt: Int, zoom: Int) {
        self.pan = pan
        self.tilt = tilt
        self.zoom = zoom
    }
}

/// What a camera reports beyond the common status.
public struct CameraStatus: Sendable, Codable, Equatable {
    /// `on` or `standby`.
    public let power: String
    /// The preset last recalled or stored, when the camera says.
    public let presetInUse: Int?
    /// Nil while the camera is in standby (it does not answer position inquiries then).
    public let position: CameraPosition?
    public init(power: String, presetInUse: Int?, position: CameraPosition?) {
        self.power = power
        self.presetInUse = presetInUse
        self.position = position
    }
}

/// What `hntt status` reports for a device.
public struct DeviceStatus: Sendable, Codable, Equatable {
    public var standby: StandbyState
    public let micMuted: Bool
    public let calls: [CallInfo]
    public let software: String
    /// Camera details, for cameras driven directly.
    public let camera: CameraStatus?
    /// When the standby state was seen, if it was not read just now (Poly: the last sleep event,
    /// or a state remembered from an earlier session).
    public var standbySeenAt: Date?
    public init(
        standby: StandbyState, micMuted: Bool, calls: [CallInfo], software: String, camera: CameraStatus? = nil,
        standbySeenAt: Date? = nil
    ) {
        self.standby = standby
        self.micMuted = micMuted
        self.calls = calls
        self.software = software
        self.camera = camera
        self.standbySeenAt = standbySeenAt
    }
}

/// A standby state a driver saw (an answer or an event), and when.
public struct StandbyObservation: Sendable, Codable, Equatable {
    public let state: StandbyState
    public let seenAt: Date
    public init(state: StandbyState, seenAt: Date) {
        self.state = state
        self.seenAt = seenAt
    }
}

/// A driver whose device cannot be asked for its standby state, only seen changing it (Poly):
/// what it saw is kept by the gateway, so a later session can say what was last known.
public protocol StandbyObserving: DeviceDriver {
    /// The last state this driver saw; nil when it saw none.
    var observedStandby: StandbyObservation? { get async }
}

/// The call signalling a dial asks for.
public enum CallProtocol: String, Sendable, CaseIterable {
    case auto, sip, h323
}

/// One configuration setting: the vendor's key (path words joined by single spaces, or a Poly
/// setting name) and its value as text.
public struct Setting: Sendable, Hashable, Codable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    public init(_ key: String, _ value: String) { self.init(key: key, value: value) }
}

/// Configuration as the device prints it: keys are the vendor's path words joined by single
/// spaces, in the device's order.
public struct ConfigurationSettings: Sendable, Equatable {
    public var entries: [Setting]
    /// Keys the profile lists that this firmware refused as unknown or unsupported: reported,
    /// left out of snapshots and drift, never a failure of the whole read.
    public var unsupported: [String]
    public init(_ entries: [Setting], unsupported: [String] = []) {
        self.entries = entries
        self.unsupported = unsupported
    }
    public subscript(key: String) -> String? { entries.first { $0.key == key }?.value }
}

/// The operations every room device offers, codec or camera, whatever its vendor and transport.
///
/// The command line speaks only to these protocols, so a technician uses the same `hntt` command
/// on any device. Implementations are actors that own one connection and open it on first use.
/// Values are validated before anything is sent: an unsafe value throws `.badInput` with the
/// connection untouched.
public protocol DeviceDriver: Sendable {
    /// The device's state, read live.
    func status() async throws -> DeviceStatus
    /// Leaves standby (a camera: powers on), so the room is ready before a session (Điều 3.2).
    func wake() async throws
    /// Enters standby; the device stays reachable.
    func sleep() async throws
    /// Moves a camera to a stored preset.
    func recallPreset(_ preset: Int, camera: Int?) async throws
    /// Stores the camera's current position as a preset.
    func storePreset(_ preset: Int, camera: Int?) async throws
    /// Connects and logs in without changing anything (`hntt devices --check`); returns what the
    /// device says it is.
    func checkLogin() async throws -> String
    /// Ends the session; the next operation opens a new one.
    func close() async
}

/// A PTZ camera driven directly (not through a codec).
public protocol CameraDriver: DeviceDriver {
    /// Pan and tilt to the home position.
    func home() async throws
    /// Pan, tilt and zoom now.
    func position() async throws -> CameraPosition
}

/// A room codec: a device that also calls, mutes and has a configuration.
public protocol CodecDriver: DeviceDriver {
    /// Places a call; returns the codec's call id.
    func dial(_ number: String, protocol: CallProtocol, rateKbps: Int?) async throws -> String
    /// Ends one call, or every call when `callID` is nil; returns the ids that were ended.
    func hangup(callID: String?) async throws -> [String]
    /// Mutes or unmutes every microphone of the room.
    func setMicrophoneMute(_ muted: Bool) async throws
    /// Whether the microphones are muted now, as the codec reports it.
    func microphoneMuted() async throws -> Bool
    /// The whole configuration, or the one key.
    func configuration(key: String?) async throws -> ConfigurationSettings
}

/// Media counters of the calls in progress: what a test call samples to judge connection
/// quality (Điều 4: chất lượng kết nối). A figure the codec does not report for this call is
/// nil ("not measured"), never 0.
public struct MediaCounters: Sendable, Equatable {
    /// Received packets, cumulative.
    public var packets: Int?
    /// Received packets lost, cumulative.
    public var lost: Int?
    /// Transmitted packets lost, cumulative (as the far end reported them).
    public var transmitLost: Int?
    /// The codec's own loss percentage over its latest interval, when it computes one (Poly
    /// `netstats` `%pktloss`, transmit direction).
    public var lossPercent: Double?
    /// The worst jitter now, received direction.
    public var jitterMs: Double?
    /// The received rate.
    public var rateKbps: Int?

    public init(
        packets: Int?, lost: Int?, jitterMs: Double?, rateKbps: Int?, transmitLost: Int? = nil,
        lossPercent: Double? = nil
    ) {
        self.packets = packets
        self.lost = lost
        self.jitterMs = jitterMs
        self.rateKbps = rateKbps
        self.transmitLost = transmitLost
        self.lossPercent = lossPercent
    }

    /// True when the codec reported no loss and no jitter figure at all.
    public var measuresNothing: Bool { lost == nil && lossPercent == nil && jitterMs == nil }
}

/// A codec that reports media statistics.
public protocol MediaStatisticsSource: CodecDriver {
    /// Nil when no call is in progress.
    func mediaCounters() async throws -> MediaCounters?
}
