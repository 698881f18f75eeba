import Foundation
import HNTTTestSupport
import HNTTTransport
import Testing

@testable import HNTTCore

/// A temporary folder with the repository's profiles beside an inventory.
struct Site {
    let directory: URL
    var profiles: ProfileCatalog {
        ProfileCatalog(
            directory: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("device-profiles").path)
    }

    init() throws {
        directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
            "hntt-core-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func write(_ text: String, to name: String = "inventory.yaml") throws -> String {
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

@Suite("Inventory")
struct InventoryTests {
    @Test("the contract's example loads, with the profile's defaults filled in")
    func contractExample() throws {
        let site = try Site()
        let path = try site.write(
            """
            site: "UBND huyện Triệu Sơn"
            rooms:
              - id: ubnd
                name: "Phòng họp trực tuyến UBND huyện"
                unit: "Văn phòng HĐND và UBND huyện"
                devices:
                  - id: ubnd-codec
                    profile: cisco-roomos
                    transport: ssh
                    host: 10.10.1.20
                    credential: ubnd-codec
                    host_key: "SHA256:abc"
                  - id: ubnd-codec-rs232
                    profile: cisco-roomos
                    transport: serial
                    path: /dev/ttyUSB0
                    baud: 38400
            """)
        let inventory = try Inventory.load(path: path, profiles: site.profiles)
        #expect(inventory.site == "UBND huyện Triệu Sơn")
        #expect(inventory.rooms.map(\.unit) == ["Văn phòng HĐND và UBND huyện"])
        let ssh = try inventory.device("ubnd-codec")
        #expect(ssh.port == 22)
        #expect(ssh.roomID == "ubnd")
        #expect(ssh.hostKey == "SHA256:abc")
        let serial = try inventory.device("ubnd-codec-rs232")
        #expect(serial.baud == 38400)
        #expect(serial.sourceLine == 13)
    }

    @Test("a YAML syntax error names the file and line")
    func syntaxError() throws {
        let site = try Site()
        let path = try site.write("site: x\nrooms:\n  - id: a\n   name: [unclosed\n")
        let error = #expect(throws: HNTTError.self) { try Inventory.load(path: path, profiles: site.profiles) }
        #expect(error?.category == .badFile)
        #expect(error?.message.contains("line") == true)
        #expect(error?.exitCode == 2)
    }

    @Test("a missing inventory says how to point at one")
    func missingFile() throws {
        let site = try Site()
        let error = #expect(throws: HNTTError.self) {
            try Inventory.load(path: site.directory.appendingPathComponent("nope.yaml").path, profiles: site.profiles)
        }
        #expect(error?.fix?.contains("--inventory") == true)
    }
}

@Suite("Device profiles")
struct DeviceProfileTests {
    @Test("the Cisco profile loads and marks secret keys, by name, by word pattern and by last word")
    func ciscoSecrets() throws {
        let profile = try Site().profiles.load("cisco-roomos")
        #expect(profile.driver == "cisco-xapi")
        #expect(profile.transports[.ssh]?.port == 22)
        #expect(profile.transports[.serial]?.baud == 115200)
        #expect(profile.isSecret("SIP Authentication Password"))
        #expect(profile.isSecret("NetworkServices NTP Server 2 Key"))
        #expect(profile.isSecret("NetworkServices SNMP CommunityName"))
        #expect(profile.isSecret("Some Future Passphrase"))
        #expect(!profile.isSecret("SIP DisplayName"))
        #expect(!profile.isSecret("NetworkServices NTP Server 2 Address"))
    }

    @Test("an unknown key in a profile is refused with its line")
    func unknownProfileKey() throws {
        let site = try Site()
        let path = try site.write(
            "id: x\nvendor: v\ndriver: d\ntransports: {ssh: {port: 22}}\ntimeout: {command: 3}\n", to: "x.yaml")
        let error = #expect(throws: HNTTError.self) { try DeviceProfile.load(path: path) }
        #expect(error?.message.contains("x.yaml:5") == true)
        #expect(error?.fix?.contains("did you mean \"timeouts\"") == true)
    }
}

@Suite("Secret store and host-key pins")
struct SecretStoreTests {
    @Test("credentials round-trip encrypted; a different master key is detected, not guessed")
    func roundTrip() throws {
        let site = try Site()
        let data = DataDirectory(path: site.directory.appendingPathComponent("data").path)
        let store = SecretStore(data: data)
        try store.set(name: "ubnd-codec", username: "admin", password: SecretText("Mật-khẩu-123"))
        let credentials = try store.credentials(named: "ubnd-codec")
        #expect(credentials.username == "admin")
        #expect(credentials.password == SecretText("Mật-khẩu-123"))
        #expect("\(credentials)" == "admin / ********")
        #expect(try store.names() == ["ubnd-codec"])
        let sealed = try Data(contentsOf: URL(fileURLWithPath: data.file(SecretStore.fileName)))
        #expect(sealed.range(of: Data("Mật-khẩu-123".utf8)) == nil)

        let otherKey = Data((0..<32).map { UInt8($0) }).base64EncodedString()
        try data.writePrivate(Data(otherKey.utf8), to: SecretStore.keyFileName)
        let error = #expect(throws: HNTTError.self) { try store.credentials(named: "ubnd-codec") }
        #expect(error?.message.contains("cannot be decrypted") == true)
    }

