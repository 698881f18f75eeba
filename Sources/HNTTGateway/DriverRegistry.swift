import HNTTCMS
import HNTTCisco
import HNTTCore
import HNTTGuard
import HNTTPoly
import HNTTVISCA

/// Which driver speaks each profile's protocol: one table, keyed by the profile's `driver:`.
/// Adding a vendor is one row here and its profiles; nothing else switches on driver names.
public struct DriverRegistry: Sendable {
    /// One driver: how to build it, what kind of device it drives, and how its raw commands are judged.
    public struct Entry: Sendable {
        public let make: @Sendable (ConnectionPlan) -> any DeviceDriver
        public let kind: DeviceKind
        /// Cameras have no configuration, calls or microphones.
        public var isCamera: Bool { kind == .camera }
        /// Canonicalises and classifies a raw command (`hntt exec`); nil when none is taken.
        public let commandPolicy: (@Sendable (String, Set<String>) -> CommandVerdict)?

        public init(
            kind: DeviceKind = .codec, commandPolicy: (@Sendable (String, Set<String>) -> CommandVerdict)? = nil,
            make: @escaping @Sendable (ConnectionPlan) -> any DeviceDriver
        ) {
            self.make = make
            self.kind = kind
            self.commandPolicy = commandPolicy
        }
    }

    public let entries: [String: Entry]

    public init(_ entries: [String: Entry]) { self.entries = entries }

    /// The drivers of this hntt.
    public static let standard = DriverRegistry([
        "cisco-xapi": Entry(commandPolicy: { CommandPolicy.cisco($0, operations: $1) }) { CiscoXAPIDriver(plan: $0) },
        "poly-legacy": Entry(commandPolicy: { CommandPolicy.poly($0, operations: $1) }) { PolyLegacyDriver(plan: $0) },
        "sony-visca": Entry(kind: .camera) { VISCACameraDriver(plan: $0) },
        "cisco-cms": Entry(kind: .bridge) { CiscoMeetingServerDriver(plan: $0) },
        "polycom-rmx": Entry(kind: .bridge) { PolycomRMXDriver(plan: $0) },
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
