import Foundation

/// What a watched codec pushes on its own (feedback, notifications), in vendor-neutral terms.
public enum WatchEvent: Sendable, Equatable {
    /// A configuration setting now has this value (the vendor's key and printed value).
    case configuration(Setting)
    case standby(StandbyState)
    case microphonesMuted(Bool)
    /// A call's status changed (the codec's own word).
    case call(id: String, status: String)
    /// A call ended; `cause` is the codec's reason when it gave one, `remote` when the far end or
    /// the network ended it (not this side).
    case callEnded(id: String, cause: String?, remote: Bool)
}

/// A codec that can be watched on a connection of its own: it pushes changes as they happen
/// instead of being asked (Cisco `xFeedback register`, Poly `notify`). Registrations live and
/// die with the connection, so the watcher registers on every new one and re-reads afterwards.
public protocol WatchableCodec: CodecDriver {
    /// Registers the watch's feedback on this driver's connection (connecting first).
    func registerWatch() async throws
    /// True when every registration of the watch is still in force (codecs drop them silently).
    func watchIntact() async throws -> Bool
    /// What the codec pushed within `seconds`; empty when it pushed nothing.
    func watchEvents(within seconds: Double) async throws -> [WatchEvent]
}

/// A codec's registration with its call control (SIP registrar, H.323 gatekeeper).
public struct CallRegistration: Sendable, Equatable {
    /// `SIP` or `H.323`.
    public let signalling: String
    /// The codec's own word: `Registered`, `Failed`, `Inactive`…
    public let status: String

    public init(signalling: String, status: String) {
        self.signalling = signalling
        self.status = status
    }

    public var isRegistered: Bool { status.lowercased() == "registered" }
}

/// A codec that reports its SIP/H.323 registrations (the pre-conference check asks).
public protocol RegistrationReporting: CodecDriver {
    /// Every registration the codec reports; empty when it reports none.
    func registrations() async throws -> [CallRegistration]
}
