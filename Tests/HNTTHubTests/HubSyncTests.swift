import Crypto
import Foundation
import GRDB
import HNTTCore
import HNTTGateway
import HNTTGovernance
import HNTTHub
import Testing

@Suite("The province hub on PostgreSQL: gateways push signed, chained segments", .enabled(if: TestPostgres.available))
struct HubSyncTests {
    @Test("three gateways and a hub outage: nothing is lost, everything arrives exactly once")
    func outage() async throws {
        let hub = try await HubFixture()
        try await hub.start()
        let gateways = try ["xa-a", "xa-b", "phuong-c"].map(TestGateway.init)
        for gateway in gateways {
            try await gateway.join(hub)
            try await gateway.write(3, "Mất kết nối \(gateway.id)")
            let outcome = try await gateway.gateway.syncHub()
            #expect(outcome.allDelivered && outcome.sent > 3, "\(gateway.id): \(outcome)")
        }

        await hub.stop()
        for gateway in gateways { try await gateway.write(2, "Trong lúc hub dừng") }
        for gateway in gateways {
            let down = await #expect(throws: HNTTError.self) { _ = try await gateway.gateway.syncHub() }
            #expect(down?.exitCode == 5 && down?.fix?.contains("nothing is lost") == true)
        }

        try await hub.start()
        for gateway in gateways {
            let outcome = try await gateway.gateway.syncHub()
            #expect(outcome.allDelivered && outcome.duplicates == 0, "\(gateway.id): \(outcome)")
            let held = try await hub.count("SELECT count(*) FROM logbook_entry WHERE gateway = '\(gateway.id)'")
            #expect(held == Int64(try await gateway.logbookCount()) && held == 5, "\(gateway.id): \(held)")
        }

        // The same segment again (a reply lost on the way): stored once.
        let first = gateways[0]
        let database = try await first.gateway.openDatabase()
        let entries = try await Outbox(database: database).pending(after: 0, limit: 100)
        let key = try GatewayKey.load(first.gateway.data)
        let receipt = try await hub.ledger.ingest(Segment(gateway: first.id, entries: entries).signed(with: key))
        #expect(receipt.accepted == 0 && receipt.duplicates == entries.count)
        #expect(try await hub.count("SELECT count(*) FROM outbox_entry WHERE gateway = 'xa-a'") == Int64(entries.count))
        let status = try await hub.ledger.gateways()
        #expect(status.map(\.id) == ["phuong-c", "xa-a", "xa-b"] && status.allSatisfy { $0.chainProblem == nil })
        for gateway in gateways { gateway.remove() }
        await hub.close()
    }

