import HNTTTransport

/// The one error type that reaches a person: what failed, on which device, and what to do.
///
/// Every layer converts its failures into this before they reach the command line, which maps
/// ``category`` to the contract's exit code in one place (``exitCode``). Messages never contain a
/// password: they are built from names, addresses and device replies only.
public struct HNTTError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; decides the exit code and the JSON `error.code`.
    public enum Category: String, Sendable {
        /// Wrong command-line usage or a value that must not be sent (exit 2).
        case badInput = "bad-input"
        /// The inventory, a profile or another input file is malformed (exit 2).
        case badFile = "bad-file"
        /// The guard refused: no valid authorisation (exit 3).
        case blocked
        /// The device answered, with an error (or with something that is not its protocol) (exit 4).
        case deviceError = "device-error"
        /// The device could not be reached, or the connection was lost (exit 5).
        case unreachable
        /// The device did not answer in time (exit 5).
        case timeout
        /// The device refused the login (exit 5).
        case loginRefused = "login-refused"
        /// The SSH host key is unknown or has changed (exit 5).
        case hostKey = "host-key"
        /// The service's account may not do this (its role or unit); HTTP 403 (exit 3).
        case forbidden
    }

    public let category: Category
    public let message: String
    public let device: String?
    /// What a technician can do about it.
    public let fix: String?

    /// The longest message kept: an error quotes the offending line, never a whole reply or file.
    public static let maximumMessageLength = 1_000

    public init(_ category: Category, _ message: String, device: String? = nil, fix: String? = nil) {
        self.category = category
        self.message =
            message.count > HNTTError.maximumMessageLength
            ? String(message.prefix(HNTTError.maximumMessageLength)) + "…" : message
        self.device = device
        self.fix = fix
    }

    /// The contract's exit code.
    public var exitCode: Int32 {
        switch category {
        case .badInput, .badFile: return 2
        case .blocked, .forbidden: return 3
        case .deviceError: return 4
        case .unreachable, .timeout, .loginRefused, .hostKey: return 5
        }
    }

    public var description: String {
        // Shown on a terminal: control characters from device replies or stored texts come out escaped.
        var text = device.map { "\(TextSafety.line($0)): " } ?? ""
        text += TextSafety.line(message)
        if let fix { text += "\n  fix: \(TextSafety.line(fix))" }
        return text
    }

    /// The same error attributed to `device` (if it is not attributed yet).
    public func on(device: String) -> HNTTError {
        self.device == nil ? HNTTError(category, message, device: device, fix: fix) : self
    }

    /// Converts a transport failure into words for a technician.
    public static func from(_ error: TransportError, device: String?, credentialName: String? = nil) -> HNTTError {
        switch error.kind {
        case .timedOut:
            return HNTTError(
                .timeout, "timed out: \(error.detail)", device: device,
                fix:
                    "check that the device is powered on and reachable; a device that is busy rebooting answers again after a few minutes"
            )
        case .closed:
            return HNTTError(
                .unreachable, error.detail, device: device,
                fix: "the device dropped the connection; check its network or serial cable and try again")
        case .connectFailed:
            return HNTTError(
                .unreachable, error.detail, device: device,
                fix: "check the host and port in the inventory, that the device is on, and that the network reaches it")
        case .authenticationFailed:
            let name = credentialName ?? "NAME"
            return HNTTError(
                .loginRefused, "login refused: \(error.detail)", device: device,
                fix: "store the correct account with `hntt secret set \(name) --username USER --password-stdin`")
        case .hostKeyUnknown:
            return HNTTError(
                .hostKey, error.detail, device: device,
                fix:
                    "compare the fingerprint with the one shown on the device (or by the department in charge), then pin it with `hntt trust-host \(device ?? "DEVICE")`"
            )
        case .hostKeyMismatch:
            return HNTTError(
                .hostKey, error.detail + "; refusing to connect", device: device,
                fix:
                    "if the device was replaced or factory-reset, check the new fingerprint on the device itself, then re-pin it with `hntt trust-host \(device ?? "DEVICE") --replace`; otherwise the connection may be intercepted: report it to the department in charge"
            )
        case .busy:
            return HNTTError(
                .unreachable, error.detail, device: device,
                fix: "another program holds the serial port; wait for it to finish")
        case .system:
            return HNTTError(
                .unreachable, error.detail, device: device,
                fix: "check the serial path or network settings in the inventory")
        case .protocolViolation:
            return HNTTError(
                .unreachable, error.detail, device: device,
                fix:
                    "the device's SSH or telnet service does not behave as expected; check its firmware and network services"
            )
        }
    }
}

/// Runs `body` and converts any failure into an ``HNTTError`` attributed to `device`.
public func attributing<T>(
    to device: String, credentialName: String? = nil,
    isolation: isolated (any Actor)? = #isolation,
    _ body: () async throws -> T
) async throws -> T {
    do {
        return try await body()
    } catch let error as HNTTError {
        throw error.on(device: device)
    } catch let error as TransportError {
        throw HNTTError.from(error, device: device, credentialName: credentialName)
    } catch is CancellationError {
        throw HNTTError(.timeout, "the operation was cancelled", device: device)
    }
}

/// Runs `body` (checks before anything is sent), attributing a thrown ``HNTTError`` to `device`.
public func attributing<T>(to device: String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as HNTTError { throw error.on(device: device) }
}
