import Foundation
import HNTTCore
import HNTTGateway
import HNTTTestSupport
import HNTTTransport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore

@testable import HNTTService

/// A simulated site of two rooms of two units behind the service, with one account per role:
/// `kythuat` (technician of the room `xa`), `kythuat-phuong` (technician of `phuong`), `pheduyet`
/// (approver), `xem` (viewer), `quantri` (admin); every password is ``ServiceFixture/password``.
final class ServiceFixture: Sendable {
    static let password = "service-test-pass-1"
    let site: GatewaySite
    let state: ServiceState

    /// `withBridge`: the site's Cisco Meeting Server `cms` in a room `tinh` of the unit of `xa`.
    static func make(sessionLifetime: TimeInterval = 3600, withBridge: Bool = false) async throws -> ServiceFixture {
        let site = try await GatewaySite.make(secondRoom: true, keepingConnections: true, withBridge: withBridge)
        var options = ServiceOptions()
        options.refreshEvery = 3600
        options.sessionLifetime = sessionLifetime
        let state = try await ServiceState(gateway: site.gateway, options: options)
        let admin = Caller(operatorName: "setup")
        let accounts: [(String, Role, String?)] = [
            ("kythuat", .technician, "Văn phòng HĐND và UBND xã"),
            ("kythuat-phuong", .technician, "Văn phòng Đảng ủy phường"), ("pheduyet", .approver, nil),
            ("xem", .viewer, nil), ("quantri", .admin, nil),
        ]
        for (name, role, unit) in accounts {
            _ = try await site.gateway.addUser(
                name, role: role, unit: unit, password: SecretText(password), by: admin)
        }
        return ServiceFixture(site: site, state: state)
    }

    private init(site: GatewaySite, state: ServiceState) {
        self.site = site
        self.state = state
    }

    func stop() async {
        await state.stop()
        await site.stop()
    }

    /// Runs `body` against the service's router in-process.
    func test<T: Sendable>(_ body: @Sendable (HTTPClient) async throws -> T) async throws -> T {
        let app = Application(router: state.router())
        return try await app.test(.router) { client in try await body(HTTPClient(client: client)) }
    }
}

/// A few words over HummingbirdTesting's client.
struct HTTPClient: Sendable {
    let client: any TestClientProtocol

    struct Reply {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let text: String

        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        }
    }

    func call(
        _ method: HTTPRequest.Method, _ uri: String, token: String? = nil, cookie: String? = nil, body: String? = nil,
        contentType: String = "application/json", headers extra: HTTPFields = [:]
    ) async throws -> Reply {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if let cookie { headers[.cookie] = cookie }
        if body != nil { headers[.contentType] = contentType }
        let response = try await client.execute(
            uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        return Reply(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }

    func logIn(_ name: String, password: String = ServiceFixture.password) async throws -> String {
        let reply = try await call(.post, "/api/v1/login", body: #"{"username":"\#(name)","password":"\#(password)"}"#)
        guard let token = reply.json["token"] as? String else {
            throw HNTTError(.badInput, "login of \(name) failed: \(reply.status) \(reply.text)")
        }
        return token
    }

    /// Polls a run until it ends; gives up after 30 s.
    func waitForRun(_ id: String, token: String) async throws -> [String: Any] {
        let end = Date().addingTimeInterval(30)
        while Date() < end {
            let run = try await call(.get, "/api/v1/runs/\(id)", token: token).json
            if run["status"] as? String != "running" { return run }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        throw HNTTError(.timeout, "run \(id) did not end within 30 s")
    }
}