    @Test("an entry edited in one gateway's SQLite is refused at the hub and named there; the others are unharmed")
    func tampering() async throws {
        let hub = try await HubFixture()
        try await hub.start()
        let honest = try TestGateway("xa-thanh")
        let edited = try TestGateway("xa-sua")
        for gateway in [honest, edited] {
            try await gateway.join(hub)
            try await gateway.write(2, "Micro rè")
            _ = try await gateway.gateway.syncHub()
        }
        try await edited.write(1, "Mất hình")
        let last = try #require(try await edited.gateway.logEntries(room: nil).last)
        let file = edited.directory.appendingPathComponent("data/\(GovernanceDatabase.fileName)").path
        try await DatabaseQueue(path: file).write { db in
            try db.execute(
                sql: "UPDATE logbook SET payload = replace(payload, 'Mất hình', 'Bình thường') WHERE id = ?",
                arguments: [last.id])
        }
        let refused = await #expect(throws: HNTTError.self) { _ = try await edited.gateway.syncHub() }
        #expect(refused?.exitCode == 4)
        #expect(
            refused?.message.contains("logbook chain broken at entry \(last.id)") == true, "\(refused?.message ?? "")")
        let status = try await hub.ledger.gateways()
        #expect(status.first { $0.id == "xa-sua" }?.chainProblem?.contains("entry \(last.id)") == true)
        #expect(status.first { $0.id == "xa-thanh" }?.chainProblem == nil)
        let dashboard = try await hub.page("/")
        #expect(dashboard.contains("Chuỗi bị phá vỡ: logbook chain broken at entry \(last.id)"), "named on the page")
        #expect(dashboard.contains("1 trạm có chuỗi nhật ký bị phá vỡ"))
        #expect(try await hub.count("SELECT count(*) FROM logbook_entry WHERE gateway = 'xa-sua'") == 2)
        try await honest.write(1, "Sau đó")
        #expect(try await honest.gateway.syncHub().allDelivered, "the other gateway still syncs")
        honest.remove()
        edited.remove()
        await hub.close()
    }

    @Test("the service's loop pushes as records are written, backs off while the hub is down, resumes after")
    func serviceLoop() async throws {
        let hub = try await HubFixture()
        try await hub.start()
        let gateway = try TestGateway("xa-dich-vu")
        try await gateway.join(hub)
        let loop = HubSyncLoop(gateway: gateway.gateway, every: .milliseconds(200))
        await loop.start()
        try await gateway.write(2, "Đang họp")
        let sql = "SELECT count(*) FROM logbook_entry WHERE gateway = 'xa-dich-vu'"
        #expect(try await eventually(10) { try await hub.count(sql) == 2 })
        await hub.stop()
        try await gateway.write(1, "Hub dừng")
        #expect(try await eventually(10) { if case .failure? = await loop.last { true } else { false } })
        try await hub.start()
        await loop.syncSoon()
        #expect(try await eventually(10) { try await hub.count(sql) == 3 })
        await loop.stop()
        gateway.remove()
        await hub.close()
    }

    @Test("a baseline published on the hub is applied on its gateway only, and refused where its key is not trusted")
    func baselinesFromTheHub() async throws {
        let hub = try await HubFixture()
        try await hub.start()
        let authority = Curve25519.Signing.PrivateKey()
        let trusting = try TestGateway("xa-tin")
        let other = try TestGateway("xa-khac")
        let doubting = try TestGateway("xa-nghi")
        for gateway in [trusting, other, doubting] { try await gateway.join(hub) }
        for gateway in [trusting, other] {
            try await TrustStore(database: gateway.gateway.openDatabase())
                .add(name: "Sở KH&CN", publicKey: authority.publicKey.rawRepresentation.base64EncodedString())
        }
        var document = BaselineDocument(
            devices: [
                .init(
                    device: "phong-codec", profile: "cisco-roomos",
                    settings: [.init(key: "SIP DisplayName", value: "Xã")])
            ])
        try document.sign(with: authority, signer: "Nguyễn Văn A", reference: "12/QĐ-SKHCN")
        for gateway in [trusting, doubting] {
            _ = try await hub.ledger.publish(document.yaml(), for: gateway.id)
        }

        let applied = try await trusting.gateway.syncHub()
        #expect(applied.pulled.count == 1 && applied.pulled[0].applied == ["phong-codec v1"], "\(applied.pulled)")
        let store = { (gateway: TestGateway) in BaselineStore(database: try await gateway.gateway.openDatabase()) }
        #expect(try await store(trusting).current(device: "phong-codec")?.reference == "12/QĐ-SKHCN")
        #expect(try await other.gateway.syncHub().pulled.isEmpty, "published for another gateway: not pulled here")
        #expect(try await store(other).current(device: "phong-codec") == nil)
        let refused = try await doubting.gateway.syncHub()
        #expect(refused.pulled.count == 1 && refused.pulled[0].refused != nil && refused.pulled[0].applied.isEmpty)
        #expect(try await store(doubting).current(device: "phong-codec") == nil, "its own trust store decides")
        #expect(try await doubting.gateway.syncHub().pulled.isEmpty, "taken once, refusal audited")
        let audit = try await doubting.gateway.auditEntries(device: "*", limit: 50)
        #expect(
            audit.contains { $0.action == "baseline import" && $0.outcome == "refused" }, "an untrusted key: exit 3")
        for gateway in [trusting, other, doubting] { gateway.remove() }
        await hub.close()
    }

    @Test("a change order from the hub is verified by the gateway and kept for its technician; no device is touched")
    func ordersFromTheHub() async throws {
        let hub = try await HubFixture()
        try await hub.start()
        let authority = Curve25519.Signing.PrivateKey()
        let trusting = try TestGateway("xa-lenh")
        let doubting = try TestGateway("xa-ngo")
        for gateway in [trusting, doubting] { try await gateway.join(hub) }
        try await TrustStore(database: trusting.gateway.openDatabase())
            .add(name: "Sở KH&CN", publicKey: authority.publicKey.rawRepresentation.base64EncodedString())
        var order = ChangeOrder(
            id: "lenh-07/2026", reason: "Đổi tên hiển thị",
            devices: [.init(device: "phong-codec", changes: [.init(key: "SIP DisplayName", value: "Xã mới")])])
        let unsigned = await #expect(throws: HNTTError.self) {
            _ = try await hub.ledger.publish(order.yaml(), for: "xa-lenh")
        }
        #expect(unsigned?.message.contains("not signed") == true)
        try order.sign(with: authority, signer: "Nguyễn Văn A", reference: "07/QĐ-SKHCN", validUntil: nil)
        for gateway in [trusting, doubting] { _ = try await hub.ledger.publish(order.yaml(), for: gateway.id) }

        let kept = try await trusting.gateway.syncHub()
        let file = trusting.gateway.receivedOrdersFolder + "/lenh-07-2026.yaml"
        #expect(kept.pulled.count == 1 && kept.pulled[0].applied == ["order kept in \(file)"], "\(kept.pulled)")
        #expect(try ChangeOrder.load(path: file) == order, "the file is the signed order, ready for `change apply`")
        let refused = try await doubting.gateway.syncHub()
        #expect(refused.pulled.first?.refused != nil && refused.pulled.first?.applied.isEmpty == true)
        #expect(!FileManager.default.fileExists(atPath: doubting.gateway.receivedOrdersFolder + "/lenh-07-2026.yaml"))
        let audit = try await trusting.gateway.auditEntries(device: nil, limit: 50)
        #expect(audit.contains { $0.action == "order receive" && $0.outcome == "done" })
        #expect(!audit.contains { $0.action == "change apply" }, "receiving applies nothing")
        for gateway in [trusting, doubting] { gateway.remove() }
        await hub.close()
    }

    /// Polls `condition` until it holds or `seconds` pass.
    func eventually(_ seconds: Double, _ condition: () async throws -> Bool) async throws -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }

    @Test("only an enrolled gateway with its own key: a wrong secret, a second key, a foreign signature, a gap")
    func trust() async throws {
        let hub = try await HubFixture()
        try await hub.start()
        let gateway = try TestGateway("xa-moi")
        let enrolment = try await hub.ledger.enrol(gateway: "xa-moi", hubURL: hub.url)
        let forged = Enrolment(hub: hub.url, gateway: "xa-moi", secret: "not-the-secret")
        let wrong = await #expect(throws: HNTTError.self) {
            _ = try await gateway.gateway.joinHub(forged, by: gateway.technician)
        }
        #expect(wrong?.message.contains("does not match") == true)
        let stranger = Enrolment(hub: hub.url, gateway: "xa-la", secret: enrolment.secret)
        let unknown = await #expect(throws: HNTTError.self) {
            _ = try await gateway.gateway.joinHub(stranger, by: gateway.technician)
        }
        #expect(unknown?.message.contains("not enrolled") == true)
        _ = try await gateway.gateway.joinHub(enrolment, by: gateway.technician)
        await #expect(throws: HubRefusal.notTrusted("gateway xa-moi has joined with another key")) {
            try await hub.ledger.join(
                JoinRequest(
                    gateway: "xa-moi", secret: enrolment.secret,
                    publicKey: Curve25519.Signing.PrivateKey().publicKey.rawRepresentation.base64EncodedString()))
        }
        try await gateway.write(1, "Sự cố")
        _ = try await gateway.gateway.syncHub()
        let entries = try await Outbox(database: gateway.gateway.openDatabase()).pending(after: 0, limit: 100)
        let foreign = try Segment(gateway: "xa-moi", entries: entries).signed(with: Curve25519.Signing.PrivateKey())
        await #expect(throws: HubRefusal.self) { _ = try await hub.ledger.ingest(foreign) }
        let key = try GatewayKey.load(gateway.gateway.data)
        let later = OutboxEntry(
            sequence: Int64(entries.count + 5), kind: "audit", body: "{}", previousHash: HashChain.genesis, hash: "x")
        await #expect(throws: HubRefusal.gap(expected: Int64(entries.count + 1), got: Int64(entries.count + 5))) {
            _ = try await hub.ledger.ingest(try Segment(gateway: "xa-moi", entries: [later]).signed(with: key))
        }
        gateway.remove()
        await hub.close()
    }
}
