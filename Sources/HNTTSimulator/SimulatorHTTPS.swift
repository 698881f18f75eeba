import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A request as a simulated REST device receives it.
public struct SimulatedHTTPRequest: Sendable {
    public let method: String
    /// The path without the query.
    public let path: String
    public let query: [String: String]
    public let authorization: String?
    public let body: [UInt8]

    /// `a=b&c=d` (a query or a form body), percent-decoded.
    public static func fields(_ text: Substring) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            fields[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return fields
    }

    public var form: [String: String] { Self.fields(Substring(String(decoding: body, as: UTF8.self))) }

    /// The user name and password of a Basic `Authorization` header.
    public var basicCredentials: (user: String, password: String)? {
        guard let authorization, authorization.hasPrefix("Basic "),
            let decoded = Data(base64Encoded: String(authorization.dropFirst(6))),
            let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }
}

public struct SimulatedHTTPResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// Seconds to wait before answering (a slow device); never answer when infinite.
    public var delay: Double = 0

    public init(status: Int, headers: [(String, String)] = [], body: String = "") {
        self.status = status
        self.headers = headers
        self.body = Array(body.utf8)
    }
}

/// A self-signed certificate made by openssl, kept in a folder so that a device keeps its identity across
/// restarts (the pin stays valid), as a real bridge's does.
public struct SimulatorCertificate: Sendable {
    public let certificatePath: String
    public let keyPath: String
    /// As `openssl x509 -noout -fingerprint -sha256` prints it: `sha256 Fingerprint=AB:CD:…`.
    public let opensslFingerprint: String

    /// The certificate in `folder` (made there when missing) for `name`.
    public static func make(in folder: String, name: String = "cms.simulator") throws -> SimulatorCertificate {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let certificate = folder + "/cert.pem"
        let key = folder + "/key.pem"
        if !FileManager.default.fileExists(atPath: certificate) || !FileManager.default.fileExists(atPath: key) {
            _ = try openssl([
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "3650",
                "-subj", "/CN=\(name)", "-keyout", key, "-out", certificate,
            ])
        }
        let fingerprint = try openssl(["x509", "-noout", "-fingerprint", "-sha256", "-in", certificate])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return SimulatorCertificate(certificatePath: certificate, keyPath: key, opensslFingerprint: fingerprint)
    }

    static func openssl(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SimulatorError("openssl \(arguments.first ?? "") failed (exit \(process.terminationStatus))")
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// An HTTPS server on 127.0.0.1 for a simulated REST device: every request goes to `respond`.
public final class SimulatorHTTPSServer: @unchecked Sendable {
    public let port: Int
    private let channel: Channel

    public init(
        certificate: SimulatorCertificate, port: Int = 0,
        respond: @escaping @Sendable (SimulatedHTTPRequest) -> SimulatedHTTPResponse
    ) async throws {
        let chain = try NIOSSLCertificate.fromPEMFile(certificate.certificatePath)
        let key = try NIOSSLPrivateKey(file: certificate.keyPath, format: .pem)
        let context = try NIOSSLContext(
            configuration: .makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)))
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try child.pipeline.syncOperations.configureHTTPServerPipeline()
                    try child.pipeline.syncOperations.addHandler(Responder(respond: respond))
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
        self.port = channel.localAddress?.port ?? 0
    }

    public func stop() async { try? await channel.close() }

    final class Responder: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let respond: @Sendable (SimulatedHTTPRequest) -> SimulatedHTTPResponse
        var head: HTTPRequestHead?
        var body: [UInt8] = []

        init(respond: @escaping @Sendable (SimulatedHTTPRequest) -> SimulatedHTTPResponse) { self.respond = respond }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = []
            case .body(var buffer):
                if body.count < 1 << 20 { body += buffer.readBytes(length: buffer.readableBytes) ?? [] }
            case .end:
                guard let head else { return }
                let parts = head.uri.split(separator: "?", maxSplits: 1)
                let request = SimulatedHTTPRequest(
                    method: head.method.rawValue, path: String(parts.first ?? ""),
                    query: parts.count > 1 ? SimulatedHTTPRequest.fields(parts[1]) : [:],
                    authorization: head.headers["Authorization"].first, body: body)
                let response = respond(request)
                guard response.delay.isFinite else { return }
                let write = {
                    var headers = HTTPHeaders()
                    for (name, value) in response.headers { headers.add(name: name, value: value) }
                    headers.add(name: "Content-Length", value: String(response.body.count))
                    headers.add(name: "Connection", value: "close")
                    let status = HTTPResponseStatus(statusCode: response.status)
                    context.write(
                        self.wrapOutboundOut(
                            .head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))),
                        promise: nil)
                    context.write(
                        self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: response.body)))), promise: nil)
                    context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in
                        context.close(promise: nil)
                    }
                }
                if response.delay > 0 {
                    context.eventLoop.scheduleTask(in: .milliseconds(Int64(response.delay * 1000))) { write() }
                } else {
                    write()
                }
            }
        }
    }
}

/// The API account of a simulated bridge (its one user).
public protocol BridgeAccount {
    var username: String { get set }
    var password: String { get set }
}

extension CMSBridgeState: BridgeAccount {}
extension RMXBridgeState: BridgeAccount {}

/// A device simulated behind HTTPS (a bridge's API): its state, its certificate and how it answers.
public final class SimulatedHTTPSDevice<State: SimulatedDeviceState>: @unchecked Sendable {
    public typealias Store = SimulatorStore<State>
    public let store: Store
    public let certificate: SimulatorCertificate
    let respond: @Sendable (SimulatedHTTPRequest, Store) -> SimulatedHTTPResponse
    private var server: SimulatorHTTPSServer?

    public init(
        store: Store, certificate: SimulatorCertificate,
        respond: @escaping @Sendable (SimulatedHTTPRequest, Store) -> SimulatedHTTPResponse
    ) {
        self.store = store
        self.certificate = certificate
        self.respond = respond
    }

    /// Serves on 127.0.0.1 (`0`: any port); returns the port.
    public func start(port: Int = 0) async throws -> Int {
        let server = try await SimulatorHTTPSServer(certificate: certificate, port: port) { [store, respond] in
            respond($0, store)
        }
        self.server = server
        return server.port
    }

    public func stop() async { await server?.stop() }
}
