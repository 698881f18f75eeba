import Foundation
import HNTTCore
import HNTTGovernance
import Logging
import PostgresNIO

/// The province hub's PostgreSQL database: one client (a pool) and the numbered migrations, never
/// edited once shipped. `start()` runs the pool; `stop()` closes it.
public final class HubDatabase: Sendable {
    public let client: PostgresClient
    let runner: Task<Void, Never>
    static let logger = Logger(label: "hntt.hub.database")

    /// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE` (`?host=/run/postgresql` for a Unix socket).
    public init(url: String) throws {
        client = PostgresClient(configuration: try HubDatabase.configuration(url))
        let client = self.client
        runner = Task { await client.run() }
    }

    /// No statement or lock wait runs longer than this: a stuck query fails with a message instead of hanging.
    public static let statementTimeout = "30s"

    public static func configuration(_ url: String) throws -> PostgresClient.Configuration {
        var configuration = try connection(url)
        configuration.options.additionalStartupParameters = [
            ("statement_timeout", statementTimeout), ("lock_timeout", "10s"),
        ]
        return configuration
    }

    static func connection(_ url: String) throws -> PostgresClient.Configuration {
        guard let components = URLComponents(string: url),
            ["postgres", "postgresql"].contains(components.scheme ?? ""),
            let user = components.user, !user.isEmpty
        else {
            throw HNTTError(
                .badInput, "the hub database \"\(HubDatabase.redacted(url))\" is not a postgres:// URL with a user",
                fix: "write e.g. postgres://hntt@127.0.0.1:5432/hntt_hub (or set $HNTT_HUB_DATABASE)")
        }
        let database = String(components.path.dropFirst())
        let socket = components.queryItems?.first { $0.name == "host" }?.value
        if let socket, socket.hasPrefix("/") {
            return .init(
                unixSocketPath: socket + "/.s.PGSQL.\(components.port ?? 5432)", username: user,
                password: components.password, database: database.isEmpty ? nil : database)
        }
        return .init(
            host: components.host ?? "127.0.0.1", port: components.port ?? 5432, username: user,
            password: components.password, database: database.isEmpty ? nil : database, tls: .disable)
    }

    /// The URL with its password hidden, for messages.
    public static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "********"
        return components.string ?? url
    }

    public func stop() async {
        runner.cancel()
        _ = await runner.value
    }

    /// Runs every migration not yet applied, in order, each in its transaction, one hub at a time.
    public func migrate() async throws {
        try await HubDatabase.mapped {
            try await client.withTransaction(logger: HubDatabase.logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(4242)", logger: HubDatabase.logger)
                try await connection.query(
                    """
                    CREATE TABLE IF NOT EXISTS hub_migration (
                      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
                    """, logger: HubDatabase.logger)
                var applied = Set<Int>()
                for try await version in try await connection.query(
                    "SELECT version FROM hub_migration", logger: HubDatabase.logger
                ).decode(Int.self) {
                    applied.insert(version)
                }
                for migration in HubSchema.migrations where !applied.contains(migration.version) {
                    for statement in migration.statements {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: HubDatabase.logger)
                    }
                    try await connection.query(
                        "INSERT INTO hub_migration (version, name) VALUES (\(migration.version), \(migration.name))",
                        logger: HubDatabase.logger)
                }
            }
        }
    }

    /// Runs `body`, turning the database's failures into errors that say what to do.
    static func mapped<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PostgresTransactionError {
            // What the transaction's body threw (a refusal) is the error; the rollback went through.
            if let inner = error.closureError ?? error.beginError ?? error.commitError {
                throw mappedError(inner)
            }
            throw error
        } catch {
            throw mappedError(error)
        }
    }

    private static func mappedError(_ error: any Error) -> any Error {
        switch error {
        case let error as PSQLError:
            let message = error.serverInfo?[.message] ?? "\(error.code)"
            return HNTTError(
                .unreachable, "the hub database failed: \(message)",
                fix: "check that PostgreSQL runs and the URL's user may use the database")
        default: return error
        }
    }
}

/// The hub's schema, one migration per version.
enum HubSchema {
    struct Migration {
        let version: Int
        let name: String
        let statements: [String]
    }

    static let genesis = HashChain.genesis

