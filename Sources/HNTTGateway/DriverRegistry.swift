import HNTTCisco
import HNTTCore
import HNTTGuard
import HNTTPoly
import HNTTVISCA

/// Which driver speaks each profile's protocol: one table, keyed by the profile's `driver:`.
/// Adding a vendor is one row here and its profiles; nothing else switches on driver names.
public struct DriverRegistry: Sendable {
    /// One driver: how to build it, whether it is a camera, and how its raw commands are judged.
    public struct Entry: Sendable {
        public let make: @Sendable (ConnectionPlan) -> any DeviceDriver
        /// Cameras have no configuration, calls or microphones.
        public let isCamera: Bool
        /// Canonicalises and classifies a raw command (`hntt exec`); nil when none is taken.
        public let commandPolicy: (@Sendable (String, Set<String>) -> CommandVerdict)?

        public init(
            isCamera: Bool = false, commandPolicy: (@Sendable (String, Set<String>) -> CommandVerdict)? = nil,
            make: @escaping @Sendable (ConnectionPlan) -> any DeviceDriver
        ) {
            self.make = make
            self.isCamera = isCamera
            self.commandPolicy = commandPolicy
        }
    }

    public let entries: [String: Entry]

    public init(_ entries: [String: Entry]) { self.entries = entries }

    /// The drivers of this hntt.
    public static let standard = DriverRegistry([
        "cisco-xapi": Entry(commandPolicy: { CommandPolicy.cisco($0, operations: $1) }) { CiscoXAPIDriver(plan: $0) },
        "poly-legacy": Entry(commandPolicy: { CommandPolicy.poly($0, operations: $1) }) { PolyLegacyDriver(plan: $0) },
        "sony-visca": Entry(isCamera: true) { VISCACameraDriver(plan: $0) },
    ])

    /// The entry for a profile, or the error that names the drivers there are.
    public func entry(for profile: DeviceProfile, device: String? = nil) throws -> Entry {
        guard let entry = entries[profile.driver] else {
            throw HNTTError(
                .badFile, "profile \(profile.id) names driver \"\(profile.driver)\", which this hntt does not have",
                device: device,
                fix: "use a profile whose driver is one of \(entries.keys.sorted().joined(separator: ", "))")
        }
        return entry
    }

    public func driver(for plan: ConnectionPlan) throws -> any DeviceDriver {
        try entry(for: plan.profile, device: plan.device.id).make(plan)
    }
}
