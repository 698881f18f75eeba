@_spi(Driver) import HNTTTransport

/// Unsolicited feedback between replies: the records of every block that ended (`** end`); at the
/// deadline, whatever complete blocks came (often none). Lines outside records are skipped.
struct XAPIFeedbackDecoder: StreamDecoder {
    private let splitter = TextLineSplitter()
    private var block: [XAPIRecord] = []
    private var done: [XAPIRecord] = []

    mutating func decode(_ buffer: inout [UInt8]) throws -> [XAPIRecord]? {
        while let line = try splitter.takeLine(from: &buffer) {
            let record = XAPIRecord.parse(line)
            switch record {
            case .status, .configuration, .event: block.append(record)
            case .blockEnd:
                done += block
                block.removeAll()
            default: break
            }
        }
        return done.isEmpty ? nil : done
    }

    mutating func decodeAtDeadline(_ buffer: inout [UInt8]) -> [XAPIRecord]? { done }

    /// `Name Key: value Key: "quoted value" …` as a dictionary (values unquoted).
    static func eventFields(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        var key: String?
        var value = ""
        var quoted = false
        func flush() {
            if let key { fields[key] = XAPIRecord.unquote(value.trimmingWhitespace()) }
            key = nil
            value = ""
        }
        for word in text.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
            if !quoted, word.hasSuffix(":"), !word.hasPrefix("\"") {
                flush()
                key = String(word.dropLast())
                continue
            }
            if key != nil {
                value += (value.isEmpty ? "" : " ") + word
                let quotes = word.filter { $0 == "\"" }.count
                if quotes % 2 == 1 { quoted.toggle() }
            }
        }
        flush()
        return fields
    }
}
