import Foundation
import HNTTSimulator
import HNTTTransport
import Testing

@testable import HNTTCisco
@testable import HNTTCore
@testable import HNTTPoly

/// The ways a test can reach a simulated codec, each a real peer: sshd, a TCP socket, a pty.
enum Route: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sshKeyboardInteractive, sshPassword, telnet, serial, serialWithoutLogin, serialServer

    /// The Cisco generation simulated behind each route, so that every generation meets every kind of link.
    var ciscoFlavor: CiscoFlavor {
        switch self {
        case .sshKeyboardInteractive, .serial: return .ce9
        case .sshPassword, .serialWithoutLogin: return .roomos11
        case .telnet, .serialServer: return .tc7
        }
    }

    /// The Poly family simulated behind each route.
    var polyFlavor: PolyFlavor {
        switch self {
        case .sshKeyboardInteractive, .telnet, .serialWithoutLogin: return .group
        case .sshPassword, .serial, .serialServer: return .hdx
        }
    }

    var hasLogin: Bool { self != .serialWithoutLogin }

    /// Every route this machine can run: the SSH routes need root and openssh-server.
    static var available: [Route] { only(allCases) }

    /// `routes` without the SSH ones when sshd cannot run here.
    static func only(_ routes: [Route]) -> [Route] { routes.filter { !$0.isSSH || SSHDFixture.isAvailable } }
    var isSSH: Bool { self == .sshKeyboardInteractive || self == .sshPassword }
    var testDescription: String { rawValue }

    var transport: TransportKind {
        switch self {
        case .sshKeyboardInteractive, .sshPassword: return .ssh
        case .telnet: return .telnet
        case .serial, .serialWithoutLogin: return .serial
        case .serialServer: return .tcp
        }
    }
}

/// One simulated device behind one route, and drivers for it. The state is one
/// ``SimulatorStore``: in memory for in-process routes, the sshd simulator's file for SSH.
final class DeviceRig<State: SimulatedDeviceState>: @unchecked Sendable {
    let route: Route
    let store: SimulatorStore<State>
    private let sshd: SSHDFixture?
    private let simulator: (any SimulatedDevice)?
    let device: InventoryDevice
    private let profileID: String
    private let password: String
    private let username: String
    private let makeDriver: @Sendable (ConnectionPlan) -> any CodecDriver

    /// Starts `initial` behind `route`, off the cooperative pool.
    static func start(
        _ route: Route, initial: State, simulatorArguments: [String], profileID: String,
        username: String, password: String,
        simulator makeSimulator: @escaping (SimulatorStore<State>) -> any SimulatedDevice,
        driver: @escaping @Sendable (ConnectionPlan) -> any CodecDriver
    ) async throws -> DeviceRig {
        if route.isSSH {
            let fixture = try await SSHDFixture.start(
                authentication: route == .sshPassword ? .passwordOnly : .keyboardInteractive,
                simulator: simulatorArguments, initial: initial)
            let store = try SimulatorStore(file: fixture.statePath, initial: initial)
            return try DeviceRig(
                route, store: store, sshd: fixture, simulator: nil, profileID: profileID,
                username: SSHDFixture.username, password: SSHDFixture.password, driver: driver)
        }
        let store = SimulatorStore(initial)
        return try DeviceRig(
            route, store: store, sshd: nil, simulator: makeSimulator(store), profileID: profileID,
            username: username, password: password, driver: driver)
    }

    private init(
        _ route: Route, store: SimulatorStore<State>, sshd: SSHDFixture?, simulator: (any SimulatedDevice)?,
        profileID: String, username: String, password: String,
        driver: @escaping @Sendable (ConnectionPlan) -> any CodecDriver
    ) throws {
        self.route = route
        self.store = store
        self.sshd = sshd
        self.simulator = simulator
        self.profileID = profileID
        self.username = username
        self.password = password
        makeDriver = driver
        var port: UInt16?
        var path: String?
        switch route {
        case .sshKeyboardInteractive, .sshPassword: port = sshd?.port
        case .telnet: port = try simulator?.startTelnet()
        case .serialServer: port = try simulator?.startSerialServer()
        case .serial, .serialWithoutLogin: path = try simulator?.startSerial()
        }
        let transport = route.transport
        device = InventoryDevice(
            id: "dev-\(route.rawValue.lowercased())", roomID: "ubnd", profileID: profileID,
            transport: transport, host: transport == .serial ? nil : "127.0.0.1", port: port, path: path,
            baud: transport == .serial ? 115200 : nil, address: nil,
            credential: route.hasLogin ? "codec" : nil, hostKey: nil, sourceLine: 1)
    }

