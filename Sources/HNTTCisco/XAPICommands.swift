import Foundation
@_spi(Driver) import HNTTCore

/// The software generation of a Cisco codec, from its banner or its software version.
/// The protocol differs between them in a few commands (docs/protocols/cisco-xapi.md §2.8).
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

/// Builds xAPI command lines from values checked by ``SafeValue``: nothing that could end the
/// command early or start a second one gets through, and the check happens before connecting.
public enum XAPICommands {
    /// A value as a quoted xAPI string.
    public static func quoted(_ value: String, field: String) throws -> String {
        try SafeValue.check(value, field: field)
        return "\"\(value)\""
    }

    /// A dial string, quoted.
    public static func dialNumber(_ number: String) throws -> String {
        "\"\(try SafeValue.dialString(number))\""
    }

    /// A configuration key as path words (`SIP DisplayName`, `Network 1 IPv4 Address`).
    public static func configurationPath(_ key: String) throws -> [String] {
        let words = key.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard !words.isEmpty, words.count <= 16, key.utf8.count <= SafeValue.maximumLength,
            words.allSatisfy({ $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } })
        else {
            throw HNTTError(
                .badInput, "\"\(key)\" is not a configuration key; nothing was sent",
                fix: "write the path words as the codec prints them, separated by spaces, e.g. \"SIP DisplayName\"")
        }
        return words
    }
}
