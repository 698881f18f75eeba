import HNTTGovernance

/// Who asks the gateway to act: the account running hntt and the technician named (`--operator`,
/// later the logged-in user). Written into the audit log with every attempt.
public struct Caller: Sendable, Equatable {
    public let operatorName: String?
    public let osUser: String

    public init(operatorName: String?, osUser: String = AuditLog.currentUser) {
        self.operatorName = operatorName.flatMap { $0.isEmpty ? nil : $0 }
        self.osUser = osUser
    }
}
