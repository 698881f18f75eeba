import Crypto
import Foundation
import HNTTCore
import HNTTDocuments
import HNTTGateway
import HNTTGovernance
import HNTTHub
import HNTTService
import HNTTTransport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("The province's views on the hub: every room, session and incident, and the yearly report of all")
struct HubProvinceTests {
    static let password = "hub-viewer-pass-1"
    static let year = Calendar.current.component(.year, from: Date())

    /// Three gateways with sessions (official and test, measured or not), incidents (one left open, one
    /// fixed later, one with a hostile text) and a booking, all synced to one hub.
    static func province(_ hub: HubFixture) async throws -> [TestGateway] {
        try await hub.start()
        let gateways = try ["xa-dong", "xa-tay", "phuong-nam"].map(TestGateway.init)
        for (index, gateway) in gateways.enumerated() {
            try await gateway.join(hub)
            let logbook = try await gateway.gateway.logbook()
            for day in 0...index + 1 {
                let start = Calendar.current.date(from: DateComponents(year: year, month: 3, day: 2 + day, hour: 8))!
                var session = SessionContent(
                    sessionType: day % 2 == 0 ? .official : .test, procedure: "official-session",
                    organizer: "Văn phòng HĐND và UBND xã", chairSite: "UBND tỉnh", operatorName: "Lê Thị B",
                    unit: "Văn phòng HĐND và UBND xã", startedAt: timestamp(start),
                    endedAt: timestamp(start.addingTimeInterval(5400)), outcome: "done")
                if day > 0 {
                    session.lossPercent = String(format: "%.1f", Double(day) * 0.8)
                    session.jitterMs = "12"
                }
                try await logbook.append(room: "phong", kind: .session, payload: session.payload, at: start)
            }
            let fixed = try await gateway.gateway.addIncident(
                IncidentReport(room: "phong", what: "Mất tiếng \(gateway.id)", kind: .audio), by: gateway.technician)
            _ = try await gateway.gateway.fixIncident(
                fixed.id, fix: "Thay micro", at: nil, by: gateway.technician)
            _ = try await gateway.gateway.addIncident(
                IncidentReport(room: "phong", what: "<b>Mất hình</b> & \(gateway.id)", kind: .video),
                by: gateway.technician)
            let tomorrow = Date().addingTimeInterval(86400)
            _ = try await gateway.gateway.addBooking(
                BookingRequest(
                    room: "phong", start: localTimestamp(tomorrow),
                    end: localTimestamp(tomorrow.addingTimeInterval(3600)),
                    organizer: "Văn phòng HĐND và UBND xã", chair: "sip:tinh@hntt.thanhhoa.gov.vn"),
                by: gateway.technician)
            #expect(try await gateway.gateway.syncHub().allDelivered)
        }
        return gateways
    }

