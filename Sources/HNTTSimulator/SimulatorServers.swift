import CHNTTSystem
import Foundation

/// Serves a simulated device on a TCP port of 127.0.0.1: telnet (with the codec's option
/// negotiation) or raw TCP like a serial server. One thread per client, plain blocking I/O.
public final class SimulatorTCPServer: @unchecked Sendable {
    public let port: UInt16
    private let listenFD: Int32
    private let lock = NSLock()
    private var links: [SimulatorLink] = []
    private var stopped = false
    private let serve: @Sendable (SimulatorLink) -> Void
    private let telnet: Bool

    /// Listens on 127.0.0.1:`port` (0 picks a free port); `serve` runs one session per client.
    public init(port: UInt16 = 0, telnet: Bool, serve: @escaping @Sendable (SimulatorLink) -> Void) throws {
        self.serve = serve
        self.telnet = telnet
        let (fd, boundPort) = try bindLoopback(type: SOCK_STREAM, port: port)
        guard listen(fd, 64) == 0 else {
            close(fd)
            throw SimulatorError("cannot listen on 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
        }
        self.port = boundPort
        listenFD = fd
        let thread = Thread { [weak self] in self?.acceptLoop() }
        thread.start()
    }

    private func acceptLoop() {
        defer { close(listenFD) }   // here, not in stop(): no other thread polls it then
        while true {
            var pfd = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, 100)
            if lock.withLock({ stopped }) { return }
            if ready <= 0 { continue }
            let client = accept(listenFD, nil, nil)
            if client < 0 { continue }
            let link = SimulatorLink(readFD: client, writeFD: client, telnet: telnet)
            lock.withLock { links.append(link) }
            let serve = self.serve
            let thread = Thread {
                serve(link)
                link.finish()
            }
            thread.start()
        }
    }

    /// Drops every client (they see the connection close) but keeps listening.
    public func dropClients() {
        let current = lock.withLock { () -> [SimulatorLink] in
            defer { links.removeAll() }
            return links
        }
        for link in current { link.close() }
    }

    /// Stops listening and drops every client.
    public func stop() {
        let alreadyStopped = lock.withLock { () -> Bool in
            defer { stopped = true }
            return stopped
        }
        if alreadyStopped { return }
        dropClients()
    }

    deinit { stop() }
}

/// A simulated device on a pseudo-terminal: hntt opens ``slavePath`` as its serial port.
public final class SimulatorPTY: @unchecked Sendable {
    public let slavePath: String
    private let link: SimulatorLink
    private let slaveKeeper: Int32
    private let lock = NSLock()
    private var stopped = false

    /// Opens a pty pair and serves sessions on its master side until ``stop()``; a new session
    /// starts whenever the previous one ends (as a serial console does).
    public init(serve: @escaping @Sendable (SimulatorLink) -> Void) throws {
        var master: Int32 = -1
        var slave: Int32 = -1
        var name = [CChar](repeating: 0, count: 256)
        guard openpty(&master, &slave, &name, nil, nil) == 0 else {
            throw SimulatorError("openpty: \(String(cString: strerror(errno)))")
        }
        _ = fcntl(master, F_SETFD, FD_CLOEXEC)
        _ = fcntl(slave, F_SETFD, FD_CLOEXEC)
        // Raw on both sides, so the line discipline neither echoes nor translates.
        var tio = termios()
        tcgetattr(slave, &tio)
        cfmakeraw(&tio)
        tcsetattr(slave, TCSANOW, &tio)
        slavePath = name.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        slaveKeeper = slave   // kept open so the master never sees a hang-up between clients
        let link = SimulatorLink(readFD: master, writeFD: master, telnet: false)
        self.link = link
        let thread = Thread {
            while !link.isClosed { serve(link) }
            link.finish()
        }
        thread.start()
    }

    /// Ends the console; safe to call twice (a descriptor closed twice could be another's by then).
    public func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        link.close()
        close(slaveKeeper)
    }

    deinit { stop() }
}

