import Foundation
import Yams

/// Reads a YAML file with positions, so that every error names the file, the line and the fix.
/// A YAML file read with positions, so that every error names the file, the line and the fix.
public struct YAMLFile {
    public let path: String
    public let root: Node

    public init(path: String, what: String) throws {
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
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw HNTTError(.badFile, "\(path) is empty", fix: "see the example in the README")
            }
            root = node
        } catch let error as YamlError {
            throw HNTTError(
                .badFile, "\(path): not valid YAML: \(YAMLFile.describe(error))",
                fix: "fix the YAML syntax at that line (indentation, quotes, colons)")
        }
    }

    static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _):
            return "line \(mark.line), column \(mark.column): \(problem)" + (context.map { " (\($0.text))" } ?? "")
        default:
            return "\(error)"
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

    public func double(_ node: Node, _ what: String) throws -> Double {
        guard case .scalar = node, let value = node.float, value > 0 else {
            throw error(node, "\(what) must be a positive number of seconds", fix: "write for example `\(what): 10`")
        }
        return value
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
