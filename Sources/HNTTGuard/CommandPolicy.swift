@_spi(Guard) import HNTTCore

/// What the guard makes of a raw command (`hntt exec`).
public enum CommandVerdict: Sendable, Equatable {
    /// Read-only or an allow-listed operation: send this canonical form.
    case allowed(CanonicalCommand)
    /// A configuration write or a privileged command: only a signed order may do that.
    case needsAuthorisation(String)
    /// Not a form the guard knows: refused.
    case unknown(String)
}

/// Canonicalises a technician's raw command so that a write cannot hide behind spelling — case,
/// abbreviations (`xconf`), XPath (`SIP/DisplayName`), `//` searches — then classifies it.
/// Reads and allow-listed operations pass; everything else is refused.
public enum CommandPolicy {
    static let ciscoVerbs = [
        "xcommand", "xconfiguration", "xstatus", "xfeedback", "xpreferences", "xevent", "xgetxml",
        "xdocument", "xtransaction", "echo", "bye", "help", "log", "systemtools",
    ]
    static let ciscoReadVerbs: Set<String> = [
        "xstatus", "xfeedback", "xpreferences", "xevent", "xgetxml", "xdocument", "echo", "help",
    ]

    /// The xCommands an operator may run without authorisation (cisco-xapi.md §4.2), full words.
    static let ciscoOperations: [[String]] = [
        ["Dial"], ["Call", "Disconnect"], ["Call", "DisconnectAll"], ["Call", "Accept"], ["Call", "Reject"],
        ["Audio", "Microphones", "Mute"], ["Audio", "Microphones", "Unmute"], ["Audio", "Microphones", "ToggleMute"],
        ["Audio", "Volume", "Set"], ["Audio", "Volume", "Increase"], ["Audio", "Volume", "Decrease"],
        ["Camera", "Preset", "Activate"], ["Camera", "Preset", "Store"], ["Camera", "PositionSet"], ["Camera", "Ramp"],
        ["Standby", "Activate"], ["Standby", "Deactivate"], ["Standby", "HalfWake"], ["Standby", "ResetTimer"],
        ["Presentation", "Start"], ["Presentation", "Stop"], ["Video", "Input", "SetMainVideoSource"],
        ["Peripherals", "HeartBeat"], ["Message", "Echo"],
    ]

