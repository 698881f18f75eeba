import AsyncHTTPClient
import Foundation
import HNTTCore
import HNTTDocuments
import HNTTGovernance
import NIOCore
import NIOHTTP1

/// Where an alert goes: a webhook, an e-mail relay. `send` throws when the alert was not accepted.
public protocol AlertChannel: Sendable {
    func send(_ alert: AlertRecord) async throws
}

/// A JSON POST of the contract's alert body; anything but a 2xx answer within 10 s is a failure.
public struct WebhookChannel: AlertChannel {
    let url: URL
    let client: HTTPClient

    public init(url: URL, client: HTTPClient) {
        self.url = url
        self.client = client
    }

    public func send(_ alert: AlertRecord) async throws {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        request.headers.add(name: "User-Agent", value: "hntt")
        request.body = .bytes(ByteBuffer(string: alert.json.text))
        let response = try await client.execute(request, timeout: .seconds(10))
        _ = try? await response.body.collect(upTo: 64 * 1024)
        guard (200..<300).contains(response.status.code) else {
            throw HNTTError(
                .unreachable, "the webhook \(url.host ?? "") answered \(response.status.code)",
                fix: "check the receiver at \(url.absoluteString)")
        }
    }
}
