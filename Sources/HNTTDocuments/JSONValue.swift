import Foundation
import HNTTCore

/// A JSON value whose objects keep their key order, so `config get` lists keys as the device does.
public enum JSONValue: Sendable {
    case string(String)
    case number(Int)
    /// A measured figure (0.5 %); a value that is not finite is written as null.
    case decimal(Double)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([(String, JSONValue)])

    public var text: String {
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
        case .decimal(let value): out += value.isFinite ? String(value) : "null"
        case .bool(let value): out += value ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            if items.isEmpty {
                out += "[]"
                return
            }
            out += "[\n"
            for (index, item) in items.enumerated() {
                out += pad
                item.write(into: &out, indent: indent + 1)
                out += index == items.count - 1 ? "\n" : ",\n"
            }
            out += closePad + "]"
        case .object(let pairs):
            if pairs.isEmpty {
                out += "{}"
                return
            }
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

/// The one escaping path of every document: text as HTML, as a CSV field.
public enum Escape {
    /// `&`, `<`, `>`, `"` and `'` as entities, so a name can neither open a tag nor leave an attribute.
    public static func html(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// Text for an XML document: escaped as for HTML, and without the characters XML 1.0 cannot carry
    /// (C0 controls other than tab and line breaks, U+FFFE, U+FFFF), which a reader would refuse.
    public static func xml(_ text: String) -> String {
        var kept = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if (value < 0x20 && value != 0x09 && value != 0x0A && value != 0x0D) || value == 0xFFFE || value == 0xFFFF {
                continue
            }
            kept.append(scalar)
        }
        return html(String(kept))
    }

    /// A CSV field (RFC 4180): always quoted, quotes doubled. A field that a spreadsheet would
    /// run as a formula (`=`, `+`, `-`, `@` first) gets a leading apostrophe.
    public static func csv(_ text: String) -> String {
        let guarded = text.first.map { "=+-@".contains($0) } == true ? "'" + text : text
        return "\"" + guarded.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One CSV line of fields.
    public static func csvLine(_ fields: [String]) -> String { fields.map(csv).joined(separator: ",") }
}