    static let migrations = [
        Migration(
            version: 1, name: "gateways, their outbox entries, logbook, drift and bookings",
            statements: [
                """
                CREATE TABLE gateway (
                  id text PRIMARY KEY,
                  secret_hash text,
                  public_key text UNIQUE,
                  enrolled_at timestamptz NOT NULL DEFAULT now(),
                  joined_at timestamptz,
                  last_sequence bigint NOT NULL DEFAULT 0,
                  last_hash text NOT NULL DEFAULT '\(genesis)',
                  logbook_last_id bigint NOT NULL DEFAULT 0,
                  logbook_last_hash text NOT NULL DEFAULT '\(genesis)',
                  audit_last_id bigint NOT NULL DEFAULT 0,
                  audit_last_hash text NOT NULL DEFAULT '\(genesis)',
                  last_sync_at timestamptz,
                  chain_problem text,
                  chain_problem_at timestamptz)
                """,
                """
                CREATE TABLE outbox_entry (
                  gateway text NOT NULL REFERENCES gateway(id),
                  sequence bigint NOT NULL,
                  kind text NOT NULL,
                  body text NOT NULL,   -- as the gateway hashed it: the hub can verify it again
                  hash text NOT NULL,
                  received_at timestamptz NOT NULL DEFAULT now(),
                  PRIMARY KEY (gateway, sequence))
                """,
                "CREATE INDEX outbox_entry_kind ON outbox_entry (kind, gateway)",
                """
                CREATE TABLE logbook_entry (
                  gateway text NOT NULL REFERENCES gateway(id),
                  id bigint NOT NULL,
                  at text NOT NULL,
                  room text NOT NULL,
                  kind text NOT NULL,
                  refers_to bigint,
                  payload jsonb NOT NULL,
                  hash text NOT NULL,
                  PRIMARY KEY (gateway, id))
                """,
                "CREATE INDEX logbook_entry_at ON logbook_entry (at)",
                """
                CREATE TABLE drift_result (
                  gateway text NOT NULL REFERENCES gateway(id),
                  id bigint NOT NULL,
                  device text NOT NULL,
                  checked_at text NOT NULL,
                  status text NOT NULL,
                  keys jsonb NOT NULL,
                  PRIMARY KEY (gateway, id))
                """,
                "CREATE INDEX drift_result_device ON drift_result (gateway, device, id DESC)",
                """
                CREATE TABLE booking (
                  gateway text NOT NULL REFERENCES gateway(id),
                  id bigint NOT NULL,
                  room text NOT NULL,
                  starts_at text NOT NULL,
                  ends_at text NOT NULL,
                  organizer text NOT NULL,
                  status text NOT NULL,
                  PRIMARY KEY (gateway, id))
                """,
            ]),
        Migration(
            version: 2, name: "documents published for gateways to pull",
            statements: [
                """
                CREATE TABLE publication (
                  id bigserial PRIMARY KEY,
                  gateway text NOT NULL REFERENCES gateway(id),
                  kind text NOT NULL,
                  document text NOT NULL,
                  published_at timestamptz NOT NULL DEFAULT now())
                """,
                "CREATE INDEX publication_gateway ON publication (gateway, id)",
            ]),
        Migration(
            version: 3, name: "province views: accounts, audit outcomes, each device's newest drift, indexes",
            statements: [
                """
                CREATE TABLE hub_account (
                  name text PRIMARY KEY,
                  role text NOT NULL CHECK (role IN ('approver', 'viewer', 'admin')),
                  password_hash text NOT NULL,
                  created_at timestamptz NOT NULL DEFAULT now())
                """,
                """
                CREATE TABLE audit_entry (
                  gateway text NOT NULL REFERENCES gateway(id),
                  id bigint NOT NULL,
                  at text NOT NULL,
                  device text NOT NULL,
                  action text NOT NULL,
                  outcome text NOT NULL,
                  PRIMARY KEY (gateway, id))
                """,
                """
                INSERT INTO audit_entry (gateway, id, at, device, action, outcome)
                SELECT gateway, (body::jsonb->>'id')::bigint, body::jsonb->>'at', body::jsonb->>'device',
                  body::jsonb->>'action', body::jsonb->>'outcome'
                FROM outbox_entry WHERE kind = 'audit'
                """,
                "CREATE INDEX audit_entry_at ON audit_entry (gateway, at)",
                """
                CREATE TABLE device_drift (
                  gateway text NOT NULL REFERENCES gateway(id),
                  device text NOT NULL,
                  result_id bigint NOT NULL,
                  status text NOT NULL,
                  checked_at text NOT NULL,
                  PRIMARY KEY (gateway, device))
                """,
                """
                INSERT INTO device_drift (gateway, device, result_id, status, checked_at)
                SELECT DISTINCT ON (gateway, device) gateway, device, id, status, checked_at
                FROM drift_result ORDER BY gateway, device, id DESC
                """,
                "CREATE INDEX logbook_entry_kind_at ON logbook_entry (kind, at)",
                "CREATE INDEX logbook_entry_room ON logbook_entry (gateway, room)",
                "CREATE INDEX drift_result_checked ON drift_result (gateway, checked_at)",
            ]),
    ]
}