    var hostKeyFingerprint: String? { sshd?.hostKeyFingerprint }

    /// A driver with the right password (or `password`), the real host key pinned (or `hostKeyPolicy`).
    /// Timeouts leave room for a loaded 2-core machine running the whole suite; tests of a timeout pass their own.
    func driver(
        password: String? = nil, hostKeyPolicy: HostKeyPolicy? = nil, commandTimeout: Double = 10,
        loginTimeout: Double = 15
    ) throws -> any CodecDriver {
        var profile = try DeviceProfile.load(path: TestEnvironment.profilesDirectory + "/\(profileID).yaml")
        // A refused PAM login costs a few seconds by design (pam_faildelay); leave room under load.
        profile.timeouts = .init(connect: 15, login: loginTimeout, command: commandTimeout)
        let credentials =
            route.hasLogin ? LoginCredentials(username: username, password: SecretText(password ?? self.password)) : nil
        let device = self.device
        let policy = hostKeyPolicy ?? sshd.map { .pinned($0.hostKeyFingerprint) } ?? .refuseUnknown
        let plan = ConnectionPlan(device: device, profile: profile, credentials: credentials) {
            switch device.transport {
            case .ssh:
                return SSHTransport(
                    host: device.host!, port: device.port!, credentials: credentials, hostKeyPolicy: policy)
            case .telnet: return TelnetTransport(host: device.host!, port: device.port!)
            case .tcp: return TCPTransport(host: device.host!, port: device.port!)
            default: return SerialTransport(path: device.path!, baud: device.baud!)
            }
        }
        return makeDriver(plan)
    }

    /// Logs `driver` in before a fault is injected, trying again if a loaded machine made the
    /// set-up miss a test's deliberately short timeout (the set-up is not what such a test is about).
    func logIn(_ driver: any CodecDriver) async throws {
        for attempt in 1...3 {
            do {
                _ = try await driver.checkLogin()
                return
            } catch let error as HNTTError where error.category == .timeout && attempt < 3 {
                continue
            }
        }
    }

    /// The device's state as the simulator sees it.
    func state() throws -> State { store.snapshot }

    func update(_ body: @escaping (inout State) -> Void) throws { store.update(body) }

    /// Cuts every network client (telnet and serial-server routes).
    func dropClients() { simulator?.dropClients() }

    func stop() {
        sshd?.stop()
        simulator?.stop()
    }

    deinit { stop() }
}

typealias CiscoRig = DeviceRig<CiscoCodecData>
typealias PolyRig = DeviceRig<PolyCodecData>

extension DeviceRig where State == CiscoCodecData {
    /// A simulated Cisco codec of the route's generation behind `route`.
    static func start(_ route: Route) async throws -> CiscoRig {
        var data = CiscoCodecData(flavor: route.ciscoFlavor, users: ["admin": "admin-pass"])
        if route == .serialWithoutLogin { data.setSetting("SerialPort LoginRequired", "Off") }
        return try await start(
            route, initial: data, simulatorArguments: ["cisco", "--flavor", route.ciscoFlavor.rawValue],
            profileID: "cisco-roomos", username: "admin", password: "admin-pass",
            simulator: { CiscoSimulator(store: $0) }, driver: { CiscoXAPIDriver(plan: $0) })
    }
}

extension DeviceRig where State == PolyCodecData {
    /// A simulated Poly codec of the route's family behind `route`, with the matching profile.
    static func start(_ route: Route, flavor: PolyFlavor? = nil) async throws -> PolyRig {
        let flavor = flavor ?? route.polyFlavor
        var data = PolyCodecData(flavor: flavor, password: "poly-pass")
        if route == .serialWithoutLogin { data.serialLogin = .none }
        return try await start(
            route, initial: data, simulatorArguments: ["poly", "--flavor", flavor.rawValue],
            profileID: flavor == .group ? "poly-group" : "poly-hdx", username: "admin", password: "poly-pass",
            simulator: { PolySimulator(store: $0) }, driver: { PolyLegacyDriver(plan: $0) })
    }
}

/// Runs `body` and returns the ``HNTTError`` it threw (failing the test if it threw none or another).
func expectHNTTError(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async
    -> HNTTError?
{
    do {
        try await body()
        Issue.record("expected an error, got success", sourceLocation: sourceLocation)
        return nil
    } catch let error as HNTTError {
        return error
    } catch {
        Issue.record("expected an HNTTError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

extension Trait where Self == ConditionTrait {
    /// For tests that start a real sshd on 127.0.0.1 (root and openssh-server); the others run as any user.
    static var needsSSHD: Self { .enabled(if: SSHDFixture.isAvailable, "needs root and openssh-server (a real sshd)") }
}
