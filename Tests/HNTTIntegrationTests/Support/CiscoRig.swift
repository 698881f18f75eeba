import Foundation
import HNTTSimulator
import HNTTTransport

@testable import HNTTCisco
@testable import HNTTCore

/// The ways a test can reach a simulated Cisco codec, each a real peer: sshd, a TCP socket, a pty.
enum CiscoRoute: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sshKeyboardInteractive, sshPassword, telnet, serial, serialWithoutLogin, serialServer

    var flavor: CiscoFlavor {
        switch self {
        case .sshKeyboardInteractive, .serial: return .ce9
        case .sshPassword, .serialWithoutLogin: return .roomos11
        case .telnet, .serialServer: return .tc7
        }
    }

    var hasLogin: Bool { self != .serialWithoutLogin }
    var isSSH: Bool { self == .sshKeyboardInteractive || self == .sshPassword }
    var testDescription: String { "\(rawValue) (\(flavor.rawValue))" }
}

import Testing

/// One simulated codec behind one route, and drivers for it.
final class CiscoRig: @unchecked Sendable {
    let route: CiscoRoute
    private var sshd: SSHDFixture?
    private var simulator: CiscoSimulator?
    private(set) var device: InventoryDevice
    private let password: String

    /// A rig for `route`, set up off the cooperative pool.
    static func start(_ route: CiscoRoute) async throws -> CiscoRig {
        let fixture: SSHDFixture? = route.isSSH
            ? try await SSHDFixture.start(authentication: route == .sshPassword ? .passwordOnly : .keyboardInteractive,
                                          flavor: route.flavor)
            : nil
        return try CiscoRig(route, sshd: fixture)
    }

    private init(_ route: CiscoRoute, sshd fixture: SSHDFixture?) throws {
        self.route = route
        var host: String? = "127.0.0.1", port: UInt16?, path: String?
        let transport: TransportKind
        switch route {
        case .sshKeyboardInteractive, .sshPassword:
            guard let fixture else { throw FixtureError("an SSH route needs its sshd") }
            sshd = fixture
            port = fixture.port
            transport = .ssh
            password = SSHDFixture.password
        case .telnet, .serialServer, .serial, .serialWithoutLogin:
            var data = CiscoCodecData(flavor: route.flavor, users: ["admin": "admin-pass"])
            if route == .serialWithoutLogin { data.setSetting("SerialPort LoginRequired", "Off") }
            let simulator = CiscoSimulator(data)
            self.simulator = simulator
            password = "admin-pass"
            switch route {
            case .telnet:
                port = try simulator.startTelnet()
                transport = .telnet
            case .serialServer:
                port = try simulator.startSerialServer()
                transport = .tcp
            default:
                path = try simulator.startSerial()
                host = nil
                transport = .serial
            }
        }
        device = InventoryDevice(id: "codec-\(route.rawValue.lowercased())", roomID: "ubnd", profileID: "cisco-roomos",
                                 transport: transport, host: transport == .serial ? nil : host, port: port, path: path,
                                 baud: transport == .serial ? 115200 : nil, address: nil,
                                 credential: route.hasLogin ? "codec" : nil, hostKey: nil, sourceLine: 1)
    }

    var username: String { route.isSSH ? SSHDFixture.username : "admin" }
    var hostKeyFingerprint: String? { sshd?.hostKeyFingerprint }

    /// A driver with the right password (or `password`), the real host key pinned (or `hostKeyPolicy`).
    func driver(password: String? = nil, hostKeyPolicy: HostKeyPolicy? = nil, commandTimeout: Double = 5,
                loginTimeout: Double = 5) throws -> CiscoXAPIDriver {
        var profile = try DeviceProfile.load(path: TestEnvironment.profilesDirectory + "/cisco-roomos.yaml")
        profile = DeviceProfile(id: profile.id, vendor: profile.vendor, driver: profile.driver, description: profile.description,
                                transports: profile.transports, login: profile.login,
                                timeouts: .init(connect: 5, login: loginTimeout, command: commandTimeout),
                                volatileKeys: profile.volatileKeys, secretKeys: profile.secretKeys, operations: profile.operations)
        let credentials = route.hasLogin
            ? LoginCredentials(username: username, password: SecretText(password ?? self.password)) : nil
        let device = self.device
        let policy = hostKeyPolicy ?? sshd.map { .pinned($0.hostKeyFingerprint) } ?? .refuseUnknown
        let plan = ConnectionPlan(device: device, profile: profile, credentials: credentials) {
            switch device.transport {
            case .ssh: return SSHTransport(host: device.host!, port: device.port!, credentials: credentials, hostKeyPolicy: policy)
            case .telnet: return TelnetTransport(host: device.host!, port: device.port!)
            case .tcp: return TCPTransport(host: device.host!, port: device.port!)
            default: return SerialTransport(path: device.path!, baud: device.baud!)
            }
        }
        return CiscoXAPIDriver(plan: plan)
    }

    /// The codec's state as the simulator sees it.
    func state() throws -> CiscoCodecData {
        if let sshd { return try sshd.state }
        return simulator!.store.snapshot
    }

    func update(_ body: @escaping (inout CiscoCodecData) -> Void) throws {
        if let sshd { try sshd.update(body) } else { simulator!.store.update(body) }
    }

    /// Cuts every network client (telnet and serial-server routes).
    func dropClients() { simulator?.dropClients() }

    func stop() {
        sshd?.stop()
        simulator?.stop()
    }

    deinit { stop() }
}

/// Runs `body` and returns the ``HNTTError`` it threw (failing the test if it threw none or another).
func expectHNTTError(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> HNTTError? {
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
