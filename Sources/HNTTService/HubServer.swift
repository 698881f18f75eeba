import Foundation
import HNTTCore
import HNTTGovernance
import HNTTHub
import Hummingbird
import NIOCore

/// `hntt hub serve`: the hub's HTTP interface (Hummingbird 2), a thin shell over ``HubLedger``,
/// ``ProvinceViews`` and ``HubAccounts``. Gateways prove who they are by the signature on each segment, so
/// the gateway routes need no login; the province's pages and JSON need an account (HTTP Basic).
public struct HubServer: Sendable {
    public let ledger: HubLedger
    let views: ProvinceViews
    let accounts: HubAccounts
    let pages: Pages
    let throttle = LoginThrottle()

    public init(database: HubDatabase) async throws {
        ledger = HubLedger(database: database)
        views = ProvinceViews(database: database)
        accounts = HubAccounts(database: database)
        pages = try await Pages(insecure: false)
    }

    public func router() -> Router<ServiceContext> {
        let router = Router(context: ServiceContext.self)
        router.add(middleware: SecurityHeaders())
        let ledger = self.ledger
        router.get("/healthz") { _, _ in HubServer.json(#"{"status":"ok"}"#) }
        router.post("/hub/v1/enrol") { request, _ in
            try await HubServer.answer {
                try await ledger.join(try await HubServer.decode(JoinRequest.self, request))
                return HubServer.json(#"{"joined":true}"#)
            }
        }
        router.post("/hub/v1/segments") { request, _ in
            try await HubServer.answer {
                let receipt = try await ledger.ingest(try await HubServer.decode(Segment.self, request))
                return HubServer.json(String(decoding: try JSONEncoder().encode(receipt), as: UTF8.self))
            }
        }
        router.post("/hub/v1/publications") { request, _ in
            try await HubServer.answer {
                let found = try await ledger.publications(try await HubServer.decode(PullRequest.self, request))
                return HubServer.json(String(decoding: try JSONEncoder().encode(found), as: UTF8.self))
            }
        }
        provinceRoutes(router)
        return router
    }

    static func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        let buffer = try await request.body.collect(upTo: 64 << 20)
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: buffer))
        } catch {
            throw HubRefusal.malformed("the body is not the JSON expected")
        }
    }

    /// Refusals and failures as `{"error":{"code","message"}}` with their status.
    static func answer(_ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch {
            return response(for: error)
        }
    }

    /// The status of a failure: one table for the gateway routes and the province's.
    static func status(of error: any Error) -> (HTTPResponse.Status, String) {
        switch error {
        case let refusal as HubRefusal:
            switch refusal {
            case .notTrusted: return (.forbidden, "not-trusted")
            case .gap: return (.conflict, "gap")
            case .broken: return (.unprocessableContent, "chain-broken")
            case .malformed: return (.badRequest, "malformed")
            }
        case let error as HNTTError:
            switch error.category {
            case .badInput, .badFile: return (.badRequest, error.category.rawValue)
            case .forbidden: return (.forbidden, error.category.rawValue)
            default: return (.serviceUnavailable, error.category.rawValue)
            }
        default: return (.internalServerError, "internal")
        }
    }

    static func response(for error: any Error) -> Response {
        let (status, code) = self.status(of: error)
        let message =
            switch error {
            case let refusal as HubRefusal: refusal.message
            case let error as HNTTError: error.message
            default: "the hub failed: \(error)"
            }
        return HubServer.error(code, message, status: status)
    }

    static func error(_ code: String, _ message: String, status: HTTPResponse.Status) -> Response {
        let object = ["error": ["code": code, "message": message]]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return json(String(decoding: data, as: UTF8.self), status: status)
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// The hub's HTTP application on `host:port`; `ready` gets its URL once it listens. `run()` serves until the
/// task is cancelled; `runService()` until SIGTERM or SIGINT.
public func hubApplication(
    database: HubDatabase, host: String, port: Int, ready: @escaping @Sendable (String) -> Void
) async throws -> some ApplicationProtocol {
    Application(
        router: try await HubServer(database: database).router(),
        configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "hntt-hub"),
        onServerRunning: { channel in ready("http://\(host):\(channel.localAddress?.port ?? port)") })
}

/// `hntt hub serve`: migrates the database and serves until SIGTERM or SIGINT.
public func runHub(
    database url: String, host: String, port: Int, ready: @escaping @Sendable (String) -> Void
) async throws {
    let database = try HubDatabase(url: url)
    do {
        try await database.migrate()
        try await hubApplication(database: database, host: host, port: port, ready: ready).runService()
    } catch {
        await database.stop()
        throw error
    }
    await database.stop()
}