    @Test("a missing credential says how to store it")
    func missingCredential() throws {
        let store = SecretStore(data: DataDirectory(path: try Site().directory.path))
        let error = #expect(throws: HNTTError.self) { try store.credentials(named: "codec", device: "ubnd-codec") }
        #expect(error?.fix == "store it with `hntt secret set codec --username USER --password-stdin`")
    }

    @Test("a secret never shows in interpolation, description or a dump")
    func secretText() {
        let secret = SecretText("hunter2")
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!"\(secret)".contains("hunter2"))
        #expect(!String(reflecting: secret).contains("hunter2"))
        #expect(!dumped.contains("hunter2"))
        #expect(secret.withClearText { $0 } == "hunter2")
    }

    @Test("pins are stored per device in OpenSSH's fingerprint form; the inventory's pin wins")
    func pins() throws {
        let pins = HostKeyPins(data: DataDirectory(path: try Site().directory.appendingPathComponent("d").path))
        try pins.store("SHA256:abcDEF0123=", for: "codec-a")
        #expect(pins.pin(for: "codec-a") == "SHA256:abcDEF0123")
        let device = InventoryDevice(
            id: "codec-a", roomID: "r", profileID: "cisco-roomos", transport: .ssh, host: "h",
            port: 22, path: nil, baud: nil, address: nil, credential: nil, hostKey: nil, sourceLine: 1)
        #expect(pins.policy(for: device) == .pinned("SHA256:abcDEF0123"))
        let pinnedInInventory = InventoryDevice(
            id: "codec-a", roomID: "r", profileID: "cisco-roomos", transport: .ssh,
            host: "h", port: 22, path: nil, baud: nil, address: nil, credential: nil,
            hostKey: "SHA256:zzz", sourceLine: 1)
        #expect(pins.policy(for: pinnedInInventory) == .pinned("SHA256:zzz"))
        #expect(SSHTransport.normalise("sha256:abc==") == "SHA256:abc")
    }
}

@Suite("The secret store under concurrent writers")
struct SecretStoreConcurrencyTests {
    @Test("eight writers at once on a fresh data folder: all eight credentials kept, one master key")
    func eightAtOnce() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hntt-secrets-\(UUID().uuidString)")
            .path
        defer { TestFiles.remove(atPath: folder) }
        let data = DataDirectory(path: folder)
        let failures = FailureCount()
        try await onOwnThread {
            onThreads(8) { index in
                do {
                    try SecretStore(data: data).set(
                        name: "codec-\(index)", username: "admin", password: SecretText("pw-\(index)"))
                } catch {
                    failures.add()
                }
            }
        }
        #expect(failures.value == 0)
        let store = SecretStore(data: data)
        #expect(try store.names() == (0..<8).map { "codec-\($0)" }.sorted())
        for index in 0..<8 {
            #expect(try store.credentials(named: "codec-\(index)").password.withClearText { $0 } == "pw-\(index)")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }
}

@Suite("Files of the data folder under concurrent writers and a full disk")
struct DataFolderWriteTests {
    func freshFolder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("hntt-data-\(UUID().uuidString)").path
    }

    @Test("eight host-key pins stored at once are all kept")
    func eightPins() async throws {
        let folder = freshFolder()
        defer { TestFiles.remove(atPath: folder) }
        let pins = HostKeyPins(data: DataDirectory(path: folder))
        let failures = FailureCount()
        try await onOwnThread {
            onThreads(8) { index in
                do { try pins.store("SHA256:key\(index)", for: "codec-\(index)") } catch { failures.add() }
            }
        }
        #expect(failures.value == 0)
        #expect(pins.all() == Dictionary(uniqueKeysWithValues: (0..<8).map { ("codec-\($0)", "SHA256:key\($0)") }))
    }

    @Test(
        "a full disk gives the reason and the fix, and leaves the previous file intact",
        .enabled(if: getuid() == 0, "mounting a small tmpfs needs root"))
    func fullDisk() throws {
        let folder = freshFolder()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try #require(mountTmpfs(folder, kilobytes: 64), "mount tmpfs: \(String(cString: strerror(errno)))")
        defer {
            _ = umount(folder)
            TestFiles.remove(atPath: folder)
        }
        let data = DataDirectory(path: folder)
        let store = SecretStore(data: data)
        try store.set(name: "codec", username: "admin", password: SecretText("first-password"))
        let filler = open(folder + "/filler", O_WRONLY | O_CREAT, 0o600)
        let block = [UInt8](repeating: 0, count: 4096)
        while write(filler, block, block.count) > 0 {}
        close(filler)
        let error = #expect(throws: HNTTError.self) {
            try store.set(name: "other", username: "admin", password: SecretText(String(repeating: "p", count: 9000)))
        }
        #expect(error?.message.contains("No space left on device") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("the previous file is unchanged") == true)
        #expect(error?.fix?.contains("free some space") == true)
        #expect(try store.credentials(named: "codec").password.withClearText { $0 } == "first-password")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    func mountTmpfs(_ path: String, kilobytes: Int) -> Bool {
        mount("tmpfs", path, "tmpfs", 0, "size=\(kilobytes)k") == 0
    }
}

final class FailureCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func add() { lock.withLock { count += 1 } }
}
