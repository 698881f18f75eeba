import Crypto
import Foundation
import HNTTTransport

/// Device credentials, encrypted at rest with AES-256-GCM (Điều 3.1: accounts are kept secret).
///
/// The key comes from `$HNTT_MASTER_KEY` (base64 of 32 bytes) or from `master.key` in the data
/// folder (mode 0600, made on first use). The store file alone reveals nothing; a wrong key is
/// detected by the GCM tag and reported without guessing.
public struct SecretStore: Sendable {
    public static let fileName = "secrets.enc"
    public static let keyFileName = "master.key"

    private struct Entry: Codable {
        var username: String
        var password: String
    }
    private struct Contents: Codable {
        var version = 1
        var credentials: [String: Entry] = [:]
    }

    public let data: DataDirectory

    public init(data: DataDirectory) { self.data = data }

    /// Stores (or replaces) a credential.
    public func set(name: String, username: String, password: SecretText) throws {
        guard name.wholeMatch(of: /^[A-Za-z0-9._-]{1,64}$/) != nil else {
            throw HNTTError(
                .badInput, "credential name \"\(name)\" is not allowed",
                fix: "use letters, digits, dot, dash or underscore (the name the inventory's `credential:` uses)")
        }
        // Read, change and write under the folder's lock: eight `secret set` at once keep all eight.
        // The master key is made first (under the same lock, taken and released), never inside it.
        _ = try key(create: true)
        try data.withExclusiveLock {
            var contents = try read()
            contents.credentials[name] = password.withClearText { Entry(username: username, password: $0) }
            try write(contents)
        }
    }

    /// The credential stored under `name`, for `device` (named in the error if it is missing).
    public func credentials(named name: String, device: String? = nil) throws -> LoginCredentials {
        guard let entry = try read().credentials[name] else {
            throw HNTTError(
                .badInput, "no credential \"\(name)\" in the secret store", device: device,
                fix: "store it with `hntt secret set \(name) --username USER --password-stdin`")
        }
        return LoginCredentials(username: entry.username, password: SecretText(entry.password))
    }

    /// A key for another purpose (keyed hashes of secrets in snapshots), derived from the master
    /// key with HKDF, so that one secret guards everything and the purposes never share a key.
    public func derivedKey(purpose: String) throws -> SymmetricKey {
        guard let master = try key(create: true) else {
            throw HNTTError(.badFile, "no master key", fix: "set HNTT_MASTER_KEY or let hntt create master.key")
        }
        return HKDF<SHA256>.deriveKey(inputKeyMaterial: master, info: Data(purpose.utf8), outputByteCount: 32)
    }

    /// `clear` encrypted (AES-256-GCM) under a key derived for `purpose`: for files that must hold
    /// secrets for a while (a change journal keeps the previous values, passwords included).
    public func seal(_ clear: Data, purpose: String) throws -> Data {
        guard let combined = try AES.GCM.seal(clear, using: derivedKey(purpose: purpose)).combined else {
            throw HNTTError(.badInput, "cannot seal data for \(purpose)")
        }
        return combined
    }

    /// The clear text of ``seal(_:purpose:)``'s output; throws if it was altered or sealed by another key.
    public func open(_ sealed: Data, purpose: String) throws -> Data {
        do {
            return try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: derivedKey(purpose: purpose))
        } catch {
            throw HNTTError(
                .badFile, "a sealed \(purpose) file cannot be read with this master key",
                fix: "use the data folder's own master.key (or HNTT_MASTER_KEY)")
        }
    }

    /// The stored names (never the values).
    public func names() throws -> [String] { try read().credentials.keys.sorted() }

    /// Each stored name with its login name (never the password), sorted by name.
    public func accounts() throws -> [(name: String, username: String)] {
        let credentials = try read().credentials
        return credentials.keys.sorted().map { ($0, credentials[$0]?.username ?? "") }
    }

    private func key(create: Bool) throws -> SymmetricKey? {
        if let encoded = ProcessInfo.processInfo.environment["HNTT_MASTER_KEY"], !encoded.isEmpty {
            guard let bytes = Data(base64Encoded: encoded), bytes.count == 32 else {
                throw HNTTError(
                    .badInput, "HNTT_MASTER_KEY is not base64 of 32 bytes",
                    fix: "make one with `head -c 32 /dev/urandom | base64`")
            }
            return SymmetricKey(data: bytes)
        }
        let path = data.file(SecretStore.keyFileName)
        if let stored = FileManager.default.contents(atPath: path) {
            guard let text = String(data: stored, encoding: .utf8),
                let bytes = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)),
                bytes.count == 32
            else {
                throw HNTTError(
                    .badFile, "\(path) is not a valid master key",
                    fix: "restore it from your backup; without it the stored credentials cannot be read")
            }
            return SymmetricKey(data: bytes)
        }
        guard create else { return nil }
        // Made once: under the lock, after looking again (another process may have just made it).
        return try data.withExclusiveLock {
            if FileManager.default.fileExists(atPath: path) { return try key(create: false) }
            let fresh = SymmetricKey(size: .bits256)
            let encoded = fresh.withUnsafeBytes { Data($0).base64EncodedString() }
            try data.writePrivate(Data((encoded + "\n").utf8), to: SecretStore.keyFileName)
            return fresh
        }
    }

    private func read() throws -> Contents {
        let path = data.file(SecretStore.fileName)
        guard let sealed = FileManager.default.contents(atPath: path) else { return Contents() }
        guard let key = try key(create: false) else {
            throw HNTTError(
                .badFile, "the secret store exists but its master key is missing",
                fix: "restore \(data.file(SecretStore.keyFileName)) or set HNTT_MASTER_KEY")
        }
        do {
            let box = try AES.GCM.SealedBox(combined: sealed)
            let clear = try AES.GCM.open(box, using: key)
            return try JSONDecoder().decode(Contents.self, from: clear)
        } catch {
            throw HNTTError(
                .badFile, "the secret store \(path) cannot be decrypted with this master key",
                fix: "use the master key it was written with (master.key or HNTT_MASTER_KEY)")
        }
    }

    private func write(_ contents: Contents) throws {
        guard let key = try key(create: true) else { return }
        let clear = try JSONEncoder().encode(contents)
        let sealed = try AES.GCM.seal(clear, using: key)
        guard let combined = sealed.combined else {
            throw HNTTError(.badInput, "cannot seal the secret store")
        }
        try data.writePrivate(combined, to: SecretStore.fileName)
    }
}
