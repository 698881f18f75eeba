import CYaml
import HNTTTransport

/// One pass over libyaml's events before Yams builds a tree: aliases are refused (an alias bomb in
/// mapping keys grows tenfold per level inside Yams' duplicate check), and so is nesting deeper than
/// any hntt file needs. hntt's files never need anchors or aliases.
enum YAMLPreflight {
    static let maximumDepth = 32
    static let maximumEvents = 2_000_000

    static func check(_ text: String, name: String) throws {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(text.utf8)
        try bytes.withUnsafeMutableBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var depth = 0
            var events = 0
            while true {
                var event = yaml_event_t()
                // A syntax error is left to Yams, which describes it with its line.
                guard yaml_parser_parse(&parser, &event) == 1 else { return }
                defer { yaml_event_delete(&event) }
                let line = Int(event.start_mark.line) + 1
                events += 1
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return
                case YAML_ALIAS_EVENT:
                    throw HNTTError(
                        .badFile, "\(name):\(line): aliases (*name) are not accepted in hntt files",
                        fix: "write the value out where the alias stands, and remove its anchor (&name)")
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    depth += 1
                    if depth > maximumDepth {
                        throw HNTTError(
                            .badFile, "\(name):\(line): nested more than \(maximumDepth) levels deep",
                            fix: "check the indentation; hntt files need only a few levels")
                    }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    depth -= 1
                default:
                    break
                }
                if events > maximumEvents {
                    throw HNTTError(
                        .badFile, "\(name):\(line): more than \(maximumEvents) values", fix: "split the file")
                }
            }
        }
    }
}
