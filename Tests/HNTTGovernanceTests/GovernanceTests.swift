import Crypto
import Foundation
import HNTTCisco
import HNTTTestSupport
import HNTTTransport
import Testing

@testable import HNTTCore
@testable import HNTTGovernance

/// A data folder, database and profile for one test.
struct GovernanceSite {
    let data: DataDirectory
    let database: GovernanceDatabase
    let profile: DeviceProfile
    let normaliser: SnapshotNormaliser

    init() throws {
        data = DataDirectory(path: NSTemporaryDirectory() + "hntt-gov-\(UUID().uuidString)")
        database = try GovernanceDatabase(data: data)
        var profile = try DeviceProfile.load(
            path: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("device-profiles/cisco-roomos.yaml").path)
        profile.volatileKeys = ["Audio DefaultVolume"]
        self.profile = profile
        normaliser = try SnapshotNormaliser(secrets: SecretStore(data: data))
    }

    var device: InventoryDevice {
        InventoryDevice(
            id: "ubnd-codec", roomID: "ubnd", profileID: "cisco-roomos", transport: .telnet, host: "127.0.0.1",
            port: 23,
            path: nil, baud: nil, address: nil, credential: nil, hostKey: nil, sourceLine: 4)
    }
}

/// A configuration dump as a codec prints it (docs/protocols/cisco-xapi.md §2.7, LAB-1451 and SX20 guide lines).
let dump = """
    *c xConfiguration Audio DefaultVolume: 50\r
    *c xConfiguration Conference AutoAnswer Mode: Off\r
    *c xConfiguration H323 Profile 1 H323Alias ID: "changed@company.com"\r
    *c xConfiguration SIP Authentication Password: "s3cret-sip"\r
    *c xConfiguration SIP DisplayName: "UBND Triệu Sơn"\r
    *c xConfiguration Peripherals InputDevice Mode: On\r
    ** end\r
    \r
    OK\r

    """

func settings(fromDump text: String) throws -> ConfigurationSettings {
    let reply = try #require(try feed(XAPIReplyDecoder(request: .configuration(prefix: [])), text))
    var entries: [Setting] = []
    for case .configuration(let path, let value) in reply.records {
        entries.append(Setting(path.joined(separator: " "), value))
    }
    return ConfigurationSettings(entries)
}

@Suite("The database opened by several processes at once")
struct DatabaseOpeningTests {
    @Test("eight first opens of a fresh folder at once: each migrates or finds it migrated, none fails")
    func eightFirstOpens() async throws {
        let folder = NSTemporaryDirectory() + "hntt-gov-\(UUID().uuidString)"
        defer { TestFiles.remove(atPath: folder) }
        let errors = ErrorList()
        try await onOwnThread {
            onThreads(8) { _ in
                do {
                    _ = try GovernanceDatabase(data: DataDirectory(path: folder))
                } catch {
                    errors.add("\(error)")
                }
            }
        }
        #expect(errors.all.isEmpty, "\(errors.all)")
    }
}

final class ErrorList: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [String] = []
    var all: [String] { lock.withLock { errors } }
    func add(_ error: String) { lock.withLock { errors.append(error) } }
}

