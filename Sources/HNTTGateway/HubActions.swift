import AsyncHTTPClient
import Crypto
import Foundation
import HNTTCore
import HNTTGovernance
import HNTTTransport
import NIOCore
import NIOFoundationCompat

/// What one sync did.
public struct SyncOutcome: Sendable, Equatable {
    /// A document the hub carried: applied (the devices' new baseline versions) or refused (why).
    public struct Pulled: Sendable, Equatable {
        public let publication: Int64
        public let applied: [String]
        public let refused: String?
    }

    public let sent: Int
    public let duplicates: Int
    /// The last sequence the hub holds, and the last the gateway has written.
    public let delivered: Int64
    public let written: Int64
    public var pulled: [Pulled] = []

    public var allDelivered: Bool { delivered >= written }
}

/// The province hub, seen from the gateway (issue 14): join it once, then push the outbox. The gateway
/// stays authoritative and works offline; nothing leaves the outbox until the hub acknowledges it.
extension Gateway {
    public static let segmentSize = 500

    /// `hntt hub join FILE`: registers this gateway's own key with the hub named in the enrolment file.
    public func joinHub(_ enrolment: Enrolment, by caller: Caller) async throws -> HubLink {
        guard let url = URL(string: enrolment.hub), ["http", "https"].contains(url.scheme ?? "") else {
            throw HNTTError(
                .badFile, "the enrolment file names no http(s) hub (\(enrolment.hub))",
                fix: "ask the hub for a new file (`hntt hub enroll GATEWAY --out FILE --url URL`)")
        }
        let key = try await hubKey(creating: true)
        let publicKey = key.publicKey.rawRepresentation.base64EncodedString()
        let request = JoinRequest(gateway: enrolment.gateway, secret: enrolment.secret, publicKey: publicKey)
        let record = AuditRecord(device: "*", action: "hub join", detail: "\(enrolment.gateway) at \(enrolment.hub)")
        return try await audited(record, by: caller) {
            _ = try await post(url.appendingPathComponent("hub/v1/enrol"), body: try JSONEncoder().encode(request))
            let outbox = Outbox(database: try await openDatabase())
            try await outbox.join(url: enrolment.hub, gateway: enrolment.gateway, publicKey: publicKey)
            guard let link = try await outbox.link() else {
                throw HNTTError(.badFile, "the hub link was not stored", fix: "run `hntt hub join` again")
            }
            return link
        }
    }

    /// The hub this gateway joined, or nil.
    public func hubLink() async throws -> HubLink? { try await Outbox(database: openDatabase()).link() }

    /// `hntt sync`: copies new records into the outbox and pushes what the hub has not acknowledged, in
    /// signed segments. The hub unreachable: `.unreachable` (exit 5), nothing lost; the hub refusing (a gap,
    /// a broken chain): `.deviceError` (exit 4) with the hub's reason.
    public func syncHub() async throws -> SyncOutcome {
        let outbox = Outbox(database: try await openDatabase())
        guard let link = try await outbox.link(), let url = URL(string: link.url) else {
            throw HNTTError(
                .badInput, "this gateway has not joined a hub",
                fix: "ask the hub for an enrolment file, then run `hntt hub join FILE`")
        }
        let key = try await hubKey(creating: false)
        while try await outbox.collect() > 0 {}   // in batches, until everything written is in the outbox
        let written = try await outbox.count()
        var delivered = link.delivered
        var sent = 0
        var duplicates = 0
        do {
            while true {
                let entries = try await outbox.pending(after: delivered, limit: Gateway.segmentSize)
                guard !entries.isEmpty else { break }
                let segment = try Segment(gateway: link.gateway, entries: entries).signed(with: key)
                let reply = try await post(
                    url.appendingPathComponent("hub/v1/segments"), body: try JSONEncoder().encode(segment))
                let receipt = try JSONDecoder().decode(SegmentReceipt.self, from: reply)
                sent += receipt.accepted
                duplicates += receipt.duplicates
                delivered = max(delivered, receipt.lastSequence)
                try await outbox.attempted(delivered: delivered, error: nil)
                // The hub holds less than was sent: start again from where it is.
                if receipt.lastSequence < entries.last?.sequence ?? 0 { delivered = receipt.lastSequence }
            }
        } catch let error as HNTTError {
            try? await outbox.attempted(delivered: nil, error: error.message)
            throw error
        }
        var outcome = SyncOutcome(sent: sent, duplicates: duplicates, delivered: delivered, written: written)
        outcome.pulled = try await pullPublications(link, url: url, key: key, outbox: outbox)
        return outcome
    }

