import Foundation
import HNTTCore

/// A JSON value whose objects keep their key order, so `config get` lists keys as the device does.
enum JSONValue {
    case string(String)
    case number(Int)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([(String, JSONValue)])

    var text: String {
        var out = ""
        write(into: &out, indent: 0)
        return out
    }

    private func write(into out: inout String, indent: Int) {
        let pad = String(repeating: "  ", count: indent + 1)
        let closePad = String(repeating: "  ", count: indent)
        switch self {
        case .string(let value): out += JSONValue.quote(value)
        case .number(let value): out += String(value)
        case .bool(let value): out += value ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "[\n"
            for (index, item) in items.enumerated() {
                out += pad
                item.write(into: &out, indent: indent + 1)
                out += index == items.count - 1 ? "\n" : ",\n"
            }
            out += closePad + "]"
        case .object(let pairs):
            if pairs.isEmpty { out += "{}"; return }
            out += "{\n"
            for (index, (key, value)) in pairs.enumerated() {
                out += pad + JSONValue.quote(key) + ": "
                value.write(into: &out, indent: indent + 1)
                out += index == pairs.count - 1 ? "\n" : ",\n"
            }
            out += closePad + "}"
        }
    }

    static func quote(_ text: String) -> String { jsonQuoted(text) }
}

/// Where output goes: with `--json` standard output carries exactly one JSON document and all
/// human text goes to standard error.
struct Output {
    let json: Bool

    /// Human text: standard output normally, standard error under `--json`.
    func say(_ text: String) {
        if json { FileHandle.standardError.write(Data((text + "\n").utf8)) } else { print(text) }
    }

    /// Progress and notes, always on standard error.
    func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// The result: JSON under `--json`, else the human text.
    func result(_ value: @autoclosure () -> JSONValue, human: @autoclosure () -> String) {
        if json { print(value().text) } else { print(human()) }
    }
}
