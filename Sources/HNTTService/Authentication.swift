import Foundation
import HNTTGateway
import HTTPTypes
import Hummingbird

/// Finds the caller of every request: `Authorization: Bearer TOKEN`, or the page's session cookie.
/// A request with a cookie that changes something must carry the session's CSRF token (the form's
/// `_csrf` field, checked by the page's routes, or the `X-CSRF-Token` header for the API).
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = ServiceContext
    static let cookieName = "hntt_session"
    /// Scripts and styles from the service only (no inline script can run), no framing, forms post home.
    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
        "frame-ancestors 'none'", "form-action 'self'",
    ].joined(separator: "; ")

    let state: ServiceState

    func handle(
        _ request: Request, context: ServiceContext, next: (Request, ServiceContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let header = request.headers[.authorization], header.hasPrefix("Bearer ") {
            context.session = await state.sessions.session(String(header.dropFirst("Bearer ".count)))
        } else if let cookie = request.cookies[AuthenticationMiddleware.cookieName] {
            context.session = await state.sessions.session(cookie.value)
            context.viaCookie = context.session != nil
        }
        let isAPI = request.uri.path.hasPrefix("/api/")
        if isAPI && context.viaCookie && request.method != .get && request.method != .head {
            guard let session = context.session, request.headers[.csrfToken] == session.csrf else {
                return Reply.error(ServiceError.csrf)
            }
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            response = Reply.error(ServiceError.notFound(request.uri.path))
        }
        // A known API path asked with a method it does not have: 405 with the methods it has.
        if response.status == .notFound, isAPI || request.uri.path == "/healthz" {
            let allowed = APIRoutes.methods(of: request.uri.path)
            if !allowed.isEmpty && !allowed.contains(request.method) {
                response = Reply.error(
                    ServiceError.badRequest(
                        "\(request.method.rawValue) is not served at \(request.uri.path)",
                        fix: "use " + allowed.map(\.rawValue).joined(separator: " or ")))
                response.status = .methodNotAllowed
                response.headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
            }
        }
        SecurityHeaders.apply(to: &response)
        return response
    }
}

/// The headers every page and reply carries (the service's and the hub's): scripts and styles from the
/// server only, no framing, no sniffing, no referrer; a response with its own policy keeps it.
struct SecurityHeaders: RouterMiddleware {
    typealias Context = ServiceContext

    func handle(
        _ request: Request, context: ServiceContext, next: (Request, ServiceContext) async throws -> Response
    ) async throws -> Response {
        var response = try await next(request, context)
        SecurityHeaders.apply(to: &response)
        return response
    }

    static func apply(to response: inout Response) {
        if response.headers[.contentSecurityPolicy] == nil {
            response.headers[.contentSecurityPolicy] = AuthenticationMiddleware.contentSecurityPolicy
        }
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "no-referrer"
    }
}

extension HTTPField.Name {
    static let csrfToken = Self("X-CSRF-Token")!
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
}

extension ServiceContext {
    /// The caller, checked for `permission`: 401 without a session, 403 without the role or unit.
    func caller(may permission: Permission, state: ServiceState) throws -> Caller {
        let caller = try caller()
        try caller.require(permission, in: state.gateway.inventory())
        return caller
    }
}
