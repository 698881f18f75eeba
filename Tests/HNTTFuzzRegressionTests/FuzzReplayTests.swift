import Foundation
import HNTTFuzzTargets
import HNTTGovernance
import HNTTTransport
import Testing

let fuzzFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fuzz").path

func inputs(_ kind: String, _ target: String) -> [String] {
    let folder = "\(fuzzFolder)/\(kind)/\(target)"
    return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted().map { "\(folder)/\($0)" }
}

@Suite("Fuzz inputs replayed")
struct FuzzReplayTests {
    @Test("every target has a committed seed corpus", arguments: FuzzTarget.all.map(\.name))
    func corpusExists(target: String) {
        #expect(!inputs("corpus", target).isEmpty, "run `swift run hntt-fuzz seed .`")
    }

    /// A crash found by `scripts/fuzz` is copied to Tests/Fuzz/crashes/TARGET/ with its fix: it stays
    /// a regression test. A crash here stops the test process, so the failure cannot pass unseen.
    @Test("the corpus and every past crash run through their target", arguments: FuzzTarget.all.map(\.name))
    func replay(target name: String) async throws {
        let target = try #require(FuzzTarget.named(name))
        let files = inputs("corpus", name) + inputs("crashes", name)
        // Parsing is CPU work: on a thread of its own, not the cooperative pool the deadline tests need.
        try await onOwnThread {
            for file in files { target.run(Array(try Data(contentsOf: URL(fileURLWithPath: file)))) }
        }
        #expect(files.count >= 1)
    }

    @Test("the signed seeds verify with the corpus key, so mutations reach the signature check")
    func signedSeedsVerify() throws {
        let trust = [
            TrustedKey(
                name: "fuzz", publicKey: fuzzApprovalKey.publicKey.rawRepresentation.base64EncodedString(),
                addedAt: "")
        ]
        let baseline = try String(contentsOfFile: "\(fuzzFolder)/corpus/baseline/signed", encoding: .utf8)
        #expect(try BaselineDocument.load(text: baseline, name: "seed").verify(trusting: trust).name == "fuzz")
        let order = try String(contentsOfFile: "\(fuzzFolder)/corpus/change-order/signed", encoding: .utf8)
        #expect(try ChangeOrder.load(text: order, name: "seed").verify(trusting: trust).name == "fuzz")
    }
}
