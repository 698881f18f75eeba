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
        var response = try await next(request, context)
        if response.headers[.contentSecurityPolicy] == nil {
            response.headers[.contentSecurityPolicy] = AuthenticationMiddleware.contentSecurityPolicy
        }
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "no-referrer"
        return response
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
