import Foundation
import HNTTDocuments
import HNTTTransport

/// Where output goes: with `--json` standard output carries exactly one JSON document and all
/// human text goes to standard error. Human text is for a terminal: a CR, an ESC or any other control
/// character that came from a device or a stored text is shown escaped, never obeyed.
struct Output {
    let json: Bool

    /// Human text: standard output normally, standard error under `--json`.
    func say(_ text: String) {
        if json {
            FileHandle.standardError.write(Data((Output.terminal(text) + "\n").utf8))
        } else {
            print(Output.terminal(text))
        }
    }

    /// Progress and notes, always on standard error.
    func note(_ text: String) {
        FileHandle.standardError.write(Data((Output.terminal(text) + "\n").utf8))
    }

    /// The result: JSON under `--json`, else the human text.
    func result(_ value: @autoclosure () -> JSONValue, human: @autoclosure () -> String) {
        if json { print(value().text) } else { print(Output.terminal(human())) }
    }

    /// Each line of `text` with its control characters escaped; the line ends stay.
    static func terminal(_ text: String) -> String {
        guard TextSafety.needsEscaping(text) else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { TextSafety.line(String($0)) }
            .joined(separator: "\n")
    }
}
