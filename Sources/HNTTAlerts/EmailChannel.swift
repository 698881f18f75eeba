import Foundation
import HNTTCore
import HNTTDocuments
import HNTTGovernance
@_spi(Driver) import HNTTTransport

/// An alert by e-mail through the inventory's SMTP relay (RFC 5321: EHLO, MAIL, RCPT, DATA, QUIT),
/// every step within its deadline. The relay is a local one without authentication; the text is
/// UTF-8 in base64, the subject RFC 2047-encoded.
public struct EmailChannel: AlertChannel {
    let host: String
    let port: UInt16
    let from: String
    let to: [String]
    let timeout: Double

    public init(host: String, port: Int, from: String, to: [String], timeout: Double = 10) {
        self.host = host
        self.port = UInt16(clamping: port)
        self.from = from
        self.to = to
        self.timeout = timeout
    }

    public func send(_ alert: AlertRecord) async throws {
        for address in [from] + to where !EmailChannel.isPlainAddress(address) {
            throw HNTTError(
                .badInput, "\"\(address)\" is not an e-mail address", fix: "write alerts: email: addresses as name@host"
            )
        }
        let stream = DeviceStream(transport: TCPTransport(host: host, port: port), lineEnd: "\r\n")
        do {
            try await stream.open(deadline: .after(seconds: timeout))
            try await expect(stream, 220, after: nil)
            try await expect(stream, 250, after: "EHLO \(EmailChannel.localName)")
            try await expect(stream, 250, after: "MAIL FROM:<\(from)>")
            for address in to { try await expect(stream, 250, after: "RCPT TO:<\(address)>") }
            try await expect(stream, 354, after: "DATA")
            try await stream.send(bytes: Array(message(alert).utf8), deadline: .after(seconds: timeout))
            try await expect(stream, 250, after: ".")
            try? await expect(stream, 221, after: "QUIT")
            await stream.close()
        } catch {
            await stream.close()
            if let error = error as? TransportError {
                throw HNTTError(
                    .unreachable, "the mail relay \(host):\(port): \(error.detail)",
                    fix: "check alerts: email: smtp in the inventory and that the relay runs")
            }
            throw error
        }
    }

    /// This machine's name for EHLO, from gethostname(2): `ProcessInfo.hostName` resolves the
    /// interfaces' names by DNS, a blocking wait on the cooperative pool.
    static let localName: String = {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "localhost" }
        let text = String(cString: name)
        return text.isEmpty || text.contains(where: { $0.isWhitespace }) ? "localhost" : text
    }()

    /// The message as sent after DATA, dot-stuffed, ending with its own line.
    func message(_ alert: AlertRecord) -> String {
        let body = Data((alert.subjectLine + "\r\n\r\n" + alert.json.text + "\r\n").utf8).base64EncodedString(
            options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        let subject = "=?UTF-8?B?\(Data(alert.subjectLine.utf8).base64EncodedString())?="
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let headers = [
            "From: \(from)", "To: \(to.joined(separator: ", "))", "Subject: \(subject)",
            "Date: \(formatter.string(from: alert.at))",
            "Message-ID: <hntt-alert-\(alert.id)-\(UUID().uuidString)@hntt>",
            "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64",
        ]
        // Base64 never starts a line with a dot, so no line needs stuffing.
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + body + "\r\n"
    }

    /// One `local@domain` without spaces, angle brackets or line ends (nothing to inject into SMTP).
    static func isPlainAddress(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty
            && address.unicodeScalars.allSatisfy {
                $0.value > 32 && $0.value < 127 && !"<>,;\"".unicodeScalars.contains($0)
            }
    }

    private func expect(_ stream: DeviceStream, _ code: Int, after line: String?) async throws {
        let deadline = Deadline.after(seconds: timeout)
        if let line { try await stream.sendLine(line, deadline: deadline) }
        let reply = try await stream.receive(SMTPReplyDecoder(), deadline: deadline, budget: 64 * 1024)
        guard reply.code == code else {
            throw HNTTError(
                .deviceError,
                "the mail relay \(host):\(port) answered \(reply.code) \(TextSafety.line(reply.text))"
                    + " to \(line?.split(separator: " ").first ?? "the greeting")",
                fix: "check the relay accepts mail from \(from) to \(to.joined(separator: ", "))")
        }
    }
}

/// An SMTP reply: `250-first` … `250 last`; the code and the last line's text.
struct SMTPReplyDecoder: StreamDecoder {
    struct Reply: Sendable {
        let code: Int
        let text: String
    }
    private let splitter = TextLineSplitter()

    mutating func decode(_ buffer: inout [UInt8]) throws -> Reply? {
        while let line = try splitter.takeLine(from: &buffer) {
            let bytes = Array(line.utf8)
            guard bytes.count >= 3, let code = Int(String(decoding: bytes[0..<3], as: UTF8.self)) else {
                throw FramingError(detail: "not an SMTP reply: \(TextSafety.line(line))")
            }
            if bytes.count == 3 || bytes[3] == UInt8(ascii: " ") {
                return Reply(code: code, text: String(decoding: bytes.dropFirst(4), as: UTF8.self))
            }
        }
        return nil
    }
}
