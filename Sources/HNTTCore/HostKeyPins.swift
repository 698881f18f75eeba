import Foundation
import HNTTTransport

/// Fingerprints pinned by `hntt trust-host`, one line per device: `DEVICE-ID SHA256:…` (an SSH host key
/// in base64, or an HTTPS certificate as `SHA256:AB:CD:…`). An inventory's own `host_key:` or
/// `tls_fingerprint:` takes precedence.
public struct HostKeyPins: Sendable {
    public static let fileName = "known_hosts"
    public let data: DataDirectory

    public init(data: DataDirectory) { self.data = data }

    public func all() -> [String: String] {
        guard let contents = FileManager.default.contents(atPath: data.file(HostKeyPins.fileName)),
            let text = String(data: contents, encoding: .utf8)
        else { return [:] }
        var pins: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count >= 2, !line.hasPrefix("#") { pins[String(parts[0])] = String(parts[1]) }
        }
        return pins
    }

    public func pin(for device: String) -> String? { all()[device] }

    /// The policy for `device`: its inventory pin, else its stored pin, else refuse.
    public func policy(for device: InventoryDevice) -> HostKeyPolicy {
        if let inventoryPin = device.hostKey, !inventoryPin.isEmpty { return .pinned(inventoryPin) }
        if let stored = pin(for: device.id) { return .pinned(stored) }
        return .refuseUnknown
    }

    /// Pins `fingerprint` for `device`; the read-modify-write runs under the data folder's lock, so
    /// two `trust-host` at once keep both pins. Blocks: call it off the cooperative pool.
    public func store(_ fingerprint: String, for device: String, normalise: (String) -> String = SSHTransport.normalise)
        throws
    {
        try data.withExclusiveLock {
            var pins = all()
            pins[device] = normalise(fingerprint)
            let text =
                "# hntt pinned SSH host keys and HTTPS certificates: DEVICE FINGERPRINT\n"
                + pins.keys.sorted().map { "\($0) \(pins[$0]!)" }.joined(separator: "\n") + "\n"
            try data.writePrivate(Data(text.utf8), to: HostKeyPins.fileName)
        }
    }
}
