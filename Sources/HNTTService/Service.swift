import Foundation
import HNTTAlerts
import HNTTCore
import HNTTGateway
import Hummingbird

/// How the service listens and refreshes.
public struct ServiceOptions: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// PEM files; both or neither.
    public var tlsCertificate: String?
    public var tlsKey: String?
    /// Plain HTTP on a non-loopback address, shown on every page as a warning.
    public var insecureHTTP = false
    /// Seconds between two status reads of a device.
    public var refreshEvery: Double = 10
    /// Runs the scheduler and the live watch and delivers alerts (off in the tests of the routes).
    public var scheduling = true
    /// How long a login lasts.
    public var sessionLifetime: TimeInterval = 8 * 3600

    public init() {}

    public var isLoopback: Bool { host == "127.0.0.1" || host == "localhost" || host == "::1" }
    public var usesTLS: Bool { tlsCertificate != nil }
    public var url: String { "\(usesTLS ? "https" : "http")://\(host):\(port)" }

    /// Refuses plain HTTP beyond loopback unless asked for (passwords would cross the network in clear).
    public func validate() throws {
        if (tlsCertificate == nil) != (tlsKey == nil) {
            throw HNTTError(.badInput, "--tls-cert and --tls-key go together", fix: "give both PEM files")
        }
        if !isLoopback && !usesTLS && !insecureHTTP {
            throw HNTTError(
                .badInput, "listening on \(host) without TLS would send passwords in clear",
                fix: "give --tls-cert and --tls-key, or --insecure-http to accept the risk (the page shows it)")
        }
    }
}

/// The service's shared parts: the one Gateway (keeping connections), the live status, the runs,
/// the sessions and the page templates.
public final class ServiceState: Sendable {
    public let gateway: Gateway
    public let live: LiveStatus
    public let runs: RunBoard
    /// Prepares the booked sessions; the test of the service injects no clock (the scheduler's tests do).
    public let scheduler: Scheduler<ContinuousClock>
    public let alertDelivery: AlertDelivery
    public let watch: LiveWatch
    /// Pushes the outbox to the province hub, when the gateway joined one.
    public let hubSync: HubSyncLoop
    public let sessions: Sessions
    public let throttle: LoginThrottle
    public let options: ServiceOptions
    let pages: Pages

    public init(gateway: Gateway, options: ServiceOptions) async throws {
        self.gateway = gateway
        self.options = options
        let live = LiveStatus(gateway: gateway, every: options.refreshEvery)
        self.live = live
        // A run changed its room's devices: read them again now, not at the next refresh.
        let runs = RunBoard(gateway: gateway) { run in
            for device in (try? gateway.inventory().room(run.room).devices) ?? [] { await live.refresh(device.id) }
        }
        self.runs = runs
        scheduler = Scheduler(gateway: gateway, board: runs, clock: ContinuousClock())
        alertDelivery = AlertDelivery(gateway: gateway)
        watch = LiveWatch(gateway: gateway, live: live)
        hubSync = HubSyncLoop(gateway: gateway)
        sessions = Sessions(lifetime: options.sessionLifetime)
        throttle = LoginThrottle()
        pages = try await Pages(insecure: !options.isLoopback && !options.usesTLS)
    }

    /// The router of every route: the API under /api/v1 and the web page.
    public func router() -> Router<ServiceContext> {
        let router = Router(context: ServiceContext.self)
        router.add(middleware: AuthenticationMiddleware(state: self))
        APIRoutes(state: self).register(on: router)
        WebRoutes(state: self).register(on: router)
        return router
    }

    /// Starts the background refresh of every device's status.
    public func start() async throws {
        _ = try await gateway.openDatabase()
        await gateway.recoverChanges(touching: nil)
        try await live.start()
        if options.scheduling {
            await scheduler.start()
            await alertDelivery.start()
            await hubSync.start()
            try await watch.start()
        }
    }

    /// Lets runs in progress finish (they are recorded), then closes the device connections.
    public func stop() async {
        await scheduler.stop()
        await hubSync.stop()
        await watch.stop()
        await alertDelivery.stop()
        await live.stop()
        await runs.finishAll()
        await gateway.connections?.closeAll()
    }
}

/// `hntt serve`: runs until SIGTERM or SIGINT; `ready` is called with the URL once it listens.
public func runService(gateway: Gateway, options: ServiceOptions, ready: @escaping @Sendable (String) -> Void)
    async throws
{
    try options.validate()
    let state = try await ServiceState(gateway: gateway, options: options)
    try await state.start()
    let configuration = ApplicationConfiguration(
        address: .hostname(options.host, port: options.port), serverName: "hntt")
    let server = try ServerFactory.make(options)
    let app = Application(
        router: state.router(), server: server, configuration: configuration,
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? options.port
            var shown = options
            shown.port = port
            ready(shown.url)
        })
    do {
        try await app.runService()
    } catch {
        await state.stop()
        throw error
    }
    await state.stop()
}
