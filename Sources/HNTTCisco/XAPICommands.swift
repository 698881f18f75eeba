import Foundation
import HNTTCore

/// The software generation of a Cisco codec, from its banner or its software version.
/// The protocol differs between them in a few commands (cisco-xapi.md §2.8).
public enum CiscoGeneration: String, Sendable {
    case tc, ce, roomos

    /// `TC7.3.3.c84180a` → tc; `ce 9.2.2 …`, `ce9.15.3` → ce; `RoomOS 11.23…`, `Spark Room OS …` → roomos.
    public static func detect(_ release: String) -> CiscoGeneration? {
        let lower = release.lowercased().trimmingWhitespace()
        if lower.hasPrefix("tc") { return .tc }
        if lower.hasPrefix("ce") { return .ce }
        if lower.contains("roomos") || lower.contains("room os") { return .roomos }
        return nil
    }
}

/// Builds xAPI command lines, refusing any value that could end the command early or start a
/// second one. Nothing here touches the network, so a refusal happens before anything is sent.
public enum XAPICommands {
    /// The longest value hntt will put in a command.
    public static let maximumValueLength = 255

    /// A value as a quoted xAPI string. Refuses quotes, backslashes, `|` (the result-id
    /// separator), line ends and other control characters, and values over 255 bytes.
    public static func quoted(_ value: String, field: String) throws -> String {
        try check(value, field: field)
        return "\"\(value)\""
    }

    static func check(_ value: String, field: String) throws {
        guard value.utf8.count <= maximumValueLength else {
            throw HNTTError(.badInput, "\(field) is \(value.utf8.count) bytes long; at most \(maximumValueLength) are allowed",
                            fix: "shorten the value")
        }
        for scalar in value.unicodeScalars {
            let v = scalar.value
            let control = v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) || v == 0x2028 || v == 0x2029
            if control || scalar == "\"" || scalar == "\\" || scalar == "|" {
                let shown = control ? String(format: "U+%04X", v) : String(scalar)
                throw HNTTError(.badInput, "\(field) contains \(shown), which could inject a second command; nothing was sent",
                                fix: "remove quotes, backslashes, `|` and control characters from the value")
            }
        }
    }

    /// A dial string: a SIP URI, an H.323 alias or E.164 number.
    public static func dialNumber(_ number: String) throws -> String {
        try check(number, field: "the number")
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@._+-:;=*#/")
        guard !number.isEmpty, number.allSatisfy({ allowed.contains($0) }) else {
            throw HNTTError(.badInput, "the number \"\(number)\" has characters a dial string cannot contain; nothing was sent",
                            fix: "use digits, letters and @ . _ + - : ; = * # / only (e.g. 84123456 or chair@province.gov.vn)")
        }
        return "\"\(number)\""
    }

    /// A configuration key as path words (`SIP DisplayName`, `Network 1 IPv4 Address`).
    public static func configurationPath(_ key: String) throws -> [String] {
        let words = key.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard !words.isEmpty, words.count <= 16, key.utf8.count <= maximumValueLength,
              words.allSatisfy({ $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }) else {
            throw HNTTError(.badInput, "\"\(key)\" is not a configuration key; nothing was sent",
                            fix: "write the path words as the codec prints them, separated by spaces, e.g. \"SIP DisplayName\"")
        }
        return words
    }

    public static func number(_ value: Int, field: String, in range: ClosedRange<Int>) throws -> String {
        guard range.contains(value) else {
            throw HNTTError(.badInput, "\(field) \(value) is out of range \(range.lowerBound)–\(range.upperBound)",
                            fix: "use a value in that range")
        }
        return String(value)
    }

    public static func callID(_ id: String) throws -> String {
        guard let value = Int(id), value >= 0, value < 1_000_000 else {
            throw HNTTError(.badInput, "call id \"\(id)\" is not a number", fix: "use the id `hntt status` shows")
        }
        return String(value)
    }
}