@Suite("Snapshots")
struct SnapshotTests {
    @Test("a real dump normalises in order: volatile keys out, secrets as keyed hashes")
    func normalisation() throws {
        let site = try GovernanceSite()
        let normalised = site.normaliser.normalise(try settings(fromDump: dump), profile: site.profile)
        #expect(
            normalised.map(\.key) == [
                "Conference AutoAnswer Mode", "H323 Profile 1 H323Alias ID", "SIP Authentication Password",
                "SIP DisplayName", "Peripherals InputDevice Mode",
            ])
        let secret = try #require(normalised.first { $0.key == "SIP Authentication Password" }?.value)
        #expect(secret.hasPrefix("hmac-sha256:"))
        #expect(!secret.contains("s3cret"))
        #expect(normalised.first { $0.key == "SIP DisplayName" }?.value == "UBND Triệu Sơn")
        #expect(
            site.normaliser.protect("s3cret-sip") == secret, "the same secret hashes the same, so drift can compare")
        #expect(site.normaliser.protect("other") != secret)
    }

    @Test("an identical snapshot is not stored twice; a change is; no secret reaches the database file")
    func storage() async throws {
        let site = try GovernanceSite()
        let store = SnapshotStore(database: site.database)
        let first = site.normaliser.normalise(try settings(fromDump: dump), profile: site.profile)
        let a = try await store.record(device: "ubnd-codec", software: "ce9", settings: first)
        let b = try await store.record(device: "ubnd-codec", software: "ce9", settings: first)
        #expect(a.isNew && !b.isNew && a.snapshot.id == b.snapshot.id)
        var changed = first
        changed[3].value = "Tampered"
        let c = try await store.record(device: "ubnd-codec", software: "ce9", settings: changed)
        #expect(c.isNew)
        await #expect(try store.list(device: "ubnd-codec").count == 2)
        await #expect(try store.previous(of: c.snapshot)?.id == a.snapshot.id)
        for name in try FileManager.default.contentsOfDirectory(atPath: site.data.path)
        where name.hasPrefix("hntt.sqlite") {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: site.data.file(name)))
            #expect(bytes.range(of: Data("s3cret-sip".utf8)) == nil, "\(name) holds the secret in clear")
        }
    }

    @Test("a diff lists changed, new and removed keys, grouped by feature, secrets masked")
    func diff() {
        let before: [Setting] = [
            Setting("SIP DisplayName", "A"), Setting("Network 1 IPv4 Address", "10.0.0.1"),
            Setting("SIP Authentication Password", "hmac-sha256:aa"), Setting("Macros Mode", "Off"),
        ]
        let after: [Setting] = [
            Setting("SIP DisplayName", "B"), Setting("Network 1 IPv4 Address", "10.0.0.1"),
            Setting("SIP Authentication Password", "hmac-sha256:bb"), Setting("Video AllowWebSnapshots", "On"),
        ]
        let changes = SettingsDiff.changes(from: before, to: after)
        #expect(
            changes.map(\.key) == [
                "SIP DisplayName", "SIP Authentication Password", "Video AllowWebSnapshots", "Macros Mode",
            ])
        #expect(SettingsDiff.grouped(changes).map(\.group) == ["SIP", "Video", "other"])
        let text = SettingsDiff.render(changes)
        #expect(text.contains("[SIP]\n  SIP DisplayName: \"A\" → \"B\""))
        #expect(text.contains("SIP Authentication Password: \"********\" → \"********\" (secret changed)"))
        #expect(text.contains("Macros Mode: \"Off\" → (absent)"))
        #expect(!text.contains("hmac"))
        #expect(SettingsDiff.group(of: "sipaccountname") == "SIP" && SettingsDiff.group(of: "gatekeeperip") == "H323")
    }
}

@Suite("Approval keys and signed baselines")
struct BaselineTests {
    func signedDocument(_ site: GovernanceSite, key: Curve25519.Signing.PrivateKey) throws -> BaselineDocument {
        let normalised = site.normaliser.normalise(try settings(fromDump: dump), profile: site.profile)
        var document = BaselineStore.draft([(site.device, site.profile, normalised)])
        try document.sign(with: key, signer: "Nguyễn Văn A, Phó Giám đốc", reference: "123/QĐ-STTTT")
        return document
    }

    func trust(_ site: GovernanceSite, _ key: Curve25519.Signing.PrivateKey) async throws -> TrustStore {
        let store = TrustStore(database: site.database)
        try await store.add(name: "Sở TT&TT", publicKey: key.publicKey.rawRepresentation.base64EncodedString())
        return store
    }

