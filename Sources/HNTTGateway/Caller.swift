import HNTTGovernance

/// Who asks the gateway to act: the account running hntt and the technician named (`--operator`),
/// or the service's logged-in user with their role and unit. Written into the audit log with every attempt.
public struct Caller: Sendable, Equatable {
    public let operatorName: String?
    public let osUser: String
    /// The service account's role; nil for the shell (the CLI).
    public let role: Role?
    /// The service account's unit: decides which rooms and organisers are theirs (Điều 5.3).
    public let unit: String?

    public init(operatorName: String?, osUser: String = AuditLog.currentUser, role: Role? = nil, unit: String? = nil) {
        self.operatorName = operatorName.flatMap { $0.isEmpty ? nil : $0 }
        self.osUser = osUser
        self.role = role
        self.unit = unit
    }
}