    /// Classifies a Cisco xAPI line.
    public static func cisco(_ raw: String) -> CommandVerdict {
        guard !raw.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }), raw.utf8.count <= 1024
        else {
            return .unknown("the command contains line ends or control characters (a second command could hide there)")
        }
        if raw.contains("|") { return .unknown("`|` (result tags) is not allowed in a raw command") }
        let tokens = raw.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let first = tokens.first?.lowercased() else { return .unknown("empty command") }
        let verbs = ciscoVerbs.filter { $0.hasPrefix(first) }
        guard let verb = verbs.count == 1 ? verbs[0] : ciscoVerbs.first(where: { $0 == first }) else {
            return .unknown(
                "\"\(tokens[0])\" is \(verbs.isEmpty ? "not an xAPI verb" : "ambiguous (\(verbs.joined(separator: ", ")))")"
            )
        }
        // XPath and SimplePath mean the same: `SIP/DisplayName`, `Network[1]/DNS` → words.
        let rest = tokens.dropFirst().joined(separator: " ")
        let hasValue = rest.contains(":")
        let pathPart = hasValue ? String(rest[..<rest.firstIndex(of: ":")!]) : rest
        let words = pathPart.replacingOccurrences(of: "/", with: " ").replacingOccurrences(of: "[", with: " ")
            .replacingOccurrences(of: "]", with: " ").split(separator: " ").map(String.init)
        let arguments = hasValue ? String(rest[rest.firstIndex(of: ":")!...]) : ""
        switch verb {
        case "xconfiguration":
            if hasValue {
                return .needsAuthorisation(
                    "`xConfiguration \(words.joined(separator: " "))` with a value is a configuration write")
            }
            return .allowed(
                CanonicalCommand(text: (["xConfiguration"] + words).joined(separator: " "), isCommand: false))
        case "xcommand":
            // Before the first colon: the path, then the first argument's key.
            let pathWords = hasValue ? Array(words.dropLast()) : words
            guard let operation = resolve(pathWords, among: ciscoOperations) else {
                return .needsAuthorisation(
                    "`xCommand \(pathWords.joined(separator: " "))` is not an allow-listed operation (it may change the device: users, reset, provisioning, macros, reboot…)"
                )
            }
            let argumentText =
                arguments.isEmpty ? "" : " " + reformatArguments(words.dropFirst(pathWords.count), arguments)
            return .allowed(
                CanonicalCommand(text: "xCommand " + operation.joined(separator: " ") + argumentText, isCommand: true))
        case let read where ciscoReadVerbs.contains(read):
            if read == "xpreferences" || read == "echo" || read == "xfeedback" {
                return .allowed(
                    CanonicalCommand(
                        text: ([canonicalVerb(read)] + tokens.dropFirst()).joined(separator: " "), isCommand: false))
            }
            return .allowed(
                CanonicalCommand(text: ([canonicalVerb(read)] + words).joined(separator: " "), isCommand: false))
        default:
            return .needsAuthorisation("`\(verb)` is privileged")
        }
    }

    /// The allow-listed operation the typed words abbreviate, if exactly one.
    static func resolve(_ typed: [String], among operations: [[String]]) -> [String]? {
        let matches = operations.filter { operation in
            operation.count == typed.count
                && zip(operation, typed).allSatisfy { $0.lowercased().hasPrefix($1.lowercased()) && !$1.isEmpty }
        }
        return matches.count == 1 ? matches[0] : nil
    }

    static func canonicalVerb(_ verb: String) -> String {
        [
            "xcommand": "xCommand", "xconfiguration": "xConfiguration", "xstatus": "xStatus", "xfeedback": "xFeedback",
            "xpreferences": "xPreferences", "xevent": "xEvent", "xgetxml": "xGetxml", "xdocument": "xDocument",
            "echo": "echo", "help": "help",
        ][verb] ?? verb
    }

    static func reformatArguments(_ words: ArraySlice<String>, _ arguments: String) -> String {
        (words.joined(separator: " ") + arguments).trimmingCharacters(in: .whitespaces)
    }

    /// Poly commands an operator may run (poly-and-others.md §2): reads and room operations.
    static let polyReads: Set<String> = ["whoami", "version", "callinfo", "getcallstate", "status", "notify", "uptime"]
    static let polyOperations: [[String]] = [
        ["dial"], ["hangup"], ["mute", "near"], ["preset", "near"], ["camera", "near"], ["wake"], ["sleep"],
        ["answer", "video"],
    ]

    /// Classifies a Poly legacy-API line: `<cmd> get` reads, known operations pass, any other
    /// setting command (`<cmd> <value>`, `systemsetting <name> <value>`, reboot, reset) is refused.
    public static func poly(_ raw: String) -> CommandVerdict {
        guard !raw.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }), raw.utf8.count <= 512 else {
            return .unknown("the command contains line ends or control characters (a second command could hide there)")
        }
        let words = raw.lowercased().split(separator: " ").map(String.init)
        guard let first = words.first else { return .unknown("empty command") }
        if polyReads.contains(first) && (first != "notify" || words.count == 1) {
            return .allowed(CanonicalCommand(text: raw.trimmingCharacters(in: .whitespaces), isCommand: false))
        }
        if words.count >= 2 && words.last == "get"
            || (first == "systemsetting" && words.count == 3 && words[1] == "get")
        {
            return .allowed(CanonicalCommand(text: words.joined(separator: " "), isCommand: false))
        }
        if polyOperations.contains(where: { operation in
            operation.count <= words.count && zip(operation, words).allSatisfy { $0 == $1 }
        }) && !(first == "sleep" && words.count > 1 && words[1] != "register") {
            return .allowed(CanonicalCommand(text: raw.trimmingCharacters(in: .whitespaces), isCommand: true))
        }
        if ["reboot", "resetsystem", "systemsetting"].contains(first) || words.count >= 2 {
            return .needsAuthorisation("`\(words.joined(separator: " "))` changes the codec")
        }
        return .unknown("\"\(first)\" is not a command the guard knows")
    }
}
