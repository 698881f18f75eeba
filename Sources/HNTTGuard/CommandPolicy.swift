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

    /// The xCommands an operator may run without authorisation (docs/protocols/cisco-xapi.md §4.2), full words.
    /// The profile operation each allow-listed xCommand needs (`operations:` in the profile).
    static func ciscoOperationName(_ words: [String]) -> String {
        switch words.first {
        case "Dial": return "dial"
        case "Call": return words.count > 1 && ["Accept", "Reject"].contains(words[1]) ? "dial" : "hangup"
        case "Audio": return words.count > 1 && words[1] == "Volume" ? "volume" : "mute"
        case "Camera": return words.count > 1 && words[1] == "Preset" ? "preset" : "camera"
        case "Standby": return words.count > 1 && words[1] == "Activate" ? "sleep" : "wake"
        case "Presentation", "Video": return "presentation"
        default: return "diagnostics"
        }
    }

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
    public static func cisco(_ raw: String, operations: Set<String>? = nil) -> CommandVerdict {
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
            if let operations, !operations.contains(ciscoOperationName(operation)) {
                return .unknown(
                    "`xCommand \(operation.joined(separator: " "))` is the operation \(ciscoOperationName(operation)), which this device's profile does not allow"
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

    /// Poly commands an operator may run (docs/protocols/poly-and-others.md §2): reads, and room operations in
    /// their exact forms, each under the profile operation that allows it.
    static let polyReads: Set<String> = ["whoami", "version", "callinfo", "getcallstate", "status", "notify", "uptime"]

    /// One word of an operation's form.
    enum Word: Sendable {
        case literal(String)
        case oneOf(Set<String>)
        case number(ClosedRange<Int>)
        /// A dial string or name: quoted, or one bare word.
        case text
    }

    /// The exact forms of the Poly room operations (IRM-GS), by the profile operation they need.
    static let polyForms: [(operation: String, words: [Word])] = [
        ("dial", [.literal("dial"), .literal("manual"), .number(56...6144), .text]),
        ("dial", [.literal("dial"), .literal("manual"), .number(56...6144), .text, .oneOf(["sip", "h323", "ip"])]),
        ("dial", [.literal("dial"), .literal("addressbook"), .text]),
        ("dial", [.literal("answer"), .literal("video")]),
        ("hangup", [.literal("hangup"), .oneOf(["all", "video"])]),
        ("hangup", [.literal("hangup"), .literal("video"), .number(0...9999)]),
        ("mute", [.literal("mute"), .literal("near"), .oneOf(["on", "off", "toggle"])]),
        ("preset", [.literal("preset"), .literal("near"), .oneOf(["go", "set"]), .number(0...99)]),
        ("preset", [.literal("camera"), .literal("near"), .number(1...4)]),
        ("wake", [.literal("wake")]),
        ("sleep", [.literal("sleep")]),
    ]

    /// Words, a double-quoted string kept as one word with its quotes.
    static func polyWords(_ raw: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quoted = false
        for character in raw {
            if character == "\"" { quoted.toggle() }
            if character == " " && !quoted {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    static func matches(_ words: [String], _ form: [Word]) -> Bool {
        guard words.count == form.count else { return false }
        return zip(words, form).allSatisfy { word, expected in
            switch expected {
            case .literal(let text): return word.lowercased() == text
            case .oneOf(let options): return options.contains(word.lowercased())
            case .number(let range): return Int(word).map(range.contains) ?? false
            case .text:
                let inner =
                    word.hasPrefix("\"") && word.hasSuffix("\"") && word.count >= 2
                    ? String(word.dropFirst().dropLast()) : word
                return !inner.isEmpty && !inner.contains("\"") && inner.count <= 255
            }
        }
    }

    /// Classifies a Poly legacy-API line: `<cmd> get` reads, room operations in their exact
    /// forms when the profile's `operations:` allows them, any other setting command
    /// (`<cmd> <value>`, `systemsetting <name> <value>`, reboot, reset) is refused.
    public static func poly(_ raw: String, operations: Set<String>? = nil) -> CommandVerdict {
        guard !raw.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }), raw.utf8.count <= 512 else {
            return .unknown("the command contains line ends or control characters (a second command could hide there)")
        }
        let words = polyWords(raw.trimmingCharacters(in: .whitespaces))
        let lower = words.map { $0.lowercased() }
        guard let first = lower.first else { return .unknown("empty command") }
        if polyReads.contains(first) && (first != "notify" || words.count == 1) && words.count <= 2 {
            return .allowed(CanonicalCommand(text: lower.joined(separator: " "), isCommand: false))
        }
        if words.count == 2 && lower[1] == "get" || (first == "systemsetting" && words.count == 3 && lower[1] == "get")
        {
            return .allowed(CanonicalCommand(text: lower.joined(separator: " "), isCommand: false))
        }
        if let form = polyForms.first(where: { matches(words, $0.words) }) {
            guard operations?.contains(form.operation) ?? true else {
                return .unknown(
                    "`\(first)` is the operation \(form.operation), which this device's profile does not allow")
            }
            let canonical = zip(words, form.words).map { word, kind -> String in
                if case .text = kind { return word }
                return word.lowercased()
            }
            return .allowed(CanonicalCommand(text: canonical.joined(separator: " "), isCommand: true))
        }
        if ["reboot", "resetsystem", "systemsetting"].contains(first) || words.count >= 2 {
            // Only the command and the setting's name: the value may be a secret.
            return .needsAuthorisation(
                "`\(lower.prefix(2).joined(separator: " "))` changes the codec or is not an operation in its exact form"
            )
        }
        return .unknown("\"\(first)\" is not a command the guard knows")
    }
}
