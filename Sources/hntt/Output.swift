import Foundation
import HNTTDocuments

/// Where output goes: with `--json` standard output carries exactly one JSON document and all
/// human text goes to standard error.
struct Output {
    let json: Bool

    /// Human text: standard output normally, standard error under `--json`.
    func say(_ text: String) {
        if json { FileHandle.standardError.write(Data((text + "\n").utf8)) } else { print(text) }
    }

    /// Progress and notes, always on standard error.
    func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// The result: JSON under `--json`, else the human text.
    func result(_ value: @autoclosure () -> JSONValue, human: @autoclosure () -> String) {
        if json { print(value().text) } else { print(human()) }
    }
}
