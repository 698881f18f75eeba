import Crypto
import Foundation

/// The hash chain of append-only records (audit log, logbook): each entry's hash covers its
/// fields and the previous entry's hash, so an edit, a deletion or a reordering shows.
public enum HashChain {
    /// The "previous hash" of the first entry.
    public static let genesis = String(repeating: "0", count: 64)

    /// SHA-256 over the previous hash and the fields, separated by a unit separator.
    public static func link(previous: String, fields: [String]) -> String {
        let text = ([previous] + fields).joined(separator: "\u{1F}")
        return SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// One stored link: its id, the hash it claims to follow, its own hash, and its fields.
    public struct Link {
        public let id: Int64
        public let previous: String
        public let hash: String
        public let fields: [String]
    }

    /// The first place the chain is broken, in words (`entry 4 was edited after it was written`),
    /// or nil when it is whole. Ids are never reused, so a gap is a deletion.
    public static func firstBreak(_ links: [Link]) -> String? {
        var previous = genesis
        var expectedID: Int64 = 1
        for link in links {
            if link.id != expectedID {
                return "entry \(expectedID)\(link.id > expectedID + 1 ? "–\(link.id - 1)" : "") is missing (deleted)"
            }
            if link.previous != previous {
                return
                    "entry \(link.id) does not follow entry \(link.id - 1) (entries were deleted, inserted or reordered)"
            }
            if HashChain.link(previous: link.previous, fields: link.fields) != link.hash {
                return "entry \(link.id) was edited after it was written"
            }
            previous = link.hash
            expectedID += 1
        }
        return nil
    }
}
