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
    /// For HTTPS: the certificate's pinned fingerprint (the inventory's, else `trust-host`'s); nil when none.
    public let tlsPin: String?

    public init(
        device: InventoryDevice, profile: DeviceProfile, credentials: LoginCredentials?, tlsPin: String? = nil,
        makeTransport: @escaping @Sendable () -> any ByteTransport
    ) {
        self.device = device
        self.profile = profile
        self.credentials = credentials
        self.tlsPin = tlsPin
        self.makeTransport = makeTransport
    }

    /// The HTTPS client of a REST/XML device; a device with no pinned certificate is refused (exit 5) before
    /// anything is sent.
    /// `basicAuth` false: the credentials go in the request body instead (the RMX's XML login).
    public func httpsClient(basicAuth: Bool = true) throws -> PinnedHTTPSClient {
        guard let pin = tlsPin, !pin.isEmpty else {
            throw HNTTError(
                .hostKey, "no certificate is pinned for \(device.id); nothing was sent", device: device.id,
                fix: "check the fingerprint on the device and run `hntt trust-host \(device.id)`, "
                    + "or write `tls_fingerprint:` in the inventory")
        }
        return PinnedHTTPSClient(
            host: device.host ?? "", port: Int(device.port ?? 443), fingerprint: pin,
            credentials: basicAuth ? credentials : nil)
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
        case .https:
            let description = "https \(device.host ?? "?"):\(device.port ?? 443)"
            transport = { NoByteStream(peerDescription: description) }
        }
        let tlsPin =
            device.transport == .https
            ? (device.tlsFingerprint.flatMap { $0.isEmpty ? nil : $0 } ?? pins.pin(for: device.id)) : nil
        return ConnectionPlan(
            device: device, profile: profile, credentials: credentials, tlsPin: tlsPin, makeTransport: transport)
    }
}

/// The byte stream of a device reached by requests, not a stream (HTTPS): a driver that asks for one is
/// told so.
struct NoByteStream: ByteTransport {
    let peerDescription: String
    func open(deadline: Deadline) async throws {
        throw TransportError(.protocolViolation, "\(peerDescription) is reached by HTTPS requests, not a byte stream")
    }
    func write(_ bytes: [UInt8], deadline: Deadline) async throws { try await open(deadline: deadline) }
    func read(deadline: Deadline) async throws -> [UInt8] {
        try await open(deadline: deadline)
        return []
    }
    func close() async {}
}
