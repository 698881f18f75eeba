import ArgumentParser
import Foundation
import HNTTSimulator

/// `hntt-sim`: simulated room devices for tests and demos.
struct HNTTSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hntt-sim",
        abstract: "Simulated room devices (for tests and demos).",
        subcommands: [CiscoSim.self, PolySim.self, VISCASim.self, CMSSim.self, RMXSim.self, CiscoTamper.self])
}

/// Where and how a simulated device is served; the same for every vendor.
struct RouteOptions: ParsableArguments {
    @Option(help: "Keep the device's state in this JSON file (shared by sessions).") var state: String?
    @Flag(help: "Serve one session on standard input/output (for sshd ForceCommand).") var stdio = false
    @Option(help: "Serve telnet on this port of 127.0.0.1 (0 = any).") var telnet: UInt16?
    @Option(help: "Serve the serial console as raw TCP on this port (a serial server).") var serialServer: UInt16?
    @Flag(help: "Serve the serial console on a pseudo-terminal; prints its path.") var pty = false
    @Option(help: "Serve this many independent devices (ports count up from the given one, 0 = any).")
    var instances = 1
    @Option(help: "Seconds to wait before each reply (a slow device).") var replyDelay: Double = 0
    @Option(help: "Misbehave: silent, garbage, drop-mid-reply, split-writes or feedback-noise (repeatable).")
    var fault: [String] = []

    func faults() throws -> SimulatorFaults {
        var faults = SimulatorFaults()
        faults.replyDelay = replyDelay
        for name in fault {
            switch name {
            case "silent": faults.silent = true
            case "garbage": faults.garbage = true
            case "drop-mid-reply": faults.dropMidReply = true
            case "split-writes": faults.splitWrites = true
            case "feedback-noise": faults.feedbackNoise = true
            default:
                throw ValidationError(
                    "unknown fault \(name); use silent, garbage, drop-mid-reply, split-writes or feedback-noise")
            }
        }
        return faults
    }

    /// Serves `initial` on the routes asked for, until killed (or for one stdio session).
    func serve<State: SimulatedDeviceState>(_ initial: State, device: (SimulatorStore<State>) -> any SimulatedDevice)
        throws
    {
        let store = try state.map { try SimulatorStore(file: $0, initial: initial) } ?? SimulatorStore(initial)
        if stdio {
            device(store).serveStandardIO()
            return
        }
        guard telnet != nil || serialServer != nil || pty else {
            throw ValidationError("say where to serve: --stdio, --telnet PORT, --serial-server PORT or --pty")
        }
        var devices: [any SimulatedDevice] = []
        for index in 0..<max(1, instances) {
            let simulator = device(index == 0 ? store : SimulatorStore(initial))
            devices.append(simulator)
            let offset = UInt16(index)
            if let telnet {
                say("telnet 127.0.0.1:\(try simulator.startTelnet(port: telnet == 0 ? 0 : telnet + offset))")
            }
            if let serialServer {
                say(
                    "serial-server 127.0.0.1:\(try simulator.startSerialServer(port: serialServer == 0 ? 0 : serialServer + offset))"
                )
            }
            if pty { say("pty \(try simulator.startSerial())") }
        }
        signal(SIGTERM) { _ in Foundation.exit(0) }
        signal(SIGINT) { _ in Foundation.exit(0) }
        withExtendedLifetime(devices) {
            while true { Foundation.sleep(3600) }
        }
    }
}

struct CiscoSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cisco",
        abstract:
            "A simulated Cisco codec: on stdin/stdout (behind sshd's ForceCommand), telnet, a serial server port or a pty."
    )

    @OptionGroup var routes: RouteOptions
    @Option(help: "tc7, ce9 or roomos11.") var flavor: String = "ce9"
    @Option(help: "The system name shown in the banner and configuration.") var name = "UBND-Room"
    @Option(help: "The local account for telnet/serial logins: USER:PASSWORD.") var account = "admin:admin-pass"
    @Flag(help: "Serial console without login (SerialPort LoginRequired: Off).") var noSerialLogin = false

    func run() throws {
        guard let flavor = CiscoFlavor(rawValue: flavor) else {
            throw ValidationError("unknown flavor \(self.flavor); use tc7, ce9 or roomos11")
        }
        let parts = account.split(separator: ":", maxSplits: 1).map(String.init)
        var initial = CiscoCodecData(
            flavor: flavor, systemName: name, users: parts.count == 2 ? [parts[0]: parts[1]] : [:])
        if noSerialLogin { initial.setSetting("SerialPort LoginRequired", "Off") }
        initial.faults = try routes.faults()
        try routes.serve(initial) { CiscoSimulator(store: $0) }
    }
}

