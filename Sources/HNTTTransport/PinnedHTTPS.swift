import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One HTTP request to a device's REST/XML API.
public struct HTTPSRequest: Sendable {
    public var method: String
    public var path: String
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(method: String = "GET", path: String, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }
}

public struct HTTPSResponse: Sendable {
    public let status: Int
    public let headers: [(String, String)]
    public let body: [UInt8]

    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }
}

/// HTTPS to a device whose certificate is pinned by its SHA-256 fingerprint (devices carry self-signed
/// certificates no authority vouches for). The fingerprint is checked during the handshake, so a wrong
/// certificate ends the connection before a byte of the request (or its Basic credentials) is sent.
/// Built on SwiftNIO directly: AsyncHTTPClient and URLSession on Linux offer no hook to pin a certificate.
/// One connection per request (`Connection: close`); the whole exchange has the request's deadline.
public struct PinnedHTTPSClient: Sendable {
    public let host: String
    public let port: Int
    /// Lower-case hex without colons; nil only to read the fingerprint (``fingerprint(deadline:)``).
    public let fingerprint: String?
    public let credentials: LoginCredentials?
    /// Replies are refused beyond this size.
    public static let maximumBody = 8 << 20

    public init(host: String, port: Int, fingerprint: String?, credentials: LoginCredentials?) {
        self.host = host
        self.port = port
        self.fingerprint = fingerprint.map(PinnedHTTPSClient.normalised)
        self.credentials = credentials
    }

    /// `SHA256:AB:CD:…`, `sha256 Fingerprint=AB:CD:…` (as openssl prints it) or bare hex → `abcd…`.
    public static func normalised(_ text: String) -> String {
        var value = text.trimmingCharacters(in: .whitespaces)
        if let equals = value.lastIndex(of: "=") { value = String(value[value.index(after: equals)...]) }
        if value.lowercased().hasPrefix("sha256:") { value = String(value.dropFirst(7)) }
        return value.filter { $0 != ":" }.lowercased()
    }

    /// `SHA256:AB:CD:…`: the form pins are kept and shown in (the contract's inventory form).
    public static func pinForm(_ text: String) -> String { "SHA256:" + display(normalised(text)) }

    /// `AB:CD:…`, as openssl shows it.
    public static func display(_ hex: String) -> String {
        let digits = Array(hex.uppercased())
        return stride(from: 0, to: digits.count, by: 2).map { String(digits[$0..<min($0 + 2, digits.count)]) }
            .joined(separator: ":")
    }

    /// The certificate's fingerprint as the device presents it (for `hntt trust-host`), sending nothing.
    public func fingerprint(deadline: Deadline) async throws -> String {
        let seen = SeenCertificate()
        do {
            _ = try await exchange(nil, deadline: deadline, seen: seen)
        } catch  where seen.value != nil {
            // Refused by design: nothing is pinned, so the handshake ends once the certificate is seen.
        }
        guard let value = seen.value else {
            throw TransportError(.protocolViolation, "\(host):\(port) presented no certificate")
        }
        return value
    }

    public func send(_ request: HTTPSRequest, deadline: Deadline) async throws -> HTTPSResponse {
        guard fingerprint != nil else {
            throw TransportError(.hostKeyUnknown, "no certificate is pinned for \(host):\(port)")
        }
        guard let response = try await exchange(request, deadline: deadline, seen: SeenCertificate()) else {
            throw TransportError(.closed, "\(host):\(port) closed the connection without an answer")
        }
        return response
    }

