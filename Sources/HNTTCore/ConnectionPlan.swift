import HNTTTransport

/// Everything a driver needs to reach one device: how to make its transport, the login, the
/// profile. Built from the inventory, the secret store and the host-key pins, so that drivers
/// never read files themselves.
public struct ConnectionPlan: Sendable {
    public let device: InventoryDevice
    public let profile: DeviceProfile
    /// Credentials for a prompt login (telnet, serial) or SSH; nil when the device needs none.
    public let credentials: LoginCredentials?
    public let makeTransport: @Sendable () -> any ByteTransport

    public init(
        device: InventoryDevice, profile: DeviceProfile, credentials: LoginCredentials?,
        makeTransport: @escaping @Sendable () -> any ByteTransport
    ) {
        self.device = device
        self.profile = profile
        self.credentials = credentials
        self.makeTransport = makeTransport
    }

    /// True when the login is a `login:` / `Password:` dialogue on the byte stream.
    public var usesPromptLogin: Bool { device.transport != .ssh }

    /// The plan for `device`, with `hostKeyPolicy` overriding the pins (for `trust-host`).
    public static func make(
        device: InventoryDevice, profile: DeviceProfile, secrets: SecretStore, pins: HostKeyPins,
        hostKeyPolicy: HostKeyPolicy? = nil
    ) throws -> ConnectionPlan {
        let credentials = try device.credential.map { try secrets.credentials(named: $0, device: device.id) }
        let transport: @Sendable () -> any ByteTransport
        switch device.transport {
        case .ssh:
            let policy = hostKeyPolicy ?? pins.policy(for: device)
            let host = device.host ?? ""
            let port = device.port ?? 22
            transport = { SSHTransport(host: host, port: port, credentials: credentials, hostKeyPolicy: policy) }
        case .telnet:
            let host = device.host ?? ""
            let port = device.port ?? 23
            transport = { TelnetTransport(host: host, port: port) }
        case .tcp:
            let host = device.host ?? ""
            let port = device.port ?? 0
            transport = { TCPTransport(host: host, port: port) }
        case .serial:
            let path = device.path ?? ""
            let baud = device.baud ?? 9600
            transport = { SerialTransport(path: path, baud: baud) }
        case .udp:
            let host = device.host ?? ""
            let port = device.port ?? 0
            transport = { UDPTransport(host: host, port: port) }
        }
        return ConnectionPlan(device: device, profile: profile, credentials: credentials, makeTransport: transport)
    }
}
