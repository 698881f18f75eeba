import Foundation
import GRDB
import HNTTCore
import HNTTGateway
import HNTTSimulator
import HNTTTestSupport
import HNTTTransport
import Testing

@testable import HNTTGovernance

extension GatewaySite {
    /// Makes the Sở's key pair, trusts it, and imports a signed baseline of the device's live configuration.
    func approveBaseline(of device: String) async throws -> String {
        let authority = directory.appendingPathComponent("authority").path
        let publicKey = try ApprovalKeys.createPair(in: authority)
        let database = try await gateway.openDatabase()
        try await TrustStore(database: database).add(name: "Sở KH&CN", publicKey: publicKey)
        var document = try await gateway.draftBaseline([device], fromSnapshot: nil)
        try document.sign(
            with: try ApprovalKeys.loadPrivate(authority + "/" + ApprovalKeys.privateFileName),
            signer: "Nguyễn Văn A", reference: "12/QĐ-SKHCN")
        let file = directory.appendingPathComponent("baseline.yaml").path
        try document.yaml().write(toFile: file, atomically: true, encoding: .utf8)
        _ = try await gateway.importBaseline(file: file, by: Caller(operatorName: "test"))
        return authority
    }
}

@Suite("The Gateway's guard: remediation trusts only what the Sở signed")
struct GatewayGuardTests {
    let approver = Caller(operatorName: "Trần Văn C", osUser: "kythuat")

    @Test("drift is put back from the verified baseline, and the remediation is audited")
    func remediationPutsBack() async throws {
        let site = try await GatewaySite.make()
        _ = try await site.approveBaseline(of: "xa-cisco")
        site.cisco.store.update { $0.setSetting("SIP DisplayName", "Changed on the touch panel") }
        let reports = try await site.gateway.drift([site.gateway.device("xa-cisco")], parallel: 1)
        #expect(reports.first?.status == .drift)
        let outcomes = try await site.gateway.remediate(reports, by: approver)
        #expect(outcomes.first?.putBack == ["SIP DisplayName"] && outcomes.first?.settled == true)
        #expect(site.cisco.store.snapshot.setting("SIP DisplayName") != "Changed on the touch panel")
        #expect(try await site.auditTrail().last.map { "\($0.action) \($0.outcome)" } == "remediate done")
        await site.stop()
    }

    @Test("a baseline row edited in hntt.sqlite is refused (exit 3) and nothing is written to the codec")
    func editedRowRefused() async throws {
        let site = try await GatewaySite.make()
        _ = try await site.approveBaseline(of: "xa-cisco")
        let database = try await site.gateway.openDatabase()
        try await database.writer.write { db in
            try db.execute(
                sql: "UPDATE baseline SET settings = replace(settings, ?, ?)",
                arguments: [site.cisco.store.snapshot.setting("SIP DisplayName") ?? "", "Attacker"])
        }
        site.cisco.store.update { $0.setSetting("SIP DisplayName", "Changed on the touch panel") }
        let reports = try await site.gateway.drift([site.gateway.device("xa-cisco")], parallel: 1)
        let outcome = try #require(try await site.gateway.remediate(reports, by: approver).first)
        #expect(outcome.error?.exitCode == 3)
        #expect(outcome.error?.message.contains("differ from the signed document") == true)
        #expect(site.cisco.store.snapshot.setting("SIP DisplayName") == "Changed on the touch panel")
        #expect(!site.cisco.store.snapshot.commandLog.contains { $0.contains("Attacker") })
        await site.stop()
    }
}
