import Foundation
import HNTTCore
import HNTTTransport

/// The durable intent of a configuration change, written before the first write and removed when
/// the change is finished: which devices, which keys, their previous values (encrypted: they may be
/// passwords), and whether a confirmation window is open. The process applying it holds a lock on
/// its file; a journal whose lock is free belongs to a process that died (kill -9, power cut), and
/// whoever runs next puts the previous values back (``Gateway/recoverChanges(touching:)``).
public struct ChangeJournal: Codable, Sendable, Equatable {
    public enum Phase: String, Codable, Sendable {
        /// Writes are under way: an interruption means rolling back.
        case applying
        /// Every write done; the change stands only if confirmed by `confirmBy`.
        case awaitingConfirmation = "awaiting-confirmation"
    }

    public struct DeviceEntry: Codable, Sendable, Equatable {
        public let device: String
        /// The keys this change writes, with their values before it.
        public var previous: [Setting]
    }

    /// The order's id, or `remediation-…`.
    public let id: String
    /// `change apply`, `config set`, `remediate`.
    public let action: String
    /// What authorised it (`order 123/QĐ-…`, `baseline v3`).
    public let authority: String
    public let startedAt: String
    public let operatorName: String
    public var phase: Phase = .applying
    public var confirmBy: String?
    public var devices: [DeviceEntry] = []
    /// The signed order, so that a change confirmed after a crash can still become the next baseline.
    public var orderText: String?
}

/// The journals of one data folder (`journal/`), sealed with the master key.
struct ChangeJournals: Sendable {
    static let purpose = "change journal"
    let data: DataDirectory
    let secrets: SecretStore

    var folder: String { data.file("journal") }

    func path(_ id: String) -> String {
        let safe = String(
            id.unicodeScalars.map {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-")
                    ? Character($0) : "_"
            })
        return "\(folder)/\(safe).journal"
    }

    func write(_ journal: ChangeJournal) throws {
        try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let clear = try JSONEncoder().encode(journal)
        try DataDirectory(path: folder).writePrivate(
            try secrets.seal(clear, purpose: ChangeJournals.purpose),
            to: URL(fileURLWithPath: path(journal.id)).lastPathComponent)
    }

    func read(_ path: String) throws -> ChangeJournal {
        guard let sealed = FileManager.default.contents(atPath: path) else {
            throw HNTTError(.badFile, "cannot read the change journal \(path)", fix: "check the data folder")
        }
        return try JSONDecoder().decode(
            ChangeJournal.self, from: try secrets.open(sealed, purpose: ChangeJournals.purpose))
    }

    func remove(_ id: String) {
        unlink(path(id))
    }

    /// Every journal file, oldest first.
    func paths() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".journal") }
            .sorted().map { "\(folder)/\($0)" }
    }
}

/// The lock a running apply holds on its journal: free means its process is gone.
final class JournalLock: @unchecked Sendable {
    private let descriptor: Int32

    /// Takes the lock on `path`'s lock file, or returns nil if a live process holds it.
    init?(path: String) {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try? FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let descriptor = Glibc.open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return nil }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            return nil
        }
        self.descriptor = descriptor
    }

    /// Releases the lock; `removing` also removes the lock file (once the journal is gone).
    func release(path: String, removing: Bool) {
        if removing { unlink(path + ".lock") }
        close(descriptor)
    }
}
