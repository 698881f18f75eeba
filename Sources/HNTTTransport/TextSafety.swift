/// Text from outside (device replies, operator input, files) shown on a terminal or in a log line:
/// control characters become visible escapes, so a stored `\n` cannot fake a second entry and an ESC
/// cannot drive the terminal; long text is cut so an error quotes the offending part, not a whole file.
public enum TextSafety {
    /// `text` with C0/C1 controls, DEL and the Unicode line/paragraph separators written as `\n`, `\r`,
    /// `\t`, `\e` or `\u{…}`, and cut to `limit` characters (an ellipsis says so).
    public static func quoted(_ text: String, limit: Int = .max) -> String {
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count >= limit {
                out += "…"
                break
            }
            count += 1
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{1B}": out += "\\e"
            default:
                if isControl(scalar) {
                    out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// Whether `text` needs escaping at all (most does not; the fast path returns it unchanged).
    public static func needsEscaping(_ text: String) -> Bool {
        text.unicodeScalars.contains(where: isControl)
    }

    /// `quoted` for a whole line of output, leaving the text as it is when nothing needs escaping.
    public static func line(_ text: String) -> String {
        needsEscaping(text) ? quoted(text) : text
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) || v == 0x2028 || v == 0x2029
    }
}