/// A socket bound to 127.0.0.1:`port` (0: any free port); returns it and the port it got.
func bindLoopback(type: __socket_type, port: UInt16) throws -> (fd: Int32, port: UInt16) {
    let fd = socket(AF_INET, Int32(type.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw SimulatorError("socket: \(String(cString: strerror(errno)))") }
    var one: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else {
        close(fd)
        throw SimulatorError("cannot bind 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return (fd, UInt16(bigEndian: address.sin_port))
}

/// A simulator failure outside the protocol (sockets, ptys).
public struct SimulatorError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Starts one session of a simulated device on a link: the access decides the login dialogue;
/// `endsConnection` is false on a serial console, whose line stays up between sessions.
public typealias SessionStarter = @Sendable (SimulatorLink, SimulatorAccess, _ endsConnection: Bool) -> Void

/// A simulated device reachable over telnet, raw TCP (a serial server) and a pty at once,
/// every route sharing one state.
public final class DeviceSimulator: @unchecked Sendable {
    private let startSession: SessionStarter
    private var servers: [SimulatorTCPServer] = []
    private var ptys: [SimulatorPTY] = []

    public init(startSession: @escaping SessionStarter) { self.startSession = startSession }

    /// Starts a telnet service; returns its port.
    public func startTelnet(port: UInt16 = 0) throws -> UInt16 {
        try startTCP(port: port, telnet: true, access: .telnet)
    }

    /// Starts a raw TCP service, as the device's serial port behind a serial server; returns its port.
    public func startSerialServer(port: UInt16 = 0) throws -> UInt16 {
        try startTCP(port: port, telnet: false, access: .serial)
    }

    private func startTCP(port: UInt16, telnet: Bool, access: SimulatorAccess) throws -> UInt16 {
        let startSession = self.startSession
        let server = try SimulatorTCPServer(port: port, telnet: telnet) { link in startSession(link, access, true) }
        servers.append(server)
        return server.port
    }

    /// Starts a serial console on a pty; returns the path hntt opens.
    public func startSerial() throws -> String {
        let startSession = self.startSession
        let pty = try SimulatorPTY { link in startSession(link, .serial, false) }
        ptys.append(pty)
        return pty.slavePath
    }

    /// Serves one session on standard input/output (for sshd's ForceCommand); returns at its end.
    public func serveStandardIO() {
        startSession(SimulatorLink(readFD: 0, writeFD: 1, telnet: false, ownsDescriptors: false), .ssh, true)
    }

    /// Drops all connected network clients (a network cut).
    public func dropClients() {
        for server in servers { server.dropClients() }
    }

    public func stop() {
        for server in servers { server.stop() }
        for pty in ptys { pty.stop() }
        servers.removeAll()
        ptys.removeAll()
    }

    deinit { stop() }
}

/// A simulated device with its routes: the route helpers come with it.
public protocol SimulatedDevice: AnyObject {
    var routes: DeviceSimulator { get }
}

extension SimulatedDevice {
    public func startTelnet(port: UInt16 = 0) throws -> UInt16 { try routes.startTelnet(port: port) }
    public func startSerialServer(port: UInt16 = 0) throws -> UInt16 { try routes.startSerialServer(port: port) }
    public func startSerial() throws -> String { try routes.startSerial() }
    public func serveStandardIO() { routes.serveStandardIO() }
    public func dropClients() { routes.dropClients() }
    public func stop() { routes.stop() }
}

/// A simulated device of one kind on every route at once, all routes sharing its store.
public final class SimulatedCodec<State: SimulatedDeviceState>: SimulatedDevice, @unchecked Sendable {
    public let store: SimulatorStore<State>
    public let routes: DeviceSimulator

    /// `session` serves one session on a link (the vendor's protocol engine).
    public init(
        store: SimulatorStore<State>,
        session: @escaping @Sendable (SimulatorStore<State>, SimulatorLink, SimulatorAccess, Bool) -> Void
    ) {
        self.store = store
        routes = DeviceSimulator { link, access, endsConnection in session(store, link, access, endsConnection) }
    }
}

/// A simulated Cisco codec.
public typealias CiscoSimulator = SimulatedCodec<CiscoCodecData>

extension SimulatedCodec where State == CiscoCodecData {
    public convenience init(store: CiscoCodecStore) {
        self.init(store: store) { store, link, access, endsConnection in
            CiscoSession(store: store, link: link, access: access, endsConnection: endsConnection).run()
        }
    }

    public convenience init(_ data: CiscoCodecData) { self.init(store: CiscoCodecStore(data)) }
}
