import Foundation
import HNTTCore
import HNTTGovernance
import HNTTTransport
import HummingbirdBcrypt

/// What an account of the service may do.
public enum Role: String, Sendable, CaseIterable, Codable {
    /// Operates the rooms of their unit: procedures, device actions, the logbook.
    case technician
    /// Manages trust, baselines and change orders; runs drift checks.
    case approver
    /// Reads only.
    case viewer
    /// Manages the accounts.
    case admin
}

/// An account of the service (never with its password).
public struct UserAccount: Sendable, Equatable {
    public let name: String
    public let role: Role
    /// The unit whose rooms a technician operates (Điều 4, 5.3).
    public let unit: String?
    public let createdAt: String

    public init(name: String, role: Role, unit: String?, createdAt: String = timestamp()) {
        self.name = name
        self.role = role
        self.unit = unit
        self.createdAt = createdAt
    }

    /// The caller this account acts as: its name is the operator in the audit log and the logbook.
    public var caller: Caller { Caller(operatorName: name, osUser: "web:\(name)", role: role, unit: unit) }
}

/// What a request asks to do, checked against the caller's role and unit on the server.
public enum Permission: Sendable, Equatable {
    case read
    /// Act on a room's devices, run its procedures, write its logbook.
    case operate(room: String)
    /// Trust, baselines, change orders, drift checks.
    case approve
    /// Accounts.
    case administer
}

extension Caller {
    /// Whether this caller may do `permission` on `inventory`'s rooms. A caller without a role is
    /// the shell (the CLI): the operating system's permissions on the data folder decide.
    public func may(_ permission: Permission, in inventory: Inventory) -> Bool {
        guard let role else { return true }
        switch (permission, role) {
        case (.read, _): return true
        case (.operate(let room), .technician):
            guard let unit, let room = inventory.rooms.first(where: { $0.id == room }) else { return false }
            return room.unit == unit
        case (.approve, .approver), (.administer, .admin): return true
        default: return false
        }
    }

    /// Throws the 403-kind refusal when this caller may not do `permission`.
    public func require(_ permission: Permission, in inventory: Inventory) throws {
        guard !may(permission, in: inventory) else { return }
        let who = "\(operatorName ?? "this account") (\(role?.rawValue ?? "shell"))"
        let what: String
        switch permission {
        case .read: what = "read"
        case .operate(let room): what = "operate room \(room)" + (unit.map { " (your unit is \($0))" } ?? "")
        case .approve: what = "manage trust, baselines and change orders"
        case .administer: what = "manage accounts"
        }
        throw HNTTError(
            .forbidden, "\(who) may not \(what)",
            fix: "ask an administrator for an account with the right role and unit")
    }
}

/// The accounts of the service (`hntt user …`), hashed with bcrypt.
extension Gateway {
    /// bcrypt's cost: about 0.1 s per check on this machine's cores.
    static let bcryptCost: UInt8 = 10
    /// A hash of a random password, made on first use (off the pool) for logins with unknown names.
    static let unknownUserHash = Bcrypt.hash(UUID().uuidString, cost: bcryptCost)
    /// The shortest password accepted.
    public static let minimumPasswordLength = 10

    public func users() async throws -> [UserAccount] {
        try await UserStore(database: openDatabase()).all().compactMap(\.account)
    }

    public func addUser(_ name: String, role: Role, unit: String?, password: SecretText, by caller: Caller) async throws
        -> UserAccount
    {
        try Gateway.checkUserName(name)
        let inventory = try inventory()
        let units = Set(inventory.rooms.map(\.unit)).union(inventory.organizers.values).union(
            inventory.operators.values)
        if role == .technician {
            guard let unit, !unit.isEmpty else {
                throw HNTTError(
                    .badInput, "a technician needs --unit", fix: "use one of: \(units.sorted().joined(separator: ", "))"
                )
            }
            guard units.contains(unit) else {
                throw HNTTError(
                    .badInput, "no unit \"\(unit)\" in \(inventory.path)",
                    fix: "use one of: \(units.sorted().joined(separator: ", "))")
            }
        }
        let hash = try await Gateway.hash(password)
        return try await audited(
            AuditRecord(device: "-", action: "user add", detail: "\(name) \(role.rawValue)"), by: caller
        ) {
            guard
                try await UserStore(database: openDatabase()).add(
                    name: name, role: role.rawValue, unit: unit, passwordHash: hash)
            else {
                throw HNTTError(
                    .badInput, "there is already a user \(name)",
                    fix: "use `hntt user passwd \(name)` to change the password")
            }
            return UserAccount(name: name, role: role, unit: unit)
        }
    }

    public func removeUser(_ name: String, by caller: Caller) async throws {
        try await audited(AuditRecord(device: "-", action: "user remove", detail: name), by: caller) {
            guard try await UserStore(database: openDatabase()).remove(name: name) else {
                throw HNTTError(.badInput, "no user \(name)", fix: "`hntt user list` shows the accounts")
            }
        }
    }

    public func setPassword(_ name: String, password: SecretText, by caller: Caller) async throws {
        let hash = try await Gateway.hash(password)
        try await audited(AuditRecord(device: "-", action: "user passwd", detail: name), by: caller) {
            guard try await UserStore(database: openDatabase()).setPasswordHash(name: name, hash) else {
                throw HNTTError(.badInput, "no user \(name)", fix: "`hntt user list` shows the accounts")
            }
        }
    }

    /// The account when `password` is its password; nil otherwise (an unknown name costs the same time).
    public func authenticate(_ name: String, password: SecretText) async throws -> UserAccount? {
        let stored = try await UserStore(database: openDatabase()).user(name)
        return try await Gateway.verify(password, hash: stored?.passwordHash) ? stored?.account : nil
    }

    /// True when `password` is the one `hash` was made of. An unknown name (no hash) is checked against a
    /// real hash of the same cost, so timing does not tell which names exist. Off the pool.
    public static func verify(_ password: SecretText, hash: String?) async throws -> Bool {
        try await onOwnThread {
            password.withClearText { Bcrypt.verify($0, hash: hash ?? Gateway.unknownUserHash) } && hash != nil
        }
    }

    /// A bcrypt hash of a password long enough, off the pool.
    public static func hash(_ password: SecretText) async throws -> String {
        guard password.clearBytes.count >= minimumPasswordLength else {
            throw HNTTError(
                .badInput, "the password is shorter than \(minimumPasswordLength) characters",
                fix: "choose a longer password (a sentence is easy to remember)")
        }
        return try await onOwnThread { password.withClearText { Bcrypt.hash($0, cost: bcryptCost) } }
    }

    public static func checkUserName(_ name: String) throws {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "._-@"))
        guard !name.isEmpty, name.count <= 64, name.unicodeScalars.allSatisfy(allowed.contains) else {
            throw HNTTError(
                .badInput, "a user name is 1–64 letters, digits, '.', '_', '-' or '@'",
                fix: "for example: le.thi.b")
        }
    }
}

extension StoredUser {
    var account: UserAccount? {
        Role(rawValue: role).map { UserAccount(name: name, role: $0, unit: unit, createdAt: createdAt) }
    }
}
