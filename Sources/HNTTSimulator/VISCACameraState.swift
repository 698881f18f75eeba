import Foundation

/// One simulated PTZ camera.
public struct SimulatedCamera: Codable, Sendable, Equatable {
    /// The address AddressSet gave it (0 until then, unless its switch fixes one).
    public var address: Int
    public var poweredOn = true
    /// Where the camera points at power-up (so that `home` and preset recalls visibly move it).
    public var pan = 1200, tilt = -300, zoom = 4096
    public var presets: [Int: [Int]] = [:]
    public var presetInUse: Int?
    /// Vendor and model for the version inquiry: Sony (0001) SRG-120DH (0511).
    public var vendor: UInt16 = 0x0001
    public var model: UInt16 = 0x0511

    public init(address: Int = 0) { self.address = address }
}

/// A chain of simulated cameras (one RS-232 line or one serial server), or one IP camera.
public struct VISCACameraData: SimulatedDeviceState {
    public var cameras: [SimulatedCamera]
    /// Seconds before an ACK, and before a Completion (motors take time).
    public var ackDelay = 0.005
    public var completionDelay = 0.03
    /// Answer the next command with this error code instead (`0x41` not executable, `0x02` syntax…).
    public var errorNext: UInt8?
    /// Send a Network Change (`z0 38 FF`) before the next reply.
    public var networkChangeNext = false
    /// UDP: lose this many incoming datagrams, then this many outgoing replies.
    public var dropRequests = 0
    public var dropReplies = 0
    public var faults = SimulatorFaults()
    /// Every packet received, as hex (`81 01 04 00 02 FF`).
    public var commandLog: [String] = []
    public var successfulLogins = 0
    public var failedLogins = 0
    /// AddressSet broadcasts seen.
    public var addressSets = 0

    /// `count` cameras; `fixedAddresses` gives them 1…count at once (address switches set), else
    /// they wait for AddressSet (switch 0 = automatic).
    public init(count: Int, fixedAddresses: Bool = false) {
        cameras = (1...max(1, min(count, 7))).map { SimulatedCamera(address: fixedAddresses ? $0 : 0) }
    }
}

/// The state of a simulated camera chain or IP camera.
public typealias VISCACameraStore = SimulatorStore<VISCACameraData>
