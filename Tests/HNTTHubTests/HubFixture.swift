import Foundation
import HNTTCore
import HNTTGateway
import HNTTGovernance
import HNTTHub
import HNTTService
import HNTTTestSupport
import HNTTTransport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import ServiceLifecycle

/// The PostgreSQL server scripts/test starts (`$HNTT_TEST_POSTGRES`, a superuser URL).
enum TestPostgres {
    static let url = ProcessInfo.processInfo.environment["HNTT_TEST_POSTGRES"]
    static var available: Bool { url != nil }
    static let reason = "needs $HNTT_TEST_POSTGRES: scripts/test starts a throw-away PostgreSQL and sets it"
}

/// A hub on a database of its own (made for the test, dropped after), served in-process on a port that
/// stays the same across a stop and a start (an outage).
final class HubFixture: @unchecked Sendable {
    let databaseName = "hub_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    let databaseURL: String
    let port: Int
    var url: String { "http://127.0.0.1:\(port)" }
    let database: HubDatabase
    let ledger: HubLedger
    private let lock = NSLock()
    private var server: (group: ServiceGroup, task: Task<Void, any Error>)?

    init() async throws {
        guard let admin = TestPostgres.url else { throw HNTTError(.badInput, TestPostgres.reason) }
        try await HubFixture.admin(admin, "CREATE DATABASE \(databaseName)")
        databaseURL = admin.replacingOccurrences(of: "/postgres", with: "/\(databaseName)")
        port = Int(try LocalMailServer.freePort())
        database = try HubDatabase(url: databaseURL)
        try await database.migrate()
        ledger = HubLedger(database: database)
    }

    /// Starts serving; returns once it listens.
    func start() async throws {
        let listening = Started()
        let app = try await hubApplication(database: database, host: "127.0.0.1", port: port) { _ in
            Task { await listening.fire() }
        }
        let group = ServiceGroup(
            configuration: .init(services: [app], gracefulShutdownSignals: [], logger: Logger(label: "test-hub")))
        lock.withLock { server = (group, Task { try await group.run() }) }
        try await listening.wait(seconds: 20)
    }

    /// Stops serving as `hntt hub serve` does on SIGTERM (idle connections closed too) and waits for it.
    func stop() async {
        let running = lock.withLock {
            defer { server = nil }
            return server
        }
        guard let running else { return }
        await running.group.triggerGracefulShutdown()
        _ = try? await running.task.value
    }

    func close() async {
        await stop()
        await database.stop()
        if let admin = TestPostgres.url {
            try? await HubFixture.admin(admin, "DROP DATABASE IF EXISTS \(databaseName) WITH (FORCE)")
        }
    }

    /// One statement on the server's `postgres` database.
    static func admin(_ url: String, _ sql: String) async throws {
        let client = PostgresClient(configuration: try HubDatabase.configuration(url))
        let runner = Task { await client.run() }
        defer { runner.cancel() }
        try await client.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "test"))
    }

    /// A province page as a viewer sees it (the hub's router in-process).
    func page(_ uri: String) async throws -> String {
        let password = "fixture-viewer-pass-1"
        try await HubAccounts(database: database).add("fixture-viewer", role: .viewer, password: SecretText(password))
        let app = Application(router: try await HubServer(database: database).router())
        return try await app.test(.router) { client in
            var headers = HTTPFields()
            headers[.authorization] = "Basic " + Data("fixture-viewer:\(password)".utf8).base64EncodedString()
            return String(buffer: try await client.execute(uri: uri, method: .get, headers: headers, body: nil).body)
        }
    }

    /// A count from the hub's database.
    func count(_ sql: String) async throws -> Int64 {
        var value: Int64 = 0
        for try await count in try await database.client.query(
            PostgresQuery(unsafeSQL: sql), logger: Logger(label: "test")
        )
        .decode(Int64.self) {
            value = count
        }
        return value
    }
}

/// A one-shot flag to wait for, with a deadline.
actor Started {
    private var fired = false
    func fire() { fired = true }
    func wait(seconds: Double) async throws {
        let end = Date().addingTimeInterval(seconds)
        while !fired {
            guard Date() < end else { throw HNTTError(.timeout, "the hub did not start") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// A gateway in a folder of its own, with one room and no devices: its records are what the hub gathers.
struct TestGateway: Sendable {
    let id: String
    let directory: URL
    let gateway: Gateway
    let technician = Caller(operatorName: "Lê Thị B", osUser: "kythuat")

    init(_ id: String) throws {
        self.id = id
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("hntt-hubgw-\(UUID().uuidString)")
        let profiles = directory.appendingPathComponent("device-profiles")
        try FileManager.default.createDirectory(at: profiles, withIntermediateDirectories: true)
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        try FileManager.default.copyItem(
            at: repository.appendingPathComponent("device-profiles/cisco-roomos.yaml"),
            to: profiles.appendingPathComponent("cisco-roomos.yaml"))
        let inventory = directory.appendingPathComponent("inventory.yaml")
        // The codec is never reached: the hub's tests need its id for baselines only.
        try Data(
            """
            site: {name: "UBND xã \(id)", authority: "Sở Khoa học và Công nghệ tỉnh Thanh Hóa"}
            rooms:
              - id: phong
                name: "Phòng họp \(id)"
                unit: "Văn phòng HĐND và UBND xã"
                devices:
                  - {id: phong-codec, profile: cisco-roomos, transport: telnet, host: 127.0.0.1, port: 9}
            """.utf8
        ).write(to: inventory)
        gateway = Gateway(inventory: inventory.path, data: directory.appendingPathComponent("data").path)
    }

    func write(_ count: Int, _ what: String) async throws {
        for index in 1...count {
            _ = try await gateway.addIncident(
                IncidentReport(room: "phong", what: "\(what) \(index)", kind: .network), by: technician)
        }
    }

    func join(_ hub: HubFixture) async throws {
        let enrolment = try await hub.ledger.enrol(gateway: id, hubURL: hub.url)
        _ = try await gateway.joinHub(enrolment, by: technician)
    }

    func logbookCount() async throws -> Int { try await gateway.logEntries(room: nil).count }

    func remove() { TestFiles.remove(directory) }
}
