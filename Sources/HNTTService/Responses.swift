import Foundation
import HNTTCore
import HNTTDocuments
import HNTTGateway
import Hummingbird
import NIOCore

/// Building responses: JSON from the Documents' shapes, HTML, errors in the contract's shape.
enum Reply {
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        text(value.text + "\n", type: "application/json; charset=utf-8", status: status)
    }

    static func html(_ page: String, status: HTTPResponse.Status = .ok) -> Response {
        text(page, type: "text/html; charset=utf-8", status: status)
    }

    /// A document to print (logbook, report): its own inline style, nothing else, no script at all.
    static func document(_ page: String) -> Response {
        var response = html(page)
        response.headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
        return response
    }

    static func text(_ body: String, type: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func redirect(_ location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        return Response(status: .seeOther, headers: headers)
    }

    static func error(_ error: any Error) -> Response {
        let (status, code, described) = HTTPStatusMapping.describe(error)
        return json(described.json(code: code), status: status)
    }
}

/// Request bodies and parameters, with messages that say what is wrong.
extension Request {
    /// The JSON body as `T`, or a 400 naming the field.
    func json<T: Decodable>(_ type: T.Type, maximum: Int = 1 << 20) async throws -> T {
        let buffer = try await body.collect(upTo: maximum)
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: buffer))
        } catch let DecodingError.keyNotFound(key, _) {
            throw ServiceError.badRequest("the JSON body lacks \"\(key.stringValue)\"", fix: "see /api/v1/openapi.yaml")
        } catch let DecodingError.typeMismatch(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw ServiceError.badRequest("\"\(field)\" has the wrong type", fix: "see /api/v1/openapi.yaml")
        } catch {
            throw ServiceError.badRequest("the body is not the JSON expected", fix: "see /api/v1/openapi.yaml")
        }
    }

    /// A form body (application/x-www-form-urlencoded) as `T`.
    func form<T: Decodable>(_ type: T.Type, maximum: Int = 1 << 16) async throws -> T {
        let buffer = try await body.collect(upTo: maximum)
        do {
            return try URLEncodedFormDecoder().decode(T.self, from: String(buffer: buffer))
        } catch {
            throw ServiceError.badRequest("the form is incomplete", fix: "fill in every field marked required")
        }
    }
}

extension Request {
    /// A query parameter; an empty one counts as absent.
    func query(_ name: String) -> String? {
        let value: String? = uri.queryParameters[Substring(name)].map { String($0) }
        return value.nonEmpty
    }

    /// An integer query parameter in `range`, or a 400 naming it.
    func query(_ name: String, integerIn range: ClosedRange<Int>) throws -> Int? {
        guard let text = query(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw ServiceError.badRequest(
                "\(name)=\(text) is not a whole number from \(range.lowerBound) to \(range.upperBound)",
                fix: "give \(name) as a number, for example \(name)=\(range.lowerBound)")
        }
        return value
    }
}

extension Parameters {
    func require(_ name: String) throws -> String {
        guard let value = get(name) else { throw ServiceError.notFound(name) }
        return value
    }
}

/// The documents both the API and the page serve, rendered by HNTTDocuments.
enum DocumentReplies {
    /// A room's logbook from `from` to `to` (YYYY-MM-DD), in `format` (`html` when nil).
    static func logbook(_ gateway: Gateway, room id: String, from: String?, to: String?, format: String?) async throws
        -> Response
    {
        let inventory = try gateway.inventory()
        guard let room = inventory.rooms.first(where: { $0.id == id }) else {
            throw ServiceError.notFound("room \(id)")
        }
        let from = from ?? "2000-01-01"
        let to = to ?? LogbookDocument.local(gateway.now(), "yyyy-MM-dd")
        let document = try await Documents.logbook(
            try await gateway.logEntries(room: room.id, from: from, to: to), room: room, from: from, to: to,
            organisation: inventory.organisation, issue: DocumentIssue(date: gateway.now()),
            format: try parse(format, allowed: DocumentFormat.logbook))
        return reply(document)
    }

    /// The yearly report with what the office adds, in `format` (`html` when nil).
    static func report(_ gateway: Gateway, year: Int, issue: DocumentIssue, format: String?) async throws -> Response {
        let document = try await Documents.report(
            try await gateway.yearlyReport(year), organisation: try gateway.inventory().organisation, issue: issue,
            format: try parse(format, allowed: DocumentFormat.report))
        return reply(document)
    }

    static func parse(_ format: String?, allowed: [DocumentFormat]) throws -> DocumentFormat {
        guard let format, !format.isEmpty else { return .html }
        guard let known = DocumentFormat(rawValue: format), allowed.contains(known) else {
            throw ServiceError.badRequest(
                "format \(format) is not one of \(allowed.map(\.rawValue).joined(separator: ", "))",
                fix: "pass format=\(allowed.map(\.rawValue).joined(separator: "|"))")
        }
        return known
    }

    /// HTML to show (with no script at all), the other formats as a download.
    static func reply(_ document: RenderedDocument) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = document.format.contentType
        headers[.cacheControl] = "no-store"
        if document.format == .html {
            headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
        } else {
            headers[.contentDisposition] = "attachment; filename=\"\(document.filename)\""
            headers[.contentSecurityPolicy] = "default-src 'none'"
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: document.data)))
    }
}
