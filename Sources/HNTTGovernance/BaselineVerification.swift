import Foundation
import HNTTCore

/// Before a baseline row is trusted to write configuration (remediation, `baseline push`), it is
/// checked against the signed documents it rests on: the imported baseline, then each change
/// order applied since, every signature by a key in the trust store, every value as signed. A row
/// edited in `hntt.sqlite` is refused (exit 3), never applied.
extension BaselineStore {
    /// The device's baseline in force, verified; nil when it has none.
    /// `normalise` turns a signed value into the stored form (secrets as keyed hashes).
    public func verifiedCurrent(
        device: String, trust: TrustStore,
        normalise: (_ key: String, _ value: String) -> String
    ) async throws -> Baseline? {
        let versions = try await history(device: device)
        guard let current = versions.last else { return nil }
        let keys = try await trust.list()
        var expected: [Setting]?
        for version in versions {
            expected = try BaselineStore.expectedSettings(
                of: version, after: expected, trusting: keys, normalise: normalise)
            guard let settings = expected, BaselineStore.same(settings, version.settings) else {
                throw BaselineStore.refusal(
                    device, version, "its settings differ from the signed document they rest on")
            }
        }
        return current
    }

    private static func expectedSettings(
        of version: Baseline, after previous: [Setting]?,
        trusting keys: [TrustedKey],
        normalise: (String, String) -> String
    ) throws -> [Setting] {
        let name = "baseline version \(version.version) of \(version.device)"
        if let document = try? BaselineDocument.load(text: version.document, name: name) {
            do { _ = try document.verify(trusting: keys) } catch let error as HNTTError {
                throw refusal(version.device, version, "its signed baseline does not verify (\(error.message))")
            }
            guard let entry = document.devices.first(where: { $0.device == version.device }) else {
                throw refusal(version.device, version, "its signed baseline does not name this device")
            }
            return entry.settings
        }
        guard let order = try? ChangeOrder.load(text: version.document, name: name) else {
            throw refusal(version.device, version, "no signed document is kept with it")
        }
        do { _ = try order.verify(trusting: keys) } catch let error as HNTTError {
            throw refusal(version.device, version, "the change order it came from does not verify (\(error.message))")
        }
        guard var settings = previous else {
            throw refusal(version.device, version, "a change order cannot be the first version")
        }
        for change in order.devices.filter({ $0.device == version.device }).flatMap(\.changes) {
            if let index = settings.firstIndex(where: { $0.key == change.key }) {
                settings[index].value = normalise(change.key, change.value)
            }
        }
        return settings
    }

    private static func same(_ a: [Setting], _ b: [Setting]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    private static func refusal(_ device: String, _ version: Baseline, _ why: String) -> HNTTError {
        HNTTError(
            .blocked,
            "the approved baseline of \(device) (version \(version.version)) in hntt.sqlite is not trusted: \(why); nothing was applied",
            device: device,
            fix:
                "re-import the signed baseline from the Sở with `hntt baseline import FILE`, and find out who edited the database"
        )
    }
}