    private func exchange(_ request: HTTPSRequest?, deadline: Deadline, seen: SeenCertificate) async throws
        -> HTTPSResponse?
    {
        let expected = fingerprint
        let peer = "\(host):\(port)"
        var configuration = TLSConfiguration.makeClientConfiguration()
        // Verification runs (so that the callback below decides), without names: the pin is the identity.
        configuration.certificateVerification = .noHostnameVerification
        // A device that never sends close_notify must not hold a closing connection beyond this.
        configuration.shutdownTimeout = .milliseconds(200)
        let context = try NIOSSLContext(configuration: configuration)
        let seconds = max(0.001, deadline.remainingSeconds)
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.milliseconds(Int64(seconds * 1000)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let tls = try NIOSSLClientHandler(
                        context: context, serverHostname: nil,
                        customVerificationCallback: { certificates, promise in
                            let hex = (try? certificates.first?.toDERBytes()).map {
                                SHA256.hash(data: $0).map { String(format: "%02x", $0) }.joined()
                            }
                            seen.value = hex
                            // Reading only: refuse after noting it, so that nothing can be sent.
                            promise.succeed(hex != nil && hex == expected ? .certificateVerified : .failed)
                        })
                    try channel.pipeline.syncOperations.addHandler(tls)
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                }
            }
        let channel: Channel
        do {
            channel = try await bootstrap.connect(host: host, port: port).get()
        } catch {
            throw TransportError(.connectFailed, "cannot connect to \(peer): \(error)")
        }
        do {
            return try await converse(channel, request, seconds: seconds)
        } catch let error as TransportError {
            channel.close(promise: nil)
            throw error
        } catch {
            channel.close(promise: nil)
            // The handshake failed on the pin (the channel may close before or during the exchange): say which
            // certificate came; the request never left.
            if let presented = seen.value, presented != expected {
                throw TransportError(
                    .hostKeyMismatch,
                    "\(peer) presented a certificate with fingerprint SHA256:"
                        + "\(PinnedHTTPSClient.display(presented)); the inventory pins another: nothing was sent")
            }
            if error is NIOSSLError { throw TransportError(.protocolViolation, "TLS with \(peer) failed: \(error)") }
            throw TransportError(.closed, "the exchange with \(peer) failed: \(error)")
        }
    }

    /// Writes the request (or only starts the handshake) and reads the reply, within `seconds`.
    private func converse(_ channel: Channel, _ request: HTTPSRequest?, seconds: Double) async throws
        -> HTTPSResponse?
    {
        let peer = "\(host):\(port)"
        let async = try await channel.eventLoop.submit {
            try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                wrappingChannelSynchronously: channel)
        }.get()
        return try await withThrowingTaskGroup(of: HTTPSResponse?.self) { group in
            group.addTask {
                try await async.executeThenClose { inbound, outbound in
                    guard let request else {
                        // Nothing pinned: this write starts the handshake, which the callback refuses, so it
                        // never leaves.
                        try await outbound.write(.head(HTTPRequestHead(version: .http1_1, method: .HEAD, uri: "/")))
                        for try await _ in inbound {}
                        return nil
                    }
                    var head = HTTPRequestHead(
                        version: .http1_1, method: HTTPMethod(rawValue: request.method), uri: request.path)
                    head.headers.add(name: "Host", value: self.host)
                    head.headers.add(name: "Connection", value: "close")
                    head.headers.add(name: "Content-Length", value: String(request.body.count))
                    if let credentials = self.credentials {
                        let pair = Array((credentials.username + ":").utf8) + credentials.password.clearBytes
                        head.headers.add(name: "Authorization", value: "Basic " + Data(pair).base64EncodedString())
                    }
                    for (name, value) in request.headers { head.headers.add(name: name, value: value) }
                    var parts: [HTTPClientRequestPart] = [.head(head)]
                    if !request.body.isEmpty { parts.append(.body(.byteBuffer(ByteBuffer(bytes: request.body)))) }
                    parts.append(.end(nil))
                    // A server may answer and close once the body's Content-Length is complete, before the
                    // write of `.end` (which puts nothing on the wire) returns: the answer is still read.
                    var writeError: (any Error)?
                    do { try await outbound.write(contentsOf: parts) } catch { writeError = error }
                    var status = 0
                    var headers: [(String, String)] = []
                    var body: [UInt8] = []
                    for try await part in inbound {
                        switch part {
                        case .head(let response):
                            status = Int(response.status.code)
                            headers = response.headers.map { ($0.name, $0.value) }
                        case .body(var buffer):
                            guard body.count + buffer.readableBytes <= PinnedHTTPSClient.maximumBody else {
                                throw TransportError(.protocolViolation, "\(peer) sent more than 8 MiB")
                            }
                            body += buffer.readBytes(length: buffer.readableBytes) ?? []
                        case .end:
                            return HTTPSResponse(status: status, headers: headers, body: body)
                        }
                    }
                    if status == 0, let writeError { throw writeError }
                    return status == 0 ? nil : HTTPSResponse(status: status, headers: headers, body: body)
                }
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                throw TransportError(.timedOut, "\(peer) did not answer within \(String(format: "%.1f", seconds)) s")
            }
            defer {
                group.cancelAll()
                channel.close(promise: nil)
            }
            return try await group.next() ?? nil
        }
    }
}

/// The fingerprint the handshake saw, set on the event loop and read after.
final class SeenCertificate: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: String?
    var value: String? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