    /// Takes what the hub published for this gateway: each baseline or change order is verified here, against
    /// this gateway's trust store, as if the technician imported the file; one that fails is audited as refused
    /// and skipped. A baseline is imported; an order is kept for a technician to apply.
    private func pullPublications(
        _ link: HubLink, url: URL, key: Curve25519.Signing.PrivateKey, outbox: Outbox
    ) async throws -> [SyncOutcome.Pulled] {
        let request = try PullRequest(gateway: link.gateway, after: link.pulled, at: timestamp(now())).signed(with: key)
        let reply = try await post(
            url.appendingPathComponent("hub/v1/publications"), body: try JSONEncoder().encode(request))
        let publications = try JSONDecoder().decode([Publication].self, from: reply)
        var pulled: [SyncOutcome.Pulled] = []
        let courier = Caller(operatorName: "hntt (trung tâm tỉnh)")
        for publication in publications {
            let source = "hub publication \(publication.id)"
            do {
                switch publication.kind {
                case "order":
                    let file = try await receiveOrder(text: publication.document, source: source, by: courier)
                    pulled.append(.init(publication: publication.id, applied: ["order kept in \(file)"], refused: nil))
                default:
                    let versions = try await importBaseline(text: publication.document, source: source, by: courier)
                    pulled.append(
                        .init(
                            publication: publication.id, applied: versions.map { "\($0.device) v\($0.version)" },
                            refused: nil))
                }
            } catch let error as HNTTError {
                pulled.append(.init(publication: publication.id, applied: [], refused: error.message))
            }
            try await outbox.pulled(publication.id)
        }
        return pulled
    }

    /// The gateway's key for the hub, read (or made, when joining) off the cooperative pool.
    private func hubKey(creating: Bool) async throws -> Curve25519.Signing.PrivateKey {
        let data = self.data
        let raw = try await onOwnThread {
            try (creating ? GatewayKey.loadOrCreate(data) : GatewayKey.load(data)).rawRepresentation
        }
        return try Curve25519.Signing.PrivateKey(rawRepresentation: raw)
    }

    /// POSTs JSON to the hub; the reply's body, or the error in the contract's terms.
    private func post(_ url: URL, body: Data) async throws -> Data {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response: HTTPClientResponse
        let replyBody: ByteBuffer
        do {
            // The hub down answers at once here; the HTTP client would keep trying to connect until its deadline.
            let probe = TCPTransport(
                host: url.host ?? "127.0.0.1", port: UInt16(url.port ?? (url.scheme == "https" ? 443 : 80)))
            try await probe.open(deadline: .after(seconds: 10))
            await probe.close()
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            replyBody = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw HNTTError(
                .unreachable, "the hub at \(url.host ?? url.absoluteString) is unreachable (\(error))",
                fix: "nothing is lost: the outbox keeps everything; `hntt sync` again when the network is back")
        }
        let reply = Data(buffer: replyBody)
        guard response.status == .ok else {
            let message =
                ((try? JSONSerialization.jsonObject(with: reply)) as? [String: [String: String]])?["error"]?["message"]
                ?? String(decoding: reply.prefix(200), as: UTF8.self)
            let category: HNTTError.Category = response.status.code >= 500 ? .unreachable : .deviceError
            throw HNTTError(
                category, "the hub refused: \(message)",
                fix: response.status == .forbidden
                    ? "this gateway is not enrolled there or its key does not match;"
                        + " join again with a new enrolment file"
                    : "the hub stored nothing of it and shows the break; `hntt log verify` and `hntt audit verify` name"
                        + " the altered entry here; the outbox keeps everything for when it is resolved")
        }
        return reply
    }
}

/// `hntt serve` syncs continuously: every `every` seconds while the hub answers, after 5 s, 10 s, 20 s …
/// (at most 10 min) while it does not. A gateway that joined no hub does nothing.
public actor HubSyncLoop {
    let gateway: Gateway
    let every: Duration
    private var loop: Task<Void, Never>?
    private let wake = Signal()
    public private(set) var last: Result<SyncOutcome, HNTTError>?

    public init(gateway: Gateway, every: Duration = .seconds(30)) {
        self.gateway = gateway
        self.every = every
    }

    public func start() {
        guard loop == nil else { return }
        loop = Task { [weak self] in
            var failures = 0
            while !Task.isCancelled {
                guard let self else { return }
                let wait: Duration
                switch await self.pass() {
                case .success?, nil:
                    failures = 0
                    wait = self.every
                case .failure?:
                    failures += 1
                    wait = .seconds(min(600, 5 << min(failures - 1, 7)))
                }
                await self.wake.wait(for: wait)
            }
        }
    }

    /// Syncs now (the loop's next pass comes early).
    public func syncSoon() async { await wake.notify() }

    public func stop() async {
        loop?.cancel()
        await wake.notify()
        await loop?.value
        loop = nil
    }

    private func pass() async -> Result<SyncOutcome, HNTTError>? {
        guard (try? await gateway.hubLink()) != nil else { return nil }
        do {
            last = .success(try await gateway.syncHub())
        } catch let error as HNTTError {
            gateway.warn("hub sync: \(error.message)")
            last = .failure(error)
        } catch {
            last = .failure(HNTTError(.unreachable, "hub sync: \(error)"))
        }
        return last
    }
}
