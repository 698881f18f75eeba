import Foundation
import HNTTCore
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOSSL

/// Plain HTTP/1.1, or HTTP/1.1 over TLS from PEM files.
enum ServerFactory {
    static func make(_ options: ServiceOptions) throws -> HTTPServerBuilder {
        guard let certificate = options.tlsCertificate, let key = options.tlsKey else { return .http1() }
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificate).map { NIOSSLCertificateSource.certificate($0) }
            let privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
            let tls = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain, privateKey: .privateKey(privateKey))
            return try .tls(.http1(), tlsConfiguration: tls)
        } catch {
            throw HNTTError(
                .badFile, "cannot read the TLS certificate or key: \(error)",
                fix: "give PEM files: --tls-cert cert.pem --tls-key key.pem")
        }
    }
}
