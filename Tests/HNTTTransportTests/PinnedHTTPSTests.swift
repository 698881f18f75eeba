import Foundation
import HNTTTestSupport
import HNTTTransport
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Testing

/// A TLS web server with a certificate openssl makes for the test: it answers every request with a small
/// XML document (or never, when slow) and counts what it received.
final class TLSWebServer: @unchecked Sendable {
    let folder: URL
    let channel: Channel
    let port: Int
    /// As `openssl x509 -noout -fingerprint -sha256` prints it.
    let opensslFingerprint: String
    let seen = Seen()

    final class Seen: @unchecked Sendable {
        private let lock = NSLock()
        private var requests: [(String, String?)] = []
        func add(_ uri: String, _ authorization: String?) { lock.withLock { requests.append((uri, authorization)) } }
        var all: [(String, String?)] { lock.withLock { requests } }
    }

    init(slow: Bool = false) async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("hntt-tls-\(UUID().uuidString)")
        let folder = self.folder
        opensslFingerprint = try await onOwnThread {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            func openssl(_ arguments: [String]) throws -> String {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
                process.arguments = arguments
                let pipe = Pipe()
                process.standardOutput = pipe
                process.standardError = FileHandle.nullDevice
                try process.run()
                let out = pipe.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                return String(decoding: out, as: UTF8.self)
            }
            _ = try openssl([
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                "-subj", "/CN=cms.test", "-keyout", folder.appendingPathComponent("key.pem").path,
                "-out", folder.appendingPathComponent("cert.pem").path,
            ])
            return try openssl([
                "x509", "-noout", "-fingerprint", "-sha256", "-in", folder.appendingPathComponent("cert.pem").path,
            ])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let certificates = try NIOSSLCertificate.fromPEMFile(folder.appendingPathComponent("cert.pem").path)
        let key = try NIOSSLPrivateKey(file: folder.appendingPathComponent("key.pem").path, format: .pem)
        let context = try NIOSSLContext(
            configuration: .makeServerConfiguration(
                certificateChain: certificates.map { .certificate($0) }, privateKey: .privateKey(key)))
        let seen = self.seen
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try child.pipeline.syncOperations.configureHTTPServerPipeline()
                    try child.pipeline.syncOperations.addHandler(Responder(seen: seen, slow: slow))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
    }

    func stop() async {
        try? await channel.close()
        try? FileManager.default.removeItem(at: folder)
    }

    final class Responder: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let seen: Seen
        let slow: Bool
        init(seen: Seen, slow: Bool) {
            self.seen = seen
            self.slow = slow
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .head(let head) = unwrapInboundIn(data) else {
                if case .end = unwrapInboundIn(data), !slow {
                    let body = ByteBuffer(string: #"<?xml version="1.0"?><calls total="0"></calls>"#)
                    var headers = HTTPHeaders()
                    headers.add(name: "Content-Type", value: "text/xml")
                    headers.add(name: "Content-Length", value: String(body.readableBytes))
                    context.write(
                        wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))),
                        promise: nil)
                    context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
                    context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                }
                return
            }
            seen.add(head.uri, head.headers["Authorization"].first)
        }
    }
}

@Suite("HTTPS with the device's certificate pinned by its SHA-256 fingerprint")
struct PinnedHTTPSTests {
    let credentials = LoginCredentials(username: "api", password: SecretText("cms-pass-7"))

    @Test("the fingerprint read from the device is openssl's; with it pinned, a request goes through with Basic auth")
    func pinned() async throws {
        let server = try await TLSWebServer()
        let reader = PinnedHTTPSClient(host: "127.0.0.1", port: server.port, fingerprint: nil, credentials: nil)
        let hex = try await reader.fingerprint(deadline: .after(seconds: 10))
        #expect(hex == PinnedHTTPSClient.normalised(server.opensslFingerprint), "\(server.opensslFingerprint)")
        #expect(server.seen.all.isEmpty, "reading the certificate sends nothing")
        let client = PinnedHTTPSClient(
            host: "127.0.0.1", port: server.port, fingerprint: server.opensslFingerprint, credentials: credentials)
        let response = try await client.send(HTTPSRequest(path: "/api/v1/calls"), deadline: .after(seconds: 10))
        #expect(response.status == 200 && response.header("content-type") == "text/xml")
        #expect(String(decoding: response.body, as: UTF8.self).contains(#"<calls total="0">"#))
        #expect(server.seen.all.map(\.0) == ["/api/v1/calls"])
        #expect(server.seen.all.first?.1 == "Basic " + Data("api:cms-pass-7".utf8).base64EncodedString())
        await server.stop()
    }

    @Test("a certificate that is not the pinned one is refused before anything is sent")
    func mismatch() async throws {
        let server = try await TLSWebServer()
        let other = String(repeating: "ab", count: 32)
        let client = PinnedHTTPSClient(
            host: "127.0.0.1", port: server.port, fingerprint: other, credentials: credentials)
        let error = await #expect(throws: TransportError.self) {
            _ = try await client.send(HTTPSRequest(path: "/api/v1/calls"), deadline: .after(seconds: 10))
        }
        #expect(error?.kind == .hostKeyMismatch, "\(String(describing: error))")
        #expect(error?.detail.contains("nothing was sent") == true)
        #expect(!(error?.detail.contains("cms-pass-7") ?? true))
        #expect(server.seen.all.isEmpty, "no request, no credentials reached the server")
        await server.stop()
    }

    @Test("a bridge that never answers costs the deadline and a clear error")
    func slow() async throws {
        let server = try await TLSWebServer(slow: true)
        let client = PinnedHTTPSClient(
            host: "127.0.0.1", port: server.port, fingerprint: server.opensslFingerprint, credentials: credentials)
        let started = ContinuousClock.now
        let error = await #expect(throws: TransportError.self) {
            _ = try await client.send(HTTPSRequest(path: "/api/v1/calls"), deadline: .after(seconds: 1))
        }
        #expect(error?.kind == .timedOut, "\(String(describing: error))")
        #expect(ContinuousClock.now - started < .seconds(10))
        await server.stop()
    }

    @Test("fingerprints are read in openssl's, the inventory's and bare forms")
    func forms() {
        let hex = String(repeating: "0a", count: 32)
        let colons = PinnedHTTPSClient.display(hex)
        #expect(colons.hasPrefix("0A:0A:") && colons.count == 95)
        #expect(PinnedHTTPSClient.display("abc") == "AB:C", "an odd length is shown, not a crash")
        for form in ["sha256 Fingerprint=\(colons)", "SHA256:\(colons)", hex.uppercased(), colons.lowercased()] {
            #expect(PinnedHTTPSClient.normalised(form) == hex, "\(form)")
        }
    }
}
