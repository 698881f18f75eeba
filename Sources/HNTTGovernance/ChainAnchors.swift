import Foundation
import HNTTCore

/// The newest entry of each hash chain (audit log, logbook), kept outside the database in
/// `chain-heads` (written atomically under the data folder's lock). A chain only shows edits and
/// gaps inside itself; the head outside it shows the newest entries deleted, or a table emptied,
/// or the whole database replaced by an empty one.
public struct ChainAnchors: Sendable {
    public static let fileName = "chain-heads"

    /// One chain's newest entry as last written.
    public struct Head: Sendable, Equatable, Codable {
        public let id: Int64
        public let hash: String
    }

    public let data: DataDirectory

    public init(data: DataDirectory) { self.data = data }

    /// True when any chain has ever been anchored here (the data folder once held a database).
    public var exists: Bool { FileManager.default.fileExists(atPath: data.file(ChainAnchors.fileName)) }

    public func heads() -> [String: Head] {
        guard let contents = FileManager.default.contents(atPath: data.file(ChainAnchors.fileName)) else { return [:] }
        return (try? JSONDecoder().decode([String: Head].self, from: contents)) ?? [:]
    }

    public func head(of chain: String) -> Head? { heads()[chain] }

    /// Records `head` for `chain` unless a newer one is recorded (several processes append at once).
    /// Blocks on the folder's lock: call it off the cooperative pool.
    public func advance(_ chain: String, to head: Head) throws {
        try data.withExclusiveLock {
            var heads = self.heads()
            if let recorded = heads[chain], recorded.id >= head.id { return }
            heads[chain] = head
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            try data.writePrivate(try encoder.encode(heads), to: ChainAnchors.fileName)
        }
    }

    /// What the anchored head says about a chain whose stored links are `links`: nil when the newest
    /// anchored entry is still there with its hash.
    public func problem(_ chain: String, links: [HashChain.Link]) -> String? {
        guard let head = head(of: chain) else { return nil }
        guard let stored = links.first(where: { $0.id == head.id }) else {
            let newest = links.last?.id ?? 0
            return newest == 0
                ? "the table is empty, but entry \(head.id) was written (the head in \(ChainAnchors.fileName) says so)"
                : (newest + 1 == head.id ? "entry \(head.id) is" : "entries \(newest + 1)–\(head.id) are")
                    + " missing (deleted): entry \(head.id) was written (the head in \(ChainAnchors.fileName) says so)"
        }
        guard stored.hash == head.hash else {
            return
                "entry \(head.id) is not the one written (its hash differs from the head in \(ChainAnchors.fileName))"
        }
        return nil
    }
}
