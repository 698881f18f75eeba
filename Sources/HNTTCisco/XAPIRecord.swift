/// One line of Cisco TSH terminal-mode output, classified.
///
/// Pure: text in, value out. Every variant in the protocol notes (docs/protocols/cisco-xapi.md §2.2) has a case:
/// `*s`/`*c` records with quoted or bare values and `(ghost=True)` items, `*r` headers with any
/// result name, prefixed and unprefixed result lines, `** end` / `*r/end` / `**end`, and the
/// terminals `OK`, `ERROR`, `Command not recognized.`, `Login incorrect`.
public enum XAPIRecord: Sendable, Equatable {
    /// `*s Path words: value`; value nil for a `(ghost=True)` item.
    case status(path: [String], value: String?, ghost: Bool)
    /// `*c xConfiguration Path words: value`.
    case configuration(path: [String], value: String)
    /// `*r <Name> (status=<Status>):`.
    case resultHeader(name: String, status: String)
    /// `*r <Name> Path: value` (CE/RoomOS) or an unprefixed `Path: value` (TC) inside a result.
    case resultField(path: [String], value: String)
    /// `*e …`, kept as text.
    case event(String)
    /// `*h`, `*?`, `*es` and other records we do not interpret.
    case otherRecord(String)
    /// `** end`, `**end` or `*r/end`.
    case blockEnd
    case ok
    case error
    case notRecognized
    case loginIncorrect
    case loginSuccessful
    /// Anything else: banner text, an echoed command, a blank line.
    case text(String)

    /// Classifies one line (without its line end; ANSI escapes already removed).
    public static func parse(_ rawLine: String) -> XAPIRecord {
        let line = rawLine.trimmingWhitespace()
        switch line {
        case "OK": return .ok
        case "ERROR": return .error
        case "Command not recognized.", "Command not recognized": return .notRecognized
        case "Login incorrect": return .loginIncorrect
        case "** end", "**end", "*r/end", "** End": return .blockEnd
        case "*r Login successful": return .loginSuccessful
        default: break
        }
        if line.hasPrefix("*s ") {
            let body = String(line.dropFirst(3))
            if let ghostRange = body.range(of: "(ghost=True)", options: .caseInsensitive) {
                let path = body[..<ghostRange.lowerBound].split(separator: " ").map(String.init)
                return .status(path: path, value: nil, ghost: true)
            }
            let (path, value) = splitPathValue(body)
            return .status(path: path, value: value, ghost: false)
        }
        if line.hasPrefix("*c ") {
            var (path, value) = splitPathValue(String(line.dropFirst(3)))
            if let first = path.first, first.lowercased() == "xconfiguration" { path.removeFirst() }
            return .configuration(path: path, value: value ?? "")
        }
        if line.hasPrefix("*r ") {
            let body = String(line.dropFirst(3))
            if let header = parseResultHeader(body) { return header }
            // `*r DialResult CallId: 2`: drop the result name, keep the path below it.
            var (path, value) = splitPathValue(body)
            if path.count > 1 { path.removeFirst() }
            return .resultField(path: path, value: value ?? "")
        }
        if line.hasPrefix("*e ") { return .event(String(line.dropFirst(3))) }
        if line.hasPrefix("*") && line.count > 1 && !line.hasPrefix("**") { return .otherRecord(line) }
        return .text(line)
    }

    /// `Name (status=OK):` → header.
    static func parseResultHeader(_ body: String) -> XAPIRecord? {
        guard let open = body.range(of: "(status="), let close = body[open.upperBound...].firstIndex(of: ")") else {
            return nil
        }
        let name = body[..<open.lowerBound].trimmingWhitespace()
        guard !name.isEmpty, !name.contains(" ") else { return nil }
        return .resultHeader(name: name, status: String(body[open.upperBound..<close]))
    }

    /// `Path words: value` → (["Path", "words"], value). The path ends at the first colon; a
    /// quoted value is unquoted (`\"` → `"`).
    static func splitPathValue(_ body: String) -> (path: [String], value: String?) {
        guard let colon = body.firstIndex(of: ":") else {
            return (body.split(separator: " ").map(String.init), nil)
        }
        let path = body[..<colon].split(separator: " ").map(String.init)
        let raw = body[body.index(after: colon)...].trimmingWhitespace()
        return (path, unquote(raw))
    }

    static func unquote(_ raw: String) -> String {
        guard raw.count >= 2, raw.hasPrefix("\""), raw.hasSuffix("\"") else { return raw }
        var result = ""
        var escaped = false
        for character in raw.dropFirst().dropLast() {
            if escaped {
                result.append(character)
                escaped = false
                continue
            }
            if character == "\\" {
                escaped = true
                continue
            }
            result.append(character)
        }
        if escaped { result.append("\\") }
        return result
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
