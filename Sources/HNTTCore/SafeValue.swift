import Foundation

/// Checks values before they go into a device command, for every vendor: nothing that could end
/// the command early or start a second one gets through, and nothing is sent when a value is
/// refused (the drivers check before they connect).
public enum SafeValue {
    /// The longest value hntt will put in a command.
    public static let maximumLength = 255

    /// Refuses quotes, backslashes, `|`, line ends and other control characters, and values
    /// over 255 bytes. Letters of any script (Vietnamese names) pass.
    public static func check(_ value: String, field: String) throws {
        guard value.utf8.count <= maximumLength else {
            throw HNTTError(
                .badInput, "\(field) is \(value.utf8.count) bytes long; at most \(maximumLength) are allowed",
                fix: "shorten the value")
        }
        for scalar in value.unicodeScalars {
            let v = scalar.value
            let control = v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) || v == 0x2028 || v == 0x2029
            if control || scalar == "\"" || scalar == "\\" || scalar == "|" {
                let shown = control ? String(format: "U+%04X", v) : String(scalar)
                throw HNTTError(
                    .badInput, "\(field) contains \(shown), which could inject a second command; nothing was sent",
                    fix: "remove quotes, backslashes, `|` and control characters from the value")
            }
        }
    }

    /// A dial string: a SIP URI, an H.323 alias or an E.164 number.
    public static func dialString(_ number: String) throws -> String {
        try check(number, field: "the number")
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@._+-:;=*#/")
        guard !number.isEmpty, number.allSatisfy({ allowed.contains($0) }) else {
            throw HNTTError(
                .badInput, "the number \"\(number)\" has characters a dial string cannot contain; nothing was sent",
                fix: "use digits, letters and @ . _ + - : ; = * # / only (e.g. 84123456 or chair@province.gov.vn)")
        }
        return number
    }

    /// A whole number within `range`.
    public static func number(_ value: Int, field: String, in range: ClosedRange<Int>) throws -> String {
        guard range.contains(value) else {
            throw HNTTError(
                .badInput, "\(field) \(value) is out of range \(range.lowerBound)–\(range.upperBound)",
                fix: "use a value in that range")
        }
        return String(value)
    }

    /// A call id as `hntt status` shows it.
    public static func callID(_ id: String) throws -> String {
        guard let value = Int(id), value >= 0, value < 1_000_000 else {
            throw HNTTError(.badInput, "call id \"\(id)\" is not a number", fix: "use the id `hntt status` shows")
        }
        return String(value)
    }
}
