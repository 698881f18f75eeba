/// One configuration write the guard has authorised: the only value a driver accepts for a
/// write, so no code path can change a device's configuration without passing the guard.
///
/// Its initialiser is behind the `Guard` SPI: only a module that imports HNTTCore with
/// `@_spi(Guard)` can make one, and only HNTTGuard does (a test checks the sources).
public struct ApprovedChange: Sendable, Equatable {
    public let device: String
    public let key: String
    public let value: String
    /// What authorised it: a change order's reference, a baseline version, or a rollback.
    public let authority: String

    @_spi(Guard)
    public init(device: String, key: String, value: String, authority: String) {
        self.device = device
        self.key = key
        self.value = value
        self.authority = authority
    }
}

/// A codec whose configuration can be changed, through the guard only.
public protocol ConfigurableCodec: CodecDriver {
    /// Writes one approved setting. Nothing else in a driver writes configuration.
    func write(_ change: ApprovedChange) async throws
}

/// A technician's raw command after the guard canonicalised and classified it (read-only or an
/// allow-listed operation): the only raw text a driver sends. Made by the guard only (SPI).
public struct CanonicalCommand: Sendable, Equatable {
    public let text: String
    /// The command acts (Cisco xCommand): its reply includes a result block.
    public let isCommand: Bool

    @_spi(Guard)
    public init(text: String, isCommand: Bool) {
        self.text = text
        self.isCommand = isCommand
    }
}

/// A device that runs canonical raw commands (`hntt exec`) and returns the reply's lines.
public protocol RawCommandDevice: DeviceDriver {
    func execute(_ command: CanonicalCommand) async throws -> [String]
}
