import Foundation
import HNTTGateway
import HNTTHub
import HNTTTransport

extension GatewayRecord {
    /// `{"gateway","joined","last_sequence","last_sync","chain","logbook_entries"}`; `chain` is `ok` or the break.
    public var json: JSONValue {
        .object([
            ("gateway", .string(id)), ("joined", .bool(joined)), ("last_sequence", .number(Int(lastSequence))),
            ("last_sync", lastSyncAt.map { .string(localTimestamp($0)) } ?? .null),
            ("chain", .string(chainProblem ?? "ok")), ("logbook_entries", .number(Int(logbookEntries))),
        ])
    }

    public var line: String {
        TextSafety.line(
            "\(id)  \(joined ? "joined" : "enrolled, not joined")  entry \(lastSequence)"
                + "  last sync \(lastSyncAt.map(localTimestamp) ?? "never")  \(chainProblem ?? "chain ok")")
    }
}

extension SyncOutcome {
    /// `{"sent","duplicates","delivered","written","pulled":[{"publication","applied","refused"?}]}`.
    public var json: JSONValue {
        .object([
            ("sent", .number(sent)), ("duplicates", .number(duplicates)), ("delivered", .number(Int(delivered))),
            ("written", .number(Int(written))),
            (
                "pulled",
                .array(
                    pulled.map {
                        var fields: [(String, JSONValue)] = [
                            ("publication", .number(Int($0.publication))), ("applied", stringsJSON($0.applied)),
                        ]
                        if let refused = $0.refused { fields.append(("refused", .string(refused))) }
                        return .object(fields)
                    })
            ),
        ])
    }
}