    @Test("a draft keeps only governed keys; signed, it survives a YAML round trip and verifies")
    func signAndVerify() async throws {
        let site = try GovernanceSite()
        let key = Curve25519.Signing.PrivateKey()
        let document = try signedDocument(site, key: key)
        #expect(
            document.devices[0].settings.map(\.key) == [
                "Conference AutoAnswer Mode", "H323 Profile 1 H323Alias ID",
                "SIP Authentication Password", "SIP DisplayName",
            ])
        let path = site.data.file("baseline.yaml")
        try document.yaml().write(toFile: path, atomically: true, encoding: .utf8)
        let reloaded = try BaselineDocument.load(path: path)
        #expect(reloaded == document)
        let trusted = try await trust(site, key).list()
        #expect(try reloaded.verify(trusting: trusted).name == "Sở TT&TT")
    }

    @Test("unsigned, unknown key, altered document, altered signature: each refused with exit 3 and its reason")
    func refusals() async throws {
        let site = try GovernanceSite()
        let key = Curve25519.Signing.PrivateKey()
        let trusted = try await trust(site, key).list()
        let document = try signedDocument(site, key: key)

        var unsigned = document
        unsigned.signature = nil
        #expect(throws: HNTTError.self) { try unsigned.verify(trusting: trusted) }

        let stranger = try signedDocument(site, key: Curve25519.Signing.PrivateKey())
        let unknown = #expect(throws: HNTTError.self) { try stranger.verify(trusting: trusted) }
        #expect(unknown?.exitCode == 3)
        #expect(unknown?.message.contains("does not trust") == true)

        let path = site.data.file("altered.yaml")
        try document.yaml().replacingOccurrences(of: "\"Off\"", with: "\"On\"").write(
            toFile: path, atomically: true, encoding: .utf8)
        let altered = #expect(throws: HNTTError.self) {
            try BaselineDocument.load(path: path).verify(trusting: trusted)
        }
        #expect(altered?.exitCode == 3)
        #expect(altered?.message.contains("altered") == true)

        var forged = document
        forged.signature?.value = Data(repeating: 7, count: 64).base64EncodedString()
        let badSignature = #expect(throws: HNTTError.self) { try forged.verify(trusting: trusted) }
        #expect(badSignature?.exitCode == 3)
    }

    @Test("importing a new baseline supersedes the old one and keeps the history")
    func versions() async throws {
        let site = try GovernanceSite()
        let key = Curve25519.Signing.PrivateKey()
        let trustStore = try await trust(site, key)
        let store = BaselineStore(database: site.database)
        let inventory = Inventory(
            path: "inventory.yaml", organisation: Organisation(name: "x"),
            rooms: [Room(id: "ubnd", name: "UBND", unit: "VP", devices: [site.device])])
        var document = try signedDocument(site, key: key)
        try await store.importDocument(document, documentText: document.yaml(), inventory: inventory, trust: trustStore)
        document.devices[0].settings[0].value = "On"
        try document.sign(with: key, signer: "B", reference: "124/QĐ-STTTT")
        let versions = try await store.importDocument(
            document, documentText: document.yaml(), inventory: inventory, trust: trustStore)
        #expect(versions.map(\.version) == [2])
        await #expect(try store.current(device: "ubnd-codec")?.reference == "124/QĐ-STTTT")
        await #expect(try store.history(device: "ubnd-codec").map(\.version) == [1, 2])
    }

    @Test("the approval private key file is private")
    func keyFiles() throws {
        let folder = NSTemporaryDirectory() + "hntt-auth-\(UUID().uuidString)"
        let publicKey = try ApprovalKeys.createPair(in: folder)
        let mode =
            try FileManager.default.attributesOfItem(atPath: folder + "/approval-key.private")[.posixPermissions]
            as? Int
        #expect(mode == 0o600)
        #expect(try ApprovalKeys.loadPublic(folder + "/approval-key.public") == publicKey)
        #expect(throws: HNTTError.self) { try ApprovalKeys.createPair(in: folder) }
    }
}