    @Test(
        "the aggregated report: each gateway's figures exactly as its own report, the total their sum",
        .enabled(if: TestPostgres.available))
    func aggregatedReport() async throws {
        let hub = try await HubFixture()
        let gateways = try await Self.province(hub)
        let now = Date()
        let province = try await ProvinceViews(database: hub.database).report(year: Self.year, now: now)
        #expect(province.units.map(\.gateway) == gateways.map(\.id).sorted())
        var own: [YearlyReport] = []
        for gateway in gateways {
            let report = try await gateway.gateway.yearlyReport(Self.year)
            own.append(report)
            let atHub = try #require(province.units.first { $0.gateway == gateway.id }?.report)
            #expect(atHub.json.text == report.json.text, "\(gateway.id): the hub's figures differ from its own")
        }
        let total = province.total
        #expect(total.totalSessions == own.map(\.totalSessions).reduce(0, +) && total.totalSessions == 9)
        #expect(total.incidents == own.map(\.incidents).reduce(0, +) && total.incidents == 6)
        #expect(total.incidentsFixed == own.map(\.incidentsFixed).reduce(0, +) && total.incidentsFixed == 3)
        #expect(total.measuredSessions == own.map(\.measuredSessions).reduce(0, +))
        #expect(total.assessment.officialSessions == own.map(\.assessment.officialSessions).reduce(0, +))
        #expect(
            total.assessment.goodQualitySessions == own.map(\.assessment.goodQualitySessions).reduce(0, +))
        #expect(abs(total.totalHours - own.map(\.totalHours).reduce(0, +)) < 0.001)
        for gateway in gateways { gateway.remove() }
        await hub.close()
    }

    @Test(
        "the pages and their JSON: every gateway, room, session and open incident; an account is needed",
        .enabled(if: TestPostgres.available))
    func pages() async throws {
        let hub = try await HubFixture()
        let gateways = try await Self.province(hub)
        try await HubAccounts(database: hub.database).add(
            "so-xem", role: .viewer, password: SecretText(Self.password))
        await #expect(throws: HNTTError.self) {
            try await HubAccounts(database: hub.database).add(
                "kt", role: .technician, password: SecretText(Self.password))
        }
        let app = Application(router: try await HubServer(database: hub.database).router())
        try await app.test(.router) { client in
            func get(_ uri: String, as user: String? = "so-xem", password: String = Self.password) async throws
                -> (HTTPResponse.Status, HTTPFields, String)
            {
                var headers = HTTPFields()
                if let user {
                    headers[.authorization] = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
                }
                let response = try await client.execute(uri: uri, method: .get, headers: headers, body: nil)
                return (response.status, response.headers, String(buffer: response.body))
            }
            let anonymous = try await get("/", as: nil)
            #expect(anonymous.0 == .unauthorized && anonymous.1[.wwwAuthenticate]?.hasPrefix("Basic") == true)
            #expect(try await get("/hub/v1/rooms", password: "wrong-password-1").0 == .unauthorized)

            let dashboard = try await get("/")
            #expect(dashboard.0 == .ok)
            #expect(dashboard.1[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
            #expect(dashboard.1[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            for gateway in gateways {
                #expect(dashboard.2.contains("id=\"gateway-\(gateway.id)\""), "\(gateway.id) on the dashboard")
                #expect(dashboard.2.contains("&lt;b&gt;Mất hình&lt;/b&gt; &amp; \(gateway.id)"), "escaped, open")
                #expect(!dashboard.2.contains("Mất tiếng \(gateway.id)"), "a fixed incident is not open")
            }
            #expect(!dashboard.2.contains("<b>Mất hình"))
            #expect(dashboard.2.contains("Mọi chuỗi nhật ký toàn vẹn"))

            let rooms = try await get("/hub/v1/rooms")
            let list = try #require(
                (try JSONSerialization.jsonObject(with: Data(rooms.2.utf8)) as? [String: Any])?["rooms"]
                    as? [[String: Any]])
            #expect(list.count == 3 && list.allSatisfy { $0["room"] as? String == "phong" })
            #expect(list.map { $0["sessions"] as? Int } == [4, 2, 3], "phuong-nam, xa-dong, xa-tay")
            #expect(list.allSatisfy { $0["open_incidents"] as? Int == 1 && $0["incidents"] as? Int == 2 })
            #expect(try await get("/rooms").2.contains("phuong-nam"))

            let month = String(format: "%04d-03", Self.year)
            let byDay = try await get("/activity?by=day&period=\(month)")
            #expect(byDay.2.contains("<strong id=\"sessions-total\">9</strong>"), "\(byDay.2)")
            #expect(byDay.2.contains("\(month)-02"))
            let activity = try await get("/hub/v1/activity?by=month&period=\(Self.year)")
            #expect(activity.2.contains("\"period\":\"\(month)\"") && activity.2.contains("\"official_sessions\""))
            #expect(try await get("/hub/v1/activity?by=week").0 == .badRequest)

            let incidents = try await get("/hub/v1/incidents")
            #expect(incidents.2.components(separatedBy: "\"what\"").count - 1 == 3)
            let report = try await get("/report?year=\(Self.year)")
            #expect(report.2.contains("<th>Toàn tỉnh</th><th>9</th>"), "\(report.2)")
            let json = try await get("/hub/v1/report?year=\(Self.year)")
            #expect(json.2.contains("\"total\"") && json.2.contains("\"gateway\": \"xa-tay\""))

            // Publishing: approvers only, JSON only, signed documents only.
            func post(_ body: String, as user: String, type: String = "application/json") async throws
                -> (HTTPResponse.Status, String)
            {
                var headers = HTTPFields()
                headers[.authorization] = "Basic " + Data("\(user):\(Self.password)".utf8).base64EncodedString()
                headers[.contentType] = type
                let response = try await client.execute(
                    uri: "/hub/v1/gateways/xa-dong/publications", method: .post, headers: headers,
                    body: ByteBuffer(string: body))
                return (response.status, String(buffer: response.body))
            }
            try await HubAccounts(database: hub.database).add(
                "so-duyet", role: .approver, password: SecretText(Self.password))
            let key = Curve25519.Signing.PrivateKey()
            var baseline = BaselineDocument(
                devices: [
                    .init(
                        device: "phong-codec", profile: "cisco-roomos",
                        settings: [.init(key: "SIP DisplayName", value: "Xã")])
                ])
            let unsigned = try JSONSerialization.data(withJSONObject: ["document": baseline.yaml()])
            try baseline.sign(with: key, signer: "Nguyễn Văn A", reference: "12/QĐ-SKHCN")
            let signed = String(
                decoding: try JSONSerialization.data(withJSONObject: ["document": baseline.yaml()]), as: UTF8.self)
            #expect(try await post(signed, as: "so-xem").0 == .forbidden, "a viewer may not publish")
            #expect(try await post(signed, as: "so-duyet", type: "application/x-www-form-urlencoded").0 == .badRequest)
            let refused = try await post(String(decoding: unsigned, as: UTF8.self), as: "so-duyet")
            #expect(refused.0 == .badRequest && refused.1.contains("not signed"), "\(refused)")
            let published = try await post(signed, as: "so-duyet")
            #expect(published.0 == .ok && published.1.contains("\"publication\""), "\(published)")
            #expect(try await hub.count("SELECT count(*) FROM publication WHERE gateway = 'xa-dong'") == 1)
        }
        for gateway in gateways { gateway.remove() }
        await hub.close()
    }
}