struct PolySim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "poly",
        abstract:
            "A simulated Poly Group Series or HDX codec: on stdin/stdout (behind sshd), telnet, a serial server port or a pty."
    )

    @OptionGroup var routes: RouteOptions
    @Option(help: "group or hdx.") var flavor: String = "group"
    @Option(help: "The system name shown in the whoami banner.") var name = "UBND-Poly"
    @Option(help: "The API password.") var password = "poly-pass"
    @Option(help: "Serial login mode: password, username or none.") var serialLogin = "password"

    func run() throws {
        guard let flavor = PolyFlavor(rawValue: flavor) else {
            throw ValidationError("unknown flavor \(self.flavor); use group or hdx")
        }
        guard let mode = PolySerialLogin(rawValue: serialLogin) else {
            throw ValidationError("unknown serial login mode \(serialLogin); use password, username or none")
        }
        var initial = PolyCodecData(flavor: flavor, systemName: name, password: password)
        initial.serialLogin = mode
        initial.faults = try routes.faults()
        try routes.serve(initial) { PolySimulator(store: $0) }
    }
}

struct VISCASim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "visca",
        abstract: "Simulated VISCA PTZ cameras: a chain on a pty or behind a serial server, or an IP camera on UDP.")

    @OptionGroup var routes: RouteOptions
    @Option(help: "Cameras on the chain (1–7).") var cameras = 1
    @Flag(help: "Cameras keep fixed addresses 1…N (no AddressSet needed).") var fixedAddresses = false
    @Option(help: "Serve one IP camera with Sony's VISCA over IP on this UDP port (0 = any).") var udp: UInt16?
    @Flag(help: "With --udp: raw VISCA packets, no Sony header (PTZOptics-style).") var rawUDP = false

    func run() throws {
        var initial = VISCACameraData(count: cameras, fixedAddresses: fixedAddresses)
        initial.faults = try routes.faults()
        if let udp {
            let store =
                try routes.state.map { try VISCACameraStore(file: $0, initial: initial) } ?? VISCACameraStore(initial)
            let camera = try VISCAUDPCamera(store: store, sonyHeader: !rawUDP, port: udp)
            say("udp 127.0.0.1:\(camera.port)")
            signal(SIGTERM) { _ in Foundation.exit(0) }
            signal(SIGINT) { _ in Foundation.exit(0) }
            withExtendedLifetime(camera) {
                while true { Foundation.sleep(3600) }
            }
        }
        try routes.serve(initial) { VISCASimulator(store: $0) }
    }
}

struct CiscoTamper: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cisco-set",
        abstract: "Change a running simulated Cisco codec's configuration behind hntt's back (demos of drift).")

    @Option(help: "The codec's state file (as given to `hntt-sim cisco --state`).") var state: String
    @Argument(help: "KEY=VALUE pairs, e.g. \"SIP DisplayName=Hacked\".") var settings: [String]

    func run() throws {
        let store = try CiscoCodecStore(file: state, initial: CiscoCodecData(flavor: .ce9))
        for pair in settings {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, store.read({ $0.setting(parts[0]) }) != nil else {
                throw ValidationError("\(pair): not KEY=VALUE with a key the codec has")
            }
            store.update { $0.setSetting(parts[0], parts[1]) }
        }
    }
}

/// Prints a line at once (the caller may be a script waiting for the endpoint).
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

