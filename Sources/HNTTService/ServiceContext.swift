import Foundation
import HNTTCore
import HNTTGateway
import Hummingbird
import NIOCore

/// One request's context: who is calling (from the bearer token or the session cookie) and from where.
public struct ServiceContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The logged-in session; nil before ``AuthenticationMiddleware`` or without a valid token.
    public var session: Session?
    /// True when the session came from the cookie (a form must then carry the CSRF token).
    public var viaCookie = false
    /// The peer's address, for the login throttle.
    public let address: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        address = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// The caller this session acts as, or the 401 error.
    public func caller() throws -> Caller {
        guard let session else { throw ServiceError.notLoggedIn }
        return session.account.caller
    }
}

/// Errors of the HTTP shell itself (the Gateway's are ``HNTTError``s).
public enum ServiceError: Error, Sendable {
    case notLoggedIn
    case notFound(String)
    case badRequest(String, fix: String)
    case csrf
    case throttled(seconds: Int)

    var status: HTTPResponse.Status {
        switch self {
        case .notLoggedIn: return .unauthorized
        case .notFound: return .notFound
        case .badRequest: return .badRequest
        case .csrf: return .forbidden
        case .throttled: return .tooManyRequests
        }
    }

    var error: HNTTError {
        switch self {
        case .notLoggedIn:
            return HNTTError(
                .forbidden, "not logged in", fix: "POST /api/v1/login, then send Authorization: Bearer TOKEN")
        case .notFound(let what): return HNTTError(.badInput, "not found: \(what)", fix: "check the address")
        case .badRequest(let message, let fix): return HNTTError(.badInput, message, fix: fix)
        case .csrf:
            return HNTTError(
                .forbidden, "the form's security token is missing or wrong", fix: "reload the page and try again")
        case .throttled(let seconds):
            return HNTTError(
                .forbidden, "too many failed logins", fix: "wait \(seconds) s, then try again")
        }
    }

    var code: String {
        switch self {
        case .notLoggedIn: return "not-logged-in"
        case .notFound: return "not-found"
        case .badRequest: return "bad-input"
        case .csrf: return "csrf"
        case .throttled: return "throttled"
        }
    }
}

/// The one mapping of errors to HTTP statuses.
enum HTTPStatusMapping {
    static func status(of error: HNTTError) -> HTTPResponse.Status {
        switch error.category {
        case .badInput, .badFile: return .badRequest
        case .forbidden: return .forbidden
        // The guard or the room's order refused: the state of things, not the caller, says no.
        case .blocked: return .conflict
        case .deviceError, .unreachable, .loginRefused, .hostKey: return .badGateway
        case .timeout: return .gatewayTimeout
        }
    }

    /// Status, `error.code` and the error, for any error thrown by a route.
    static func describe(_ error: any Error) -> (HTTPResponse.Status, String, HNTTError) {
        switch error {
        case let error as ServiceError: return (error.status, error.code, error.error)
        case let error as HNTTError: return (status(of: error), error.category.rawValue, error)
        case let error as HTTPError:
            return (
                error.status, "bad-input",
                HNTTError(.badInput, error.body ?? "\(error.status)", fix: "check the request")
            )
        default:
            return (
                .internalServerError, "internal", HNTTError(.badInput, "internal error", fix: "see the service's log")
            )
        }
    }
}
