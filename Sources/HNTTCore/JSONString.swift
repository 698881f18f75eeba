import Foundation

/// A string as a double-quoted JSON literal, which is also a valid YAML scalar: used for every
/// document hntt writes (JSON output, baseline YAML), so there is one escaping rule.
public func jsonQuoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += String(format: "\\u%04x", scalar.value)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}

extension String {
    /// `fallback` when the text is empty (a list that came out empty, a field left blank).
    public func ifEmpty(_ fallback: String) -> String { isEmpty ? fallback : self }
}