/// A simulated Cisco Meeting Server: its REST API over HTTPS with a self-signed certificate kept in a folder.
/// Where and as whom a simulated bridge serves its API; the same for the CMS and the RMX.
struct BridgeOptions: ParsableArguments {
    @Option(help: "Serve HTTPS on this port of 127.0.0.1 (0 = any).") var https: Int = 0
    @Option(help: "Keep the certificate here (made on first start), so the pin stays valid.") var certDir: String
    @Option(help: "Keep the bridge's state in this JSON file.") var state: String?
    @Option(
        help: "The API account: USER:PASSWORD (default: the simulator's own, admin:cms-pass-7 or POLYCOM:rmx-pass-5).")
    var account: String?

    func validate() throws {
        guard account?.contains(":") != false else { throw ValidationError("--account must be USER:PASSWORD") }
        guard (0...65535).contains(https) else { throw ValidationError("--https must be a port from 0 to 65535") }
    }

    /// Serves `initial` with `--account` set, kept in `--state` when given, until a signal ends the process.
    func serve<State: SimulatedDeviceState & BridgeAccount>(
        _ initial: State, _ make: (SimulatorStore<State>, SimulatorCertificate) -> SimulatedHTTPSDevice<State>
    ) throws {
        var initial = initial
        if let parts = account?.split(separator: ":", maxSplits: 1).map(String.init), let user = parts.first {
            initial.username = user
            initial.password = parts.count > 1 ? parts[1] : ""
        }
        let store = try state.map { try SimulatorStore(file: $0, initial: initial) } ?? SimulatorStore(initial)
        let certificate = try SimulatorCertificate.make(in: certDir)
        let simulator = make(store, certificate)
        let port = https
        try serveForever(simulator, certificate: certificate) { try await simulator.start(port: port) }
    }
}

struct CMSSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cms",
        abstract: "A simulated Cisco Meeting Server (REST API over HTTPS, Basic auth, paged XML lists).")

    @OptionGroup var bridge: BridgeOptions
    @Option(help: "Sites in the demo conference.") var sites = 5
    @Option(help: "Seconds to wait before each reply (a slow bridge).") var replyDelay: Double = 0
    @Option(help: "The first site's address (a codec's SIP URI, so that its leg is found and sampled).")
    var siteURI: String?

    func run() throws {
        var initial = CMSBridgeState.demo(sites: sites)
        initial.faults.replyDelay = replyDelay
        if let siteURI, initial.calls[0].legs.count > 1 { initial.calls[0].legs[1].remoteParty = "sip:\(siteURI)" }
        try bridge.serve(initial) { CMSBridgeSimulator(store: $0, certificate: $1) }
    }
}

struct RMXSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rmx",
        abstract: "A simulated Polycom RMX (XML API over HTTPS: login tokens, conference list, parties, mute, connect)."
    )

    @OptionGroup var bridge: BridgeOptions
    @Option(help: "Sites in the demo conference.") var sites = 4

    func run() throws {
        try bridge.serve(RMXBridgeState.demo(sites: sites)) { RMXBridgeSimulator(store: $0, certificate: $1) }
    }
}

/// Starts an HTTPS simulator on NIO's threads, prints its port and certificate fingerprint, and keeps this
/// process's main thread waiting until a signal ends it.
func serveForever(
    _ simulator: AnyObject & Sendable, certificate: SimulatorCertificate,
    _ start: @escaping @Sendable () async throws -> Int
) throws {
    let started = Started()
    Task {
        do { started.result = .success(try await start()) } catch { started.result = .failure(error) }
        started.ready.signal()
    }
    started.ready.wait()
    let bound = try started.result!.get()
    say("https 127.0.0.1:\(bound)")
    say("fingerprint \(certificate.opensslFingerprint)")
    signal(SIGTERM) { _ in Foundation.exit(0) }
    signal(SIGINT) { _ in Foundation.exit(0) }
    withExtendedLifetime(simulator) {
        while true { Foundation.sleep(3600) }
    }
}

/// The port a server bound, handed from its task to the waiting main thread (the semaphore orders them).
final class Started: @unchecked Sendable {
    let ready = DispatchSemaphore(value: 0)
    var result: Result<Int, any Error>?
}

HNTTSim.main()
