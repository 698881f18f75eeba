import Foundation
import HNTTTransport
import Yams

/// A YAML file read with positions, so that every error names the file, the line and the fix.
/// Files arrive from outside (inventories, signed documents), so size, nesting and aliases are limited
/// before anything is built from them.
public struct YAMLFile {
    public let path: String
    public let root: Node

    /// The largest file accepted: a province's baseline for a hundred codecs is about 1.5 MB.
    public static let maximumBytes = 4 << 20

    public init(path: String, what: String) throws {
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int,
            size > YAMLFile.maximumBytes
        {
            throw HNTTError(
                .badFile,
                "\(what) \(path) is \(size / 1024) KiB, more than the \(YAMLFile.maximumBytes >> 20) MiB accepted",
                fix: "split the file, or check that it is the right one")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HNTTError(
                .badFile, "cannot read \(what) \(path)",
                fix: "check the path, or pass --inventory PATH")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw HNTTError(.badFile, "\(path) is not UTF-8 text", fix: "save the file as UTF-8")
        }
        try self.init(text: text, name: path)
    }

    /// A document held in memory (a signed document kept in the database); `name` stands for the path in errors.
    public init(text: String, name: String) throws {
        self.path = name
        let path = name
        guard text.utf8.count <= YAMLFile.maximumBytes else {
            throw HNTTError(
                .badFile, "\(path) is more than the \(YAMLFile.maximumBytes >> 20) MiB accepted",
                fix: "split the file, or check that it is the right one")
        }
        try YAMLPreflight.check(text, name: path)
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw HNTTError(.badFile, "\(path) is empty", fix: "see the example in the README")
            }
            root = node
        } catch let error as YamlError {
            if case .duplicatedKeysInMapping = error {
                throw HNTTError(.badFile, "\(path): \(YAMLFile.describe(error))", fix: "keep one of them")
            }
            throw HNTTError(
                .badFile, "\(path): not valid YAML: \(YAMLFile.describe(error))",
                fix: "fix the YAML syntax at that line (indentation, quotes, colons)")
        }
    }

    static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _):
            return "line \(mark.line), column \(mark.column): \(problem)" + (context.map { " (\($0.text))" } ?? "")
        case .composer(_, let problem, let mark, _):
            return "line \(mark.line), column \(mark.column): \(problem)"
        case .duplicatedKeysInMapping(let duplicates, let context):
            // Yams' own description carries the whole file; name the keys and the line only.
            let keys = duplicates.prefix(3).map { "\"\(TextSafety.quoted($0, limit: 60))\"" }.joined(separator: ", ")
            return "line \(context.mark.line): key \(keys) appears twice in one mapping"
        default:
            return TextSafety.quoted("\(error)", limit: 200)
        }
    }

    public func error(_ node: Node?, _ message: String, fix: String) -> HNTTError {
        let line = node?.mark.map { ":\($0.line)" } ?? ""
        return HNTTError(.badFile, "\(path)\(line): \(message)", fix: fix)
    }

    /// The pairs of a mapping node, refusing keys not in `allowed`.
    /// The pairs of a mapping, refusing keys not in `allowed` (nil: any key) and duplicates.
    public func mapping(_ node: Node, _ what: String, allowed: Set<String>?) throws -> [(
        key: String, keyNode: Node, value: Node
    )] {
        guard case .mapping(let mapping) = node else {
            throw error(node, "\(what) must be a mapping (key: value lines)", fix: "indent its fields under it")
        }
        var seen = Set<String>()
        var pairs: [(key: String, keyNode: Node, value: Node)] = []
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            if let allowed, !allowed.contains(key) {
                let close = allowed.sorted().filter { levenshtein($0, key) <= 2 }.first
                let hint = close.map { "did you mean \"\($0)\"? " } ?? ""
                throw error(
                    keyNode, "unknown key \"\(key)\" in \(what)",
                    fix: "\(hint)allowed keys: \(allowed.sorted().joined(separator: ", "))")
            }
            guard seen.insert(key).inserted else {
                throw error(keyNode, "key \"\(key)\" appears twice in \(what)", fix: "keep one of them")
            }
            pairs.append((key, keyNode, value))
        }
        return pairs
    }

    public func string(_ node: Node, _ what: String) throws -> String {
        guard case .scalar(let scalar) = node else {
            throw error(node, "\(what) must be a single value", fix: "write it as `\(what): value`")
        }
        return scalar.string
    }

    public func int(_ node: Node, _ what: String, range: ClosedRange<Int>) throws -> Int {
        guard case .scalar = node, let value = node.int, range.contains(value) else {
            throw error(
                node, "\(what) must be a whole number from \(range.lowerBound) to \(range.upperBound)",
                fix: "write a number in that range")
        }
        return value
    }

    /// A number of seconds (or minutes) within `range`; infinity, NaN and 1e20 are refused with the range.
    public func double(_ node: Node, _ what: String, range: ClosedRange<Double> = 0.001...86_400) throws -> Double {
        guard case .scalar = node, let value = node.float, value.isFinite, range.contains(value) else {
            throw error(
                node,
                "\(what) must be a number from \(YAMLFile.format(range.lowerBound)) to \(YAMLFile.format(range.upperBound))",
                fix: "write for example `\(what): 10`")
        }
        return value
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    public func strings(_ node: Node, _ what: String) throws -> [String] {
        guard case .sequence(let sequence) = node else {
            throw error(node, "\(what) must be a list", fix: "write one `- item` per line")
        }
        return try sequence.map { try string($0, what) }
    }

    public func sequence(_ node: Node, _ what: String) throws -> [Node] {
        guard case .sequence(let sequence) = node else {
            throw error(node, "\(what) must be a list", fix: "write one `- item` per entry")
        }
        return Array(sequence)
    }
}

/// Edit distance, for "did you mean" hints on misspelt keys.
func levenshtein(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
