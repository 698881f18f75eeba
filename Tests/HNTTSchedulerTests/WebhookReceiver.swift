import Foundation
import Hummingbird
import NIOCore

/// A real HTTP server on loopback that keeps every webhook body it receives; it can be told to
/// answer 503 (a receiver that is down).
final class WebhookReceiver: Sendable {
    actor Inbox {
        var bodies: [String] = []
        var refusing = false
        func add(_ body: String) { bodies.append(body) }
        func refuse(_ on: Bool) { refusing = on }
    }

    let inbox: Inbox
    let port: Int
    private let task: Task<Void, any Error>

    private init(inbox: Inbox, port: Int, task: Task<Void, any Error>) {
        self.inbox = inbox
        self.port = port
        self.task = task
    }

    static func start() async throws -> WebhookReceiver {
        let inbox = Inbox()
        let router = Router()
        router.post("/hntt") { request, _ -> Response in
            if await inbox.refusing { return Response(status: .serviceUnavailable) }
            let body = try await request.body.collect(upTo: 1 << 16)
            await inbox.add(String(buffer: body))
            return Response(status: .ok)
        }
        let (ports, sink) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in sink.yield(channel.localAddress?.port ?? 0) })
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        let port = await iterator.next() ?? 0
        return WebhookReceiver(inbox: inbox, port: port, task: task)
    }

    var url: String { "http://127.0.0.1:\(port)/hntt" }

    /// The bodies received, as JSON objects.
    func alerts() async -> [[String: Any]] {
        await inbox.bodies.compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    func stop() { task.cancel() }
}
